"""The pages of every feature keep Org A's rows from Org B's admin.

The role-by-role matrix of the core pages is tests/pages/test_access.py;
this one covers the feature pages (live view, clips, alerts, motion and
recording settings, timeline, notifications, invitations, tokens): every
Org A object URL answers Org B's admin with the missing object's 404 and
changes nothing, and no list or form page shows them an Org A row.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import resolve, reverse

from recordings.models import MotionEvent
from tests.conftest import World
from tests.support.isolation import OrgARows, feature_state

ObjectCase = tuple[str, str, Callable[[World, OrgARows], object]]
# (route name, method, the Org A object's id in the URL)
OBJECT_PAGES: list[ObjectCase] = [
    ("camera_detail", "get", lambda w, r: w.camera_a1.public_id),
    ("camera_snapshot", "get", lambda w, r: w.camera_a1.public_id),
    ("camera_thumbnail", "get", lambda w, r: w.camera_a1.public_id),
    ("camera_recent_picture", "get", lambda w, r: w.camera_a1.public_id),
    ("camera_motion", "get", lambda w, r: w.camera_a1.public_id),
    ("camera_motion", "post", lambda w, r: w.camera_a1.public_id),
    ("camera_recording", "get", lambda w, r: w.camera_a1.public_id),
    ("camera_recording", "post", lambda w, r: w.camera_a1.public_id),
    ("camera_timeline", "get", lambda w, r: w.camera_a1.public_id),
    ("live_camera", "get", lambda w, r: w.camera_a1.public_id),
    ("live_access", "get", lambda w, r: w.camera_a1.public_id),
    ("live_saved_view", "get", lambda w, r: r.saved_view.public_id),
    ("live_view_delete", "post", lambda w, r: r.saved_view.public_id),
    ("clip_download", "get", lambda w, r: r.clip.public_id),
    ("clip_delete", "post", lambda w, r: r.clip.public_id),
    ("motion_acknowledge", "post", lambda w, r: r.event.public_id),
    ("motion_export", "post", lambda w, r: r.event.public_id),
    ("motion_snapshot", "get", lambda w, r: r.event.public_id),
    ("notification_rule_edit", "get", lambda w, r: r.rule.public_id),
    ("notification_rule_edit", "post", lambda w, r: r.rule.public_id),
    ("notification_rule_delete", "post", lambda w, r: r.rule.public_id),
    ("webhook_edit", "get", lambda w, r: r.webhook.public_id),
    ("webhook_edit", "post", lambda w, r: r.webhook.public_id),
    ("webhook_test", "post", lambda w, r: r.webhook.public_id),
    ("webhook_rotate", "post", lambda w, r: r.webhook.public_id),
    ("webhook_delete", "post", lambda w, r: r.webhook.public_id),
    ("invitation_withdraw", "post", lambda w, r: r.invitation.public_id),
    ("token_revoke", "post", lambda w, r: w.org_a.api_tokens.get().pk),
]

# Pages that list or offer Org A's kind of rows (lists, filters, form choices), with a row of Org B's
# they do show (so the page is not simply empty), where there is one to show.
LIST_PAGES: dict[str, str | None] = {
    "dashboard": None, "site_list": "B Depot", "live_grid": "B Gate", "clip_list": None, "alert_list": None,
    "notification_list": None, "notification_rule_create": "B Gate", "webhook_create": None,
    "member_list": "admin@b.example.test", "member_add": "B Gate", "token_list": None, "token_create": None,
    "audit_log": None, "organization_settings": "Org B", "camera_create": "B Depot",
}

# What of Org A a page could show: names of its organization, sites, cameras, people and feature rows.
ORG_A_MARKERS = ("Org A", "A Head Office", "A Warehouse", "A1 Entrance", "A1 Lobby", "A2 Loading Bay",
                 "@a.example.test", "A hook", "A rule", "A wall", "A reader")


@pytest.fixture
def admin_b(world: World, client_for: Callable, org_a_rows: OrgARows) -> Client:
    from accounts import services

    services.create_token(world.owner, world.org_a, name="A reader", role="viewer")
    return client_for(world.admin_b)


def covered_page_routes() -> set[str]:
    return {name for name, *_ in OBJECT_PAGES} | set(LIST_PAGES) | {"motion_acknowledge_many", "clip_request"}


@pytest.mark.parametrize(("name", "method", "object_id"), OBJECT_PAGES,
                         ids=[f"{name}-{method}" for name, method, _ in OBJECT_PAGES])
def test_org_b_admin_gets_the_missing_object_404_on_org_a_pages_and_nothing_changes(
    world: World, org_a_rows: OrgARows, admin_b: Client, name: str, method: str, object_id: Callable
) -> None:
    foreign_url = reverse(name, args=[object_id(world, org_a_rows)])
    missing_url = reverse(name, args=[uuid.uuid4() if name != "token_revoke" else 987654321])
    before = feature_state()

    foreign = getattr(admin_b, method)(foreign_url)
    missing = getattr(admin_b, method)(missing_url)

    assert foreign.status_code == missing.status_code == 404
    assert feature_state() == before
    body = foreign.content.decode()
    assert not [marker for marker in ORG_A_MARKERS if marker in body]


@pytest.mark.parametrize("name", list(LIST_PAGES))
def test_org_b_admin_sees_no_org_a_row_on_list_and_form_pages(
    world: World, org_a_rows: OrgARows, admin_b: Client, name: str
) -> None:
    response = admin_b.get(reverse(name))

    assert response.status_code == 200
    body = response.content.decode()
    assert not [marker for marker in ORG_A_MARKERS if marker in body]
    if LIST_PAGES[name]:
        assert LIST_PAGES[name] in body


def test_bulk_acknowledge_with_org_a_events_acknowledges_nothing(
    world: World, org_a_rows: OrgARows, admin_b: Client
) -> None:
    assert resolve(reverse("motion_acknowledge_many")).url_name == "motion_acknowledge_many"

    admin_b.post(reverse("motion_acknowledge_many"), {"events": [str(org_a_rows.event.public_id)]})

    assert MotionEvent.objects.get(pk=org_a_rows.event.pk).acknowledged_at is None


def test_requesting_a_clip_of_an_org_a_camera_is_the_missing_cameras_404(
    world: World, org_a_rows: OrgARows, admin_b: Client
) -> None:
    before = feature_state()

    foreign = admin_b.post(reverse("clip_request"), {"camera": world.camera_a1.public_id, "duration": 10})
    missing = admin_b.post(reverse("clip_request"), {"camera": uuid.uuid4(), "duration": 10})

    assert foreign.status_code == missing.status_code == 404
    assert feature_state() == before
