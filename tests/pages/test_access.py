"""Who reaches which page: every page as every role of the two-tenant world.

Org A objects answer 404 to people of other organizations (the same page as
for a missing object), 403 to members whose role lacks the right, and a
redirect to the login page to anonymous visitors.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

import pytest
from django.urls import reverse

from accounts.roles import Role
from tests.conftest import World
from tests.pages.helpers import ALL_ROLES, client_as, tenant_state
from tests.support.factories import make_member, make_user

LOGIN = "/accounts/login/"

# Expected status per role; a role left out expects the "default" entry.
MANAGE_OWN_ORG = {"owner": 200, "admin": 200, "admin_b": 200, "default": 403}
MANAGE_A_OBJECT = {"owner": 200, "admin": 200, "operator": 403, "viewer": 403, "restricted_viewer": 403, "default": 404}
VIEW_A1_OBJECT = {"admin_b": 404, "outsider": 404, "default": 200}

PAGES: list[tuple[str, Callable[[World], str], dict[str, int]]] = [
    ("dashboard", lambda w: reverse("dashboard"), {"default": 200}),
    ("site list", lambda w: reverse("site_list"), {"default": 200}),
    ("site create", lambda w: reverse("site_create"), MANAGE_OWN_ORG),
    ("site edit", lambda w: reverse("site_edit", args=[w.site_a1.public_id]), MANAGE_A_OBJECT),
    ("site delete", lambda w: reverse("site_delete", args=[w.site_a1.public_id]), MANAGE_A_OBJECT),
    ("camera detail", lambda w: reverse("camera_detail", args=[w.camera_a1.public_id]), VIEW_A1_OBJECT),
    ("camera detail outside restriction", lambda w: reverse("camera_detail", args=[w.camera_a2.public_id]),
     {"restricted_viewer": 404, "admin_b": 404, "outsider": 404, "default": 200}),
    ("camera create", lambda w: reverse("camera_create"), MANAGE_OWN_ORG),
    ("camera edit", lambda w: reverse("camera_edit", args=[w.camera_a1.public_id]), MANAGE_A_OBJECT),
    ("camera delete", lambda w: reverse("camera_delete", args=[w.camera_a1.public_id]), MANAGE_A_OBJECT),
    ("member list", lambda w: reverse("member_list"), MANAGE_OWN_ORG),
    ("member add", lambda w: reverse("member_add"), MANAGE_OWN_ORG),
    ("member edit", lambda w: reverse("member_edit", args=[w.membership(w.viewer).pk]),
     {**MANAGE_A_OBJECT, "restricted_viewer": 404}),
    ("member remove", lambda w: reverse("member_remove", args=[w.membership(w.viewer).pk]),
     {**MANAGE_A_OBJECT, "restricted_viewer": 404}),
    ("token list", lambda w: reverse("token_list"), MANAGE_OWN_ORG),
    ("token create", lambda w: reverse("token_create"), MANAGE_OWN_ORG),
    ("audit log", lambda w: reverse("audit_log"), MANAGE_OWN_ORG),
    ("organization settings", lambda w: reverse("organization_settings"), MANAGE_OWN_ORG),
    ("mfa", lambda w: reverse("mfa_index"), {"default": 200}),
]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize(("name", "url", "expected"), PAGES, ids=[page[0] for page in PAGES])
def test_page_status_for_every_role(
    world: World, client_for: Callable, role: str, name: str, url: Callable, expected: dict[str, int]
) -> None:
    response = client_as(world, client_for, role).get(url(world))

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)
    else:
        assert response.status_code == expected.get(role, expected["default"])


@pytest.mark.parametrize(
    ("name", "foreign_id", "missing_id"),
    [
        ("camera_detail", lambda w: w.camera_a1.public_id, uuid.uuid4()),
        ("camera_edit", lambda w: w.camera_a1.public_id, uuid.uuid4()),
        ("camera_delete", lambda w: w.camera_a1.public_id, uuid.uuid4()),
        ("site_edit", lambda w: w.site_a1.public_id, uuid.uuid4()),
        ("member_edit", lambda w: w.membership(w.viewer).pk, 999999),
        ("member_remove", lambda w: w.membership(w.viewer).pk, 999999),
    ],
)
def test_missing_objects_answer_the_same_404_as_foreign_ones(
    world: World, client_for: Callable, name: str, foreign_id: Callable, missing_id: object
) -> None:
    client = client_for(world.admin_b)

    missing = client.get(reverse(name, args=[missing_id]))
    foreign = client.get(reverse(name, args=[foreign_id(world)]))

    assert missing.status_code == foreign.status_code == 404
    assert _without_request_details(missing.content) == _without_request_details(foreign.content)


def _without_request_details(body: bytes) -> bytes:
    """The page minus what differs per request anyway (CSRF token, the switcher's return path)."""
    body = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", body)
    return re.sub(rb'name="next" value="[^"]*"', b"", body)


def test_a_person_in_no_organization_is_told_so(world: World, client_for: Callable) -> None:
    response = client_for(world.outsider).get(reverse("dashboard"))

    assert response.status_code == 200
    assert b"not in an organization yet" in response.content
    assert world.org_a.name.encode() not in response.content


def test_admin_of_b_sees_only_b_on_list_pages(world: World, client_for: Callable) -> None:
    client = client_for(world.admin_b)

    bodies = b"".join(
        client.get(reverse(name)).content
        for name in ("dashboard", "site_list", "member_list", "token_list", "audit_log", "organization_settings")
    )

    assert world.site_b.name.encode() in bodies
    for foreign in (world.org_a.name, world.site_a1.name, world.camera_a1.name, world.owner.email):
        assert foreign.encode() not in bodies


def _object_posts(w: World) -> list[tuple[str, dict]]:
    """Writes aimed at org A objects by URL."""
    viewer_membership = w.membership(w.viewer)
    return [
        (reverse("site_edit", args=[w.site_a1.public_id]), {"name": "Renamed", "timezone": "UTC"}),
        (reverse("site_delete", args=[w.site_a1.public_id]), {}),
        (reverse("camera_edit", args=[w.camera_a1.public_id]), {"name": "Renamed", "site": str(w.site_a1.public_id),
                                                                "onvif_port": 80}),
        (reverse("camera_delete", args=[w.camera_a1.public_id]), {}),
        (reverse("member_edit", args=[viewer_membership.pk]), {"role": Role.ADMIN}),
        (reverse("member_remove", args=[viewer_membership.pk]), {}),
    ]


def _organization_posts(w: World) -> list[tuple[str, dict]]:
    """Writes to the active organization (org A for its members)."""
    return [
        (reverse("site_create"), {"name": "Intruder site", "timezone": "UTC"}),
        (reverse("camera_create"), {"name": "Intruder cam", "site": str(w.site_a1.public_id),
                                    "main_source": "rtsp://10.0.0.9/s", "onvif_port": 80, "enabled": "on"}),
        (reverse("member_add"), {"email": "new@example.test", "role": Role.ADMIN}),
        (reverse("token_create"), {"name": "Intruder", "role": Role.ADMIN}),
        (reverse("organization_settings"), {"name": "Taken over", "require_mfa": "on"}),
    ]


@pytest.mark.parametrize("role", ["operator", "viewer", "restricted_viewer", "outsider", "anonymous"])
def test_refused_posts_change_nothing(world: World, client_for: Callable, role: str) -> None:
    client = client_as(world, client_for, role)
    before = tenant_state()

    statuses = {url: client.post(url, data).status_code for url, data in _object_posts(world)}
    statuses |= {url: client.post(url, data).status_code for url, data in _organization_posts(world)}

    assert tenant_state() == before
    assert set(statuses.values()) <= {302, 403, 404}, statuses


def test_posts_at_a_objects_from_org_b_answer_404_and_change_nothing(world: World, client_for: Callable) -> None:
    client = client_for(world.admin_b)
    before = tenant_state()

    statuses = [client.post(url, data).status_code for url, data in _object_posts(world)]

    assert statuses == [404] * len(statuses)
    assert tenant_state() == before


def test_admin_b_cannot_put_a_camera_on_an_a_site(world: World, client_for: Callable) -> None:
    data = {"name": "Sneaky", "site": str(world.site_a1.public_id), "main_source": "rtsp://10.0.0.9/s",
            "onvif_port": 80, "enabled": "on"}

    response = client_for(world.admin_b).post(reverse("camera_create"), data)

    assert response.status_code == 200
    assert "site" in response.context["form"].errors
    assert not world.site_a1.cameras.filter(name="Sneaky").exists()


def test_admin_b_cannot_restrict_a_member_to_an_a_site(world: World, client_for: Callable) -> None:
    data = {"email": "someone@example.test", "role": Role.VIEWER, "sites": [str(world.site_a1.public_id)]}

    response = client_for(world.admin_b).post(reverse("member_add"), data)

    assert response.status_code == 200
    assert "sites" in response.context["form"].errors
    assert not world.org_b.memberships.filter(user__email="someone@example.test").exists()


def test_token_revoke_refused_for_other_roles_and_tenants(world: World, client_for: Callable) -> None:
    from accounts import services

    token, _key = services.create_token(world.owner, world.org_a, name="CI", role=Role.VIEWER)
    url = reverse("token_revoke", args=[token.pk])

    statuses = {role: client_as(world, client_for, role).post(url).status_code
                for role in ("operator", "viewer", "restricted_viewer", "admin_b", "outsider")}

    assert statuses == {"operator": 403, "viewer": 403, "restricted_viewer": 404, "admin_b": 404, "outsider": 404}
    token.refresh_from_db()
    assert token.is_active


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("organization_switch"),
        lambda w: reverse("token_revoke", args=[1]),
    ],
)
def test_state_changing_endpoints_refuse_get(world: World, client_for: Callable, url: Callable) -> None:
    response = client_for(world.owner).get(url(world))

    assert response.status_code == 405


def test_member_of_two_orgs_edits_only_through_the_gate(world: World, client_for: Callable) -> None:
    """A person admin in B and viewer in A still cannot manage A's objects from either organization."""
    person = make_user("both@example.test")
    make_member(person, world.org_a, Role.VIEWER)
    make_member(person, world.org_b, Role.ADMIN)
    client = client_for(person)

    assert client.get(reverse("camera_edit", args=[world.camera_a1.public_id])).status_code == 403
    assert client.get(reverse("camera_edit", args=[world.camera_b.public_id])).status_code == 200
