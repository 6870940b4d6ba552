"""Every API write leaves an audit event that the organization's admins, and only they, can read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from tests.api.conftest import API, rows
from tests.conftest import World


def do_one_of_everything(world: World, client: APIClient) -> None:
    """Camera create/update/delete, member invite/change/remove, invitation withdraw, token create/revoke,
    all via the API."""
    site = str(world.site_a1.public_id)
    camera = client.post(f"{API}/cameras/", {"site": site, "name": "Audited", "main_source": "rtsp://10.9.9.9/s"})
    camera_url = f"{API}/cameras/{camera.json()['id']}/"
    client.patch(camera_url, {"name": "Audited 2"}, format="json")
    client.delete(camera_url)
    invitation = client.post(f"{API}/members/", {"organization": world.org_a.pk, "email": "temp@a.example.test",
                                                 "role": "viewer"}, format="json")  # fmt: skip
    client.delete(f"{API}/invitations/{invitation.json()['id']}/")
    member_url = f"{API}/members/{world.membership(world.viewer).pk}/"
    client.patch(member_url, {"role": "operator"}, format="json")
    client.delete(member_url)
    token = client.post(f"{API}/tokens/", {"organization": world.org_a.pk, "name": "Temp", "role": "viewer"})
    client.delete(f"{API}/tokens/{token.json()['id']}/")


ACTIONS = [
    "camera.create", "camera.update", "camera.delete",
    "member.invite", "invitation.withdraw", "member.update", "member.remove",
    "token.create", "token.revoke",
]  # fmt: skip


@pytest.fixture
def audited(world: World, admin_api: APIClient) -> APIClient:
    do_one_of_everything(world, admin_api)
    return admin_api


def test_api_writes_are_audited_with_actor_and_ip(world: World, audited: APIClient) -> None:
    events = rows(audited.get(f"{API}/audit-events/?actor={world.admin.pk}"))

    by_action = {event["action"]: event for event in events}
    assert set(ACTIONS) <= set(by_action)
    assert {by_action[action]["ip_address"] for action in ACTIONS} == {"127.0.0.1"}
    assert {by_action[action]["organization"] for action in ACTIONS} == {world.org_a.pk}
    assert by_action["member.update"]["detail"]["role"] == "operator"


@pytest.mark.parametrize("action", ACTIONS)
def test_audit_events_filter_by_action(action: str, audited: APIClient) -> None:
    events = rows(audited.get(f"{API}/audit-events/?action={action}"))

    assert events and {event["action"] for event in events} == {action}


def test_audit_events_filter_by_target_type_and_time(world: World, audited: APIClient) -> None:
    past = (timezone.now() - timedelta(hours=1)).isoformat()
    future = (timezone.now() + timedelta(hours=1)).isoformat()

    tokens = rows(audited.get(f"{API}/audit-events/", {"target_type": "apitoken", "created_at_after": past}))
    none_yet = rows(audited.get(f"{API}/audit-events/", {"created_at_after": future}))
    none_before = rows(audited.get(f"{API}/audit-events/", {"created_at_before": past}))

    assert {event["action"] for event in tokens} >= {"token.create", "token.revoke"}
    assert {event["target_type"] for event in tokens} == {"apitoken"}
    assert none_yet == none_before == []


def test_owner_and_admin_token_read_the_audit_trail(audited: APIClient, api_as: Callable[[str], APIClient]) -> None:
    for who in ("owner", "token_admin"):
        actions = {event["action"] for event in rows(api_as(who).get(f"{API}/audit-events/"))}
        assert set(ACTIONS) <= actions, who


@pytest.mark.parametrize("who", ["operator", "viewer", "restricted_viewer", "token_viewer", "admin_b", "outsider"])
def test_audit_trail_of_org_a_is_hidden_from_others(
    who: str, audited: APIClient, world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as(who)
    event = AuditEvent.objects.filter(organization=world.org_a, action="camera.create").get()

    listed = {row["id"] for row in rows(client.get(f"{API}/audit-events/"))}
    detail = client.get(f"{API}/audit-events/{event.pk}/")

    assert event.pk not in listed
    assert detail.status_code in (403, 404)
    assert detail.status_code == 404 or who in ("operator", "viewer", "token_viewer")


def test_audit_trail_is_read_only(world: World, audited: APIClient) -> None:
    event = AuditEvent.objects.filter(organization=world.org_a).latest("pk")

    responses = [
        audited.post(f"{API}/audit-events/", {"action": "forged"}),
        audited.patch(f"{API}/audit-events/{event.pk}/", {"action": "forged"}),
        audited.delete(f"{API}/audit-events/{event.pk}/"),
    ]

    assert [response.status_code for response in responses] == [405, 405, 405]
    assert AuditEvent.objects.filter(pk=event.pk, action=event.action).exists()
