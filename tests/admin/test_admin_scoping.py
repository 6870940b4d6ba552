"""The admin sees and touches only what the access gate allows (accounts/admin_base.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.db import models
from django.test import Client
from django.urls import reverse

from accounts import audit, services
from accounts.models import APIToken, AuditEvent, Invitation, Membership, Organization, User
from cameras.models import Camera, Gateway, PTZPreset, Site
from recordings.footage.models import LegalHold, RecordingSettings, StoragePolicy
from recordings.models import (
    Clip,
    MotionEvent,
    MotionSettings,
    NotificationDelivery,
    NotificationRule,
    WebhookEndpoint,
)
from tests.admin.conftest import staff
from tests.conftest import World
from tests.support.isolation import OrgARows, make_feature_rows

TENANT_MODELS = [Organization, Site, Camera, Membership, APIToken, AuditEvent]


def admin_url(model: type[models.Model], view: str, *args: object) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def tokens_and_events(world: World) -> dict[str, APIToken]:
    token_a, _ = services.create_token(world.owner, world.org_a, name="A integration", role="viewer")
    token_b, _ = services.create_token(world.admin_b, world.org_b, name="B integration", role="viewer")
    audit.record(world.admin_b, "test.marker", organization=world.org_b, target=world.site_b)
    return {"a": token_a, "b": token_b}


def org_b_rows(world: World, tokens: dict[str, APIToken]) -> dict[type[models.Model], models.Model]:
    return {
        Organization: world.org_b,
        Site: world.site_b,
        Camera: world.camera_b,
        Membership: world.membership(world.admin_b, world.org_b),
        APIToken: tokens["b"],
        AuditEvent: AuditEvent.objects.filter(organization=world.org_b).first(),
    }


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_org_admin_changelist_shows_only_own_organization(
    world: World, tokens_and_events: dict, admin_a: Client, model: type[models.Model]
) -> None:
    response = admin_a.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    body = response.content.decode()
    shown = list(response.context["cl"].result_list)
    assert shown, "org A has rows of every model"
    assert {_organization_id(obj) for obj in shown} == {world.org_a.pk}
    # Not in the rows, nor in a filter, a search hint or a count.
    for marker in ("Org B", "B Depot", "B Gate", "admin@b.example.test", "B integration"):
        assert marker not in body


def _organization_id(obj: models.Model) -> int:
    if isinstance(obj, Organization):
        return obj.pk
    if isinstance(obj, Camera):
        return obj.site.organization_id
    return obj.organization_id  # type: ignore[attr-defined]


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_foreign_object_urls_answer_404_like_missing_ones(
    world: World, tokens_and_events: dict, admin_a: Client, model: type[models.Model], view: str
) -> None:
    foreign = org_b_rows(world, tokens_and_events)[model]

    foreign_response = admin_a.get(admin_url(model, view, foreign.pk))
    missing_response = admin_a.get(admin_url(model, view, 987654321))

    assert foreign_response.status_code == missing_response.status_code == 404
    assert str(foreign) not in foreign_response.content.decode()


def test_posting_to_a_foreign_site_changes_nothing(world: World, admin_a: Client) -> None:
    data = {"name": "Taken over", "address": "", "timezone": "UTC"}

    change = admin_a.post(admin_url(Site, "change", world.site_b.pk), data)
    delete = admin_a.post(admin_url(Site, "delete", world.site_b.pk), {"post": "yes"})

    assert change.status_code == delete.status_code == 404
    world.site_b.refresh_from_db()
    assert world.site_b.name == "B Depot"
    assert Camera.objects.filter(pk=world.camera_b.pk).exists()
    assert not AuditEvent.objects.filter(organization=world.org_b).exists()


def test_posting_to_a_foreign_camera_changes_nothing(world: World, admin_a: Client) -> None:
    data = {"name": "Taken over", "site": world.site_a1.pk, "main_source": "rtsp://10.9.9.9/x", "onvif_port": 80}

    change = admin_a.post(admin_url(Camera, "change", world.camera_b.pk), data)
    delete = admin_a.post(admin_url(Camera, "delete", world.camera_b.pk), {"post": "yes"})

    assert change.status_code == delete.status_code == 404
    world.camera_b.refresh_from_db()
    assert (world.camera_b.name, world.camera_b.site_id) == ("B Gate", world.site_b.pk)
    assert world.camera_b.main_source == "rtsp://admin:Gate-B-pass@10.20.0.5:554/live"


def test_bulk_delete_with_a_foreign_id_deletes_only_own_rows(world: World, admin_a: Client) -> None:
    data = {
        "action": "delete_selected",
        "_selected_action": [world.camera_a2.pk, world.camera_b.pk],
        "post": "yes",
    }

    response = admin_a.post(admin_url(Camera, "changelist"), data)

    assert response.status_code == 302
    assert not Camera.objects.filter(pk=world.camera_a2.pk).exists()
    assert Camera.objects.filter(pk=world.camera_b.pk).exists()
    deleted = AuditEvent.objects.filter(action="camera.delete")
    assert [(e.organization_id, e.target_label) for e in deleted] == [(world.org_a.pk, "A2 Loading Bay")]


def test_site_autocomplete_offers_only_managed_sites(world: World, admin_a: Client) -> None:
    params = {"app_label": "cameras", "model_name": "camera", "field_name": "site", "term": ""}

    response = admin_a.get(reverse("admin:autocomplete"), params)

    assert response.status_code == 200
    assert {r["text"] for r in response.json()["results"]} == {"A Head Office", "A Warehouse"}


def test_org_admin_sees_tenant_models_but_not_people_or_gateways(admin_a: Client) -> None:
    response = admin_a.get(reverse("admin:index"))

    models_shown = {m["object_name"] for app in response.context["app_list"] for m in app["models"]}
    assert models_shown == {"Organization", "Site", "Camera", "Membership", "Invitation", "APIToken", "AuditEvent",
                           "Clip", "PTZPreset", "MotionEvent", "MotionSettings", "WebhookEndpoint", "NotificationRule",
                           "NotificationDelivery", "Segment", "RecordingSettings", "StoragePolicy", "LegalHold",
                           "StorageTier"}
    for url in (reverse("admin:accounts_user_changelist"), reverse("admin:cameras_gateway_changelist"),
                reverse("admin:footage_recorder_changelist"), reverse("admin:footage_volumeguardrun_changelist")):
        assert admin_a.get(url).status_code == 403


@pytest.mark.parametrize("who", ["viewer", "operator", "restricted_viewer", "outsider"])
def test_staff_without_a_manage_grant_sees_nothing(
    world: World, client_for: Callable[[User], Client], who: str
) -> None:
    client = client_for(staff(getattr(world, who)))

    index = client.get(reverse("admin:index"))

    assert index.status_code == 200
    assert index.context["app_list"] == []
    for model in TENANT_MODELS:
        assert client.get(admin_url(model, "changelist")).status_code == 403
        assert client.get(admin_url(model, "add")).status_code == 403
    assert client.get(admin_url(Camera, "change", world.camera_a1.pk)).status_code == 404


def test_non_staff_owner_cannot_enter_the_admin(world: World, client_for: Callable[[User], Client]) -> None:
    client = client_for(world.owner)

    for url in (reverse("admin:index"), admin_url(Camera, "changelist"), admin_url(Camera, "change", 1)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", TENANT_MODELS, ids=lambda m: m.__name__)
def test_superuser_sees_every_organization(
    world: World, tokens_and_events: dict, superuser: User, client_for: Callable[[User], Client],
    model: type[models.Model],
) -> None:
    response = client_for(superuser).get(admin_url(model, "changelist"))

    assert response.status_code == 200
    shown = {_organization_id(obj) for obj in response.context["cl"].result_list}
    # (The superuser's own login is audited without an organization.)
    assert shown - {None} == {world.org_a.pk, world.org_b.pk}


@pytest.mark.sqlite  # the changelists count, filter and search in SQL
def test_every_admin_page_renders_for_superuser_and_org_admin(
    world: World, tokens_and_events: dict, superuser: User, client_for: Callable[[User], Client]
) -> None:
    rows = {
        Organization: world.org_a,
        Site: world.site_a1,
        Camera: world.camera_a1_sub,
        Membership: world.membership(world.restricted_viewer),
        APIToken: tokens_and_events["a"],
        AuditEvent: AuditEvent.objects.filter(organization=world.org_a).first(),
    }
    refused = {(APIToken, "add"), (APIToken, "delete"), (AuditEvent, "add"), (AuditEvent, "delete"),
               (Organization, "delete"), (Membership, "add")}

    for client, is_superuser in ((client_for(superuser), True), (client_for(world.admin), False)):
        for model, obj in rows.items():
            for view, args in (("changelist", ()), ("add", ()), ("change", (obj.pk,)), ("delete", (obj.pk,))):
                denied = (model, view) in refused or (not is_superuser and (model, view) == (Organization, "add"))
                response = client.get(admin_url(model, view, *args))
                assert response.status_code == (403 if denied else 200), (model.__name__, view, is_superuser)

    superuser_client = client_for(superuser)
    for url in (admin_url(User, "add"), admin_url(User, "change", world.viewer.pk), admin_url(Gateway, "add")):
        assert superuser_client.get(url).status_code == 200


# --- the feature models: clips, alerts, motion and recording settings, notifications, holds, invitations ---

FEATURE_ADMIN_ROWS = {
    Invitation: "invitation", PTZPreset: "preset", Clip: "clip", MotionEvent: "event",
    MotionSettings: "motion_settings", WebhookEndpoint: "webhook", NotificationRule: "rule",
    NotificationDelivery: "delivery", LegalHold: "hold", RecordingSettings: "recording_settings",
    StoragePolicy: "storage_policy",
}
FEATURE_ADMIN_MODELS = list(FEATURE_ADMIN_ROWS)
ORG_B_FEATURE_MARKERS = ("Org B", "B Gate", "B hook", "B rule", "invited@b.example.test", "Incident B",
                         "hooks.example.com/b")


@pytest.fixture
def feature_rows(world: World, org_a_rows: OrgARows) -> dict[str, OrgARows]:
    return {"a": org_a_rows, "b": make_feature_rows(world.org_b, world.camera_b, world.admin_b, "B")}


def _owner_organization_id(obj: models.Model) -> int:
    camera = getattr(obj, "camera", None)
    return obj.organization_id if hasattr(obj, "organization_id") else camera.site.organization_id


@pytest.mark.parametrize("model", FEATURE_ADMIN_MODELS, ids=lambda m: m.__name__)
def test_org_admin_changelist_of_feature_rows_shows_only_own_organization(
    world: World, feature_rows: dict[str, OrgARows], admin_a: Client, model: type[models.Model]
) -> None:
    response = admin_a.get(admin_url(model, "changelist"))

    assert response.status_code == 200
    shown = list(response.context["cl"].result_list)
    assert shown, "org A has rows of every model"
    assert {_owner_organization_id(obj) for obj in shown} == {world.org_a.pk}
    body = response.content.decode()
    assert not [marker for marker in ORG_B_FEATURE_MARKERS if marker in body]


@pytest.mark.parametrize("model", FEATURE_ADMIN_MODELS, ids=lambda m: m.__name__)
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_foreign_feature_rows_answer_404_like_missing_ones(
    world: World, feature_rows: dict[str, OrgARows], admin_a: Client, model: type[models.Model], view: str
) -> None:
    foreign = getattr(feature_rows["b"], FEATURE_ADMIN_ROWS[model])

    foreign_response = admin_a.get(admin_url(model, view, foreign.pk))
    missing_response = admin_a.get(admin_url(model, view, 987654321))

    assert foreign_response.status_code == missing_response.status_code
    assert foreign_response.status_code in (403, 404)
    assert not [marker for marker in ORG_B_FEATURE_MARKERS if marker in foreign_response.content.decode()]
