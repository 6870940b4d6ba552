"""Tenant isolation over every API endpoint, for every kind of caller.

Org A is the victim. Callers outside it (``admin_b`` and ``token_b`` manage
Org B; ``outsider`` belongs nowhere) must get the same 404 for Org A's rows
as for rows that do not exist, and never see them in lists. Members of
Org A without ``manage`` get 403 on writes, and nothing changes.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.urls import resolve
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from tests.api.conftest import API, Tokens, rows, tenant_state
from tests.conftest import World
from tests.support.isolation import OrgARows, feature_state

OUTSIDERS = ["admin_b", "outsider", "token_b"]
NOT_MANAGERS = ["operator", "viewer", "restricted_viewer", "token_viewer"]
LISTS = ["organizations", "sites", "cameras", "members", "tokens", "audit-events"]
ADMIN_MATERIAL = {"members", "tokens", "audit-events"}


def org_a_detail_url(kind: str, world: World, tokens: Tokens) -> str:
    ids = {
        "organizations": world.org_a.pk,
        "sites": world.site_a1.public_id,
        "cameras": world.camera_a1.public_id,
        "members": world.membership(world.viewer).pk,
        "tokens": tokens.viewer.pk,
        "audit-events": AuditEvent.objects.filter(organization=world.org_a).latest("pk").pk,
    }
    return f"{API}/{kind}/{ids[kind]}/"


def missing_detail_url(kind: str) -> str:
    missing = uuid.uuid4() if kind in ("sites", "cameras") else 987654321
    return f"{API}/{kind}/{missing}/"


def org_a_ids(kind: str, world: World, tokens: Tokens) -> set[str]:
    """How each list names Org A's rows."""
    a = world.org_a.pk
    ids = {
        "organizations": {str(a)},
        "sites": {str(world.site_a1.public_id), str(world.site_a2.public_id)},
        "cameras": {str(camera.public_id) for camera in world.cameras_a},
        "members": {str(m.pk) for m in world.org_a.memberships.all()},
        "tokens": {str(tokens.viewer.pk), str(tokens.admin.pk)},
        "audit-events": {str(pk) for pk in AuditEvent.objects.filter(organization=a).values_list("pk", flat=True)},
    }
    return ids[kind]


UNSAFE = {
    "organizations": [],
    "sites": [("patch", "", {"name": "Taken over"}), ("put", "", {"name": "Taken over"}), ("delete", "", None)],
    "cameras": [("patch", "", {"name": "Taken over"}), ("put", "", {"name": "X"}), ("delete", "", None)],
    "members": [("patch", "", {"role": "admin"}), ("delete", "", None)],
    "tokens": [("delete", "", None), ("post", "revoke/", None)],
    "audit-events": [],
}
UNSAFE_CASES = [(kind, *op) for kind, ops in UNSAFE.items() for op in ops]


@pytest.mark.parametrize("kind", LISTS)
@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsider_gets_the_missing_object_404_for_org_a_detail_url(
    who: str, kind: str, world: World, tokens: Tokens, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as(who)

    foreign = client.get(org_a_detail_url(kind, world, tokens))
    missing = client.get(missing_detail_url(kind))

    assert foreign.status_code == 404
    assert foreign.json() == missing.json() == {"detail": "Not found."}


@pytest.mark.parametrize(("kind", "method", "suffix", "body"), UNSAFE_CASES)
@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsider_cannot_change_org_a_rows(
    who: str, kind: str, method: str, suffix: str, body: dict | None, world: World, tokens: Tokens,
    api_as: Callable[[str], APIClient],
) -> None:  # fmt: skip
    client = api_as(who)
    before = tenant_state()

    response = getattr(client, method)(org_a_detail_url(kind, world, tokens) + suffix, body, format="json")

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    assert tenant_state() == before


@pytest.mark.parametrize("kind", LISTS)
@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsider_never_sees_org_a_rows_in_lists(
    who: str, kind: str, world: World, tokens: Tokens, api_as: Callable[[str], APIClient]
) -> None:
    listed = {str(row["id"]) for row in rows(api_as(who).get(f"{API}/{kind}/"))}

    assert not listed & org_a_ids(kind, world, tokens)


@pytest.mark.parametrize("kind", LISTS)
def test_manager_of_org_b_sees_org_b_rows_in_lists(
    kind: str, world: World, tokens: Tokens, api_as: Callable[[str], APIClient]
) -> None:
    assert rows(api_as("admin_b").get(f"{API}/{kind}/"))


@pytest.mark.parametrize("kind", LISTS)
@pytest.mark.parametrize("who", ["owner", "admin", "token_admin"])
def test_org_a_managers_see_every_org_a_row_in_lists(
    who: str, kind: str, world: World, tokens: Tokens, api_as: Callable[[str], APIClient]
) -> None:
    listed = {str(row["id"]) for row in rows(api_as(who).get(f"{API}/{kind}/"))}

    assert org_a_ids(kind, world, tokens) <= listed


@pytest.mark.parametrize("kind", sorted(ADMIN_MATERIAL))
@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_members_without_manage_see_no_admin_material(
    who: str, kind: str, world: World, tokens: Tokens, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as(who)

    assert rows(client.get(f"{API}/{kind}/")) == []
    detail = client.get(org_a_detail_url(kind, world, tokens))
    # Unrestricted members know the row exists (403); a restricted viewer does not even see it (404).
    assert detail.status_code == (404 if who == "restricted_viewer" else 403)


def write_requests(world: World, tokens: Tokens) -> list[tuple[str, str, dict | None]]:
    a1, cam = world.site_a1.public_id, world.camera_a1.public_id
    member, token = world.membership(world.viewer).pk, tokens.viewer.pk
    return [
        ("post", f"{API}/sites/", {"organization": world.org_a.pk, "name": "New site"}),
        ("patch", f"{API}/sites/{a1}/", {"name": "Renamed"}),
        ("delete", f"{API}/sites/{a1}/", None),
        ("post", f"{API}/cameras/", {"site": str(a1), "name": "New", "main_source": "rtsp://192.168.1.9/s"}),
        ("patch", f"{API}/cameras/{cam}/", {"name": "Renamed", "main_source": "rtsp://192.168.1.9/x"}),
        ("put", f"{API}/cameras/{cam}/", {"site": str(a1), "name": "Renamed"}),
        ("delete", f"{API}/cameras/{cam}/", None),
        ("post", f"{API}/members/", {"organization": world.org_a.pk, "email": "new@a.example.test", "role": "admin"}),
        ("patch", f"{API}/members/{member}/", {"role": "admin"}),
        ("delete", f"{API}/members/{member}/", None),
        ("post", f"{API}/tokens/", {"organization": world.org_a.pk, "name": "Mine", "role": "admin"}),
        ("delete", f"{API}/tokens/{token}/", None),
        ("post", f"{API}/tokens/{token}/revoke/", None),
    ]


@pytest.mark.parametrize("who", NOT_MANAGERS)
def test_members_without_manage_cannot_write_anything(
    who: str, world: World, tokens: Tokens, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as(who)
    before = tenant_state()

    for method, url, body in write_requests(world, tokens):
        response = getattr(client, method)(url, body, format="json")
        is_detail = url not in {f"{API}/{kind}/" for kind in LISTS}
        hidden = who == "restricted_viewer" and is_detail and any(f"/{kind}/" in url for kind in ADMIN_MATERIAL)
        expected = 404 if hidden else 403
        assert response.status_code == expected, (method, url, response.content)
        assert response.json()["detail"]

    assert tenant_state() == before


def test_anonymous_caller_is_refused_everywhere(world: World, tokens: Tokens) -> None:
    client = APIClient()
    before = tenant_state()
    urls = [f"{API}/{kind}/" for kind in LISTS] + [org_a_detail_url(kind, world, tokens) for kind in LISTS]

    responses = [client.get(url) for url in urls]
    for method, url, body in write_requests(world, tokens):
        responses.append(getattr(client, method)(url, body, format="json"))

    assert {response.status_code for response in responses} == {401}
    assert all(response.json()["detail"] for response in responses)
    assert tenant_state() == before


def test_restricted_viewer_sees_only_the_cameras_of_their_site(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("restricted_viewer")

    cameras = {row["id"] for row in rows(client.get(f"{API}/cameras/"))}
    sites = rows(client.get(f"{API}/sites/"))

    assert cameras == {str(world.camera_a1.public_id), str(world.camera_a1_sub.public_id)}
    assert [(site["id"], site["camera_count"]) for site in sites] == [(str(world.site_a1.public_id), 2)]
    assert client.get(f"{API}/cameras/{world.camera_a2.public_id}/").status_code == 404
    assert client.get(f"{API}/sites/{world.site_a2.public_id}/").status_code == 404


def test_org_a_token_sees_only_org_a(world: World, tokens: Tokens, api_as: Callable[[str], APIClient]) -> None:
    client = api_as("token_admin")

    cameras = {row["id"] for row in rows(client.get(f"{API}/cameras/"))}
    organizations = [row["id"] for row in rows(client.get(f"{API}/organizations/"))]

    assert cameras == {str(camera.public_id) for camera in world.cameras_a}
    assert organizations == [world.org_a.pk]
    assert client.get(f"{API}/cameras/{world.camera_b.public_id}/").status_code == 404
    assert client.get(f"{API}/organizations/{world.org_b.pk}/").status_code == 404


# --- the feature routes: clips, exports, alerts, footage, playback, PTZ, notifications, invitations ---


# Lists and detail URLs of the feature resources: route name of the list, how a row is named.
FEATURE_KINDS: dict[str, Callable[[OrgARows], object]] = {
    "invitations": lambda r: r.invitation.public_id,
    "clips": lambda r: r.clip.public_id,
    "exports": lambda r: r.bundle.public_id,
    "motion-events": lambda r: r.event.public_id,
    "holds": lambda r: r.hold.public_id,
    "webhooks": lambda r: r.webhook.public_id,
    "notification-rules": lambda r: r.rule.public_id,
    "notification-deliveries": lambda r: r.delivery.pk,
}
FEATURE_ROUTE_NAMES = {
    "invitations": "invitation", "clips": "clip", "exports": "export", "motion-events": "motion-event",
    "holds": "legal-hold", "webhooks": "webhook", "notification-rules": "notification-rule",
    "notification-deliveries": "notification-delivery",
}


def _cam(world: World) -> str:
    return f"{API}/cameras/{world.camera_a1.public_id}"


def _org(world: World) -> str:
    return f"{API}/organizations/{world.org_a.pk}"


# Every other Org A URL of the API, with the method and body that would act on it:
# (route name, method, URL, body). Outsiders get the missing object's 404 and nothing changes.
SubResource = tuple[str, str, Callable[[World, OrgARows], str], dict | None]
SUB_RESOURCES: list[SubResource] = [
    ("token-revoke", "post", lambda w, r: f"{API}/tokens/{w.org_a.api_tokens.first().pk}/revoke/", None),
    ("invitation-detail", "delete", lambda w, r: f"{API}/invitations/{r.invitation.public_id}/", None),
    ("clip-detail", "delete", lambda w, r: f"{API}/clips/{r.clip.public_id}/", None),
    ("clip-download", "get", lambda w, r: f"{API}/clips/{r.clip.public_id}/download/", None),
    ("clip-file", "get", lambda w, r: f"{API}/clips/{r.clip.public_id}/file/", None),
    ("export-file", "get", lambda w, r: f"{API}/exports/{r.bundle.public_id}/file/", None),
    ("motion-event-acknowledge", "post", lambda w, r: f"{API}/motion-events/{r.event.public_id}/acknowledge/", {}),
    ("motion-event-export", "post", lambda w, r: f"{API}/motion-events/{r.event.public_id}/export/", {}),
    ("motion-event-snapshot", "get", lambda w, r: f"{API}/motion-events/{r.event.public_id}/snapshot/", None),
    ("legal-hold-detail", "delete", lambda w, r: f"{API}/holds/{r.hold.public_id}/", None),
    ("webhook-detail", "patch", lambda w, r: f"{API}/webhooks/{r.webhook.public_id}/", {"name": "Taken over"}),
    ("webhook-detail", "delete", lambda w, r: f"{API}/webhooks/{r.webhook.public_id}/", None),
    ("webhook-rotate-secret", "post", lambda w, r: f"{API}/webhooks/{r.webhook.public_id}/rotate-secret/", None),
    ("webhook-test", "post", lambda w, r: f"{API}/webhooks/{r.webhook.public_id}/test/", None),
    ("notification-rule-detail", "patch", lambda w, r: f"{API}/notification-rules/{r.rule.public_id}/",
     {"name": "Taken over"}),
    ("notification-rule-detail", "delete", lambda w, r: f"{API}/notification-rules/{r.rule.public_id}/", None),
    ("camera-ptz-list", "post", lambda w, r: f"{_cam(w)}/ptz/", {"action": "stop"}),
    ("camera-ptz-refresh", "post", lambda w, r: f"{_cam(w)}/ptz/capabilities/", None),
    ("camera-ptz-preset-list", "get", lambda w, r: f"{_cam(w)}/ptz/presets/", None),
    ("camera-ptz-preset-list", "post", lambda w, r: f"{_cam(w)}/ptz/presets/", {"name": "Mine"}),
    ("camera-ptz-preset-detail", "delete", lambda w, r: f"{_cam(w)}/ptz/presets/{r.preset.public_id}/", None),
    ("camera-motion-settings", "get", lambda w, r: f"{_cam(w)}/motion/", None),
    ("camera-motion-settings", "patch", lambda w, r: f"{_cam(w)}/motion/", {"enabled": True}),
    ("camera-recording-settings", "get", lambda w, r: f"{_cam(w)}/recording/", None),
    ("camera-recording-settings", "patch", lambda w, r: f"{_cam(w)}/recording/", {"mode": "continuous"}),
    ("camera-recording-footage", "get", lambda w, r: f"{_cam(w)}/recordings/", None),
    ("camera-playback-playback", "post", lambda w, r: f"{_cam(w)}/playback/", {}),
    ("camera-playback-timeline", "get", lambda w, r: f"{_cam(w)}/timeline/", None),
    # With a real picture and a URL copied from its owner: tests/playback/test_thumbnails_api.py.
    ("camera-playback-thumbnail", "get", lambda w, r: f"{_cam(w)}/thumbnails/20260301T080000Z/", None),
    ("organization-storage-storage", "get", lambda w, r: f"{_org(w)}/storage/", None),
    ("organization-storage-storage", "patch", lambda w, r: f"{_org(w)}/storage/", {"retention_days": 1}),
    ("organization-storage-storage-tier", "get", lambda w, r: f"{_org(w)}/storage/tier/", None),
    ("organization-storage-storage-tier", "put", lambda w, r: f"{_org(w)}/storage/tier/", {"kind": "local"}),
]

# Requests that name Org A's objects in the body of a create: refused as if the object did not exist.
CreateCase = tuple[str, str, Callable[[World, OrgARows], dict]]
FOREIGN_CREATES: list[CreateCase] = [
    ("invitation-list", f"{API}/invitations/",
     lambda w, r: {"organization": w.org_a.pk, "email": "mole@b.example.test", "role": "admin"}),
    ("clip-list", f"{API}/clips/", lambda w, r: {"camera": str(w.camera_a1.public_id), "duration": 10}),
    ("clip-export-range", f"{API}/clips/range/", lambda w, r: {
        "camera": str(w.camera_a1.public_id), "start": r.hold.start.isoformat(), "end": r.hold.end.isoformat()}),
    ("export-list", f"{API}/exports/", lambda w, r: {
        "cameras": [str(w.camera_a1.public_id)], "start": r.hold.start.isoformat(), "end": r.hold.end.isoformat()}),
    ("legal-hold-list", f"{API}/holds/", lambda w, r: {
        "camera": str(w.camera_a1.public_id), "start": r.hold.start.isoformat(), "end": r.hold.end.isoformat(),
        "reason": "Mine now"}),
    ("webhook-list", f"{API}/webhooks/",
     lambda w, r: {"organization": w.org_a.pk, "name": "Mine", "url": "https://hooks.example.com/b"}),
    ("notification-rule-list", f"{API}/notification-rules/",
     lambda w, r: {"organization": w.org_a.pk, "personal": False, "name": "Mine", "channel": "webhook",
                   "webhook": str(r.webhook.public_id)}),
]

def covered_api_routes() -> set[str]:
    """Route names the matrix in this module exercises (each case checks its URL resolves to that name)."""
    names = {FEATURE_ROUTE_NAMES.get(kind, kind.removesuffix("s")) for kind in [*LISTS, *FEATURE_KINDS]}
    return (
        {f"{name}-{suffix}" for name in names for suffix in ("list", "detail")}
        | {route for route, *_ in SUB_RESOURCES}
        | {route for route, *_ in FOREIGN_CREATES}
    )


@pytest.mark.parametrize("kind", [*LISTS, *FEATURE_KINDS])
def test_matrix_route_names_match_the_urls_it_requests(kind: str) -> None:
    name = FEATURE_ROUTE_NAMES.get(kind, kind.removesuffix("s"))

    assert resolve(f"{API}/{kind}/").url_name == f"{name}-list"
    some_id = uuid.uuid4() if kind in FEATURE_KINDS and kind != "notification-deliveries" else 1
    assert resolve(f"{API}/{kind}/{some_id}/").url_name == f"{name}-detail"


@pytest.mark.parametrize("kind", list(FEATURE_KINDS))
@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsider_gets_the_missing_object_404_for_org_a_feature_rows(
    who: str, kind: str, org_a_rows: OrgARows, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as(who)
    missing_id = 987654321 if kind == "notification-deliveries" else uuid.uuid4()

    foreign = client.get(f"{API}/{kind}/{FEATURE_KINDS[kind](org_a_rows)}/")
    missing = client.get(f"{API}/{kind}/{missing_id}/")

    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json() == {"detail": "Not found."}


@pytest.mark.parametrize("kind", list(FEATURE_KINDS))
@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsider_never_sees_org_a_feature_rows_in_lists(
    who: str, kind: str, org_a_rows: OrgARows, api_as: Callable[[str], APIClient]
) -> None:
    listed = {str(row["id"]) for row in rows(api_as(who).get(f"{API}/{kind}/"))}

    assert str(FEATURE_KINDS[kind](org_a_rows)) not in listed


@pytest.mark.parametrize("kind", list(FEATURE_KINDS))
def test_org_a_admin_sees_the_feature_rows_the_outsiders_do_not(
    kind: str, org_a_rows: OrgARows, api_as: Callable[[str], APIClient]
) -> None:
    listed = {str(row["id"]) for row in rows(api_as("admin").get(f"{API}/{kind}/"))}

    assert str(FEATURE_KINDS[kind](org_a_rows)) in listed


@pytest.mark.parametrize(("route", "method", "url", "body"), SUB_RESOURCES,
                         ids=[f"{route}-{method}" for route, method, *_ in SUB_RESOURCES])
@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsider_gets_404_on_every_org_a_sub_resource_and_nothing_changes(
    who: str, route: str, method: str, url: Callable, body: dict | None, world: World, tokens: Tokens,
    org_a_rows: OrgARows, api_as: Callable[[str], APIClient],
) -> None:  # fmt: skip
    client, target = api_as(who), url(world, org_a_rows)
    assert resolve(target).url_name == route
    before = feature_state()

    response = getattr(client, method)(target, body, format="json")

    assert response.status_code == 404, response.content
    assert response.json() == {"detail": "Not found."}
    assert feature_state() == before


@pytest.mark.parametrize(("route", "url", "body"), FOREIGN_CREATES, ids=[case[0] for case in FOREIGN_CREATES])
@pytest.mark.parametrize("who", OUTSIDERS)
def test_outsider_cannot_create_anything_on_org_a_objects(
    who: str, route: str, url: str, body: Callable, world: World, tokens: Tokens, org_a_rows: OrgARows,
    api_as: Callable[[str], APIClient],
) -> None:  # fmt: skip
    client = api_as(who)
    assert resolve(url).url_name == route
    before = feature_state()

    response = client.post(url, body(world, org_a_rows), format="json")

    # Someone with no role anywhere may create nothing at all (403, or 404 for the camera); a manager of
    # Org B is told that Org A's object is not there, as for a missing one (400 on the field, or 404).
    assert response.status_code in ({403, 404} if who == "outsider" else {400, 404}), response.content
    assert "org a" not in response.content.decode().lower()
    assert feature_state() == before
