"""Members over the API: add by e-mail, change role and limits, remove; all through accounts.services."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from rest_framework.test import APIClient

from accounts.models import Invitation, Membership, User
from tests.api.conftest import API, rows, tenant_state
from tests.conftest import World


def test_adding_a_member_sends_an_invitation(
    world: World, admin_api: APIClient, django_capture_on_commit_callbacks: Callable
) -> None:
    body = {"organization": world.org_a.pk, "email": "guard@a.example.test", "role": "viewer",
            "sites": [str(world.site_a2.public_id)]}  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_api.post(f"{API}/members/", body, format="json")

    assert response.status_code == 202, response.content
    data = response.json()
    assert (data["email"], data["role"], data["sites"], data["cameras"], data["status"]) == (
        "guard@a.example.test", "viewer", [str(world.site_a2.public_id)], [], "pending"
    )  # fmt: skip
    assert data["invited_by"] == world.admin.email
    invitation = Invitation.objects.get(public_id=data["id"])
    assert list(invitation.sites.all()) == [world.site_a2]
    assert not Membership.objects.filter(user__email="guard@a.example.test").exists()
    assert [message.to for message in mail.outbox] == [["guard@a.example.test"]]
    listed = rows(admin_api.get(f"{API}/invitations/?pending=true"))
    assert [row["id"] for row in listed] == [data["id"]]


def test_an_invitation_sent_by_a_token_names_no_person(world: World, api_as: Callable[[str], APIClient]) -> None:
    """The schema said ``invited_by`` was always an e-mail; a token's invitation reads null (documented so now)."""
    body = {"organization": world.org_a.pk, "email": "bot-invited@a.example.test", "role": "viewer"}

    response = api_as("token_admin").post(f"{API}/invitations/", body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["invited_by"] is None


def test_invitation_limited_to_a_camera_of_the_organization(world: World, admin_api: APIClient) -> None:
    body = {"organization": world.org_a.pk, "email": "cam@a.example.test", "role": "operator",
            "cameras": [str(world.camera_a2.public_id)]}  # fmt: skip

    response = admin_api.post(f"{API}/invitations/", body, format="json")

    assert response.status_code == 201
    assert response.json()["cameras"] == [str(world.camera_a2.public_id)]


def test_withdrawing_an_invitation_over_the_api(world: World, admin_api: APIClient) -> None:
    body = {"organization": world.org_a.pk, "email": "gone@a.example.test", "role": "viewer"}
    created = admin_api.post(f"{API}/invitations/", body, format="json").json()

    response = admin_api.delete(f"{API}/invitations/{created['id']}/")

    assert response.status_code == 204
    assert admin_api.get(f"{API}/invitations/{created['id']}/").json()["status"] == "withdrawn"
    assert rows(admin_api.get(f"{API}/invitations/?pending=true")) == []


def test_invitations_of_another_organization_are_invisible(world: World, api_as: Callable[[str], APIClient]) -> None:
    body = {"organization": world.org_b.pk, "email": "b-guest@example.test", "role": "viewer"}
    created = api_as("admin_b").post(f"{API}/invitations/", body, format="json").json()

    for url in (f"{API}/invitations/{created['id']}/", f"{API}/invitations/not-a-uuid/"):
        assert api_as("admin").get(url).status_code == 404
        assert api_as("admin").delete(url).status_code == 404
    assert rows(api_as("admin").get(f"{API}/invitations/")) == []


FOREIGN_ROWS = {
    "organization of B": ("organization", lambda w: w.org_b.pk),
    "missing organization": ("organization", lambda w: 987654),
    "site of B": ("sites", lambda w: [str(w.site_b.public_id)]),
    "camera of B": ("cameras", lambda w: [str(w.camera_b.public_id)]),
}


@pytest.mark.parametrize(("field", "value_of"), list(FOREIGN_ROWS.values()), ids=list(FOREIGN_ROWS))
def test_member_cannot_be_added_with_foreign_rows(
    field: str, value_of: Callable[[World], object], world: World, admin_api: APIClient
) -> None:
    body = {"organization": world.org_a.pk, "email": "spy@b.example.test", "role": "viewer", field: value_of(world)}
    before = tenant_state()

    response = admin_api.post(f"{API}/members/", body, format="json")

    assert response.status_code == 400
    assert response.json()[field][0].startswith("No such ")
    assert tenant_state() == before
    assert not User.objects.filter(email="spy@b.example.test").exists()


def test_refused_member_leaves_no_half_created_account(world: World, admin_api: APIClient) -> None:
    body = {"organization": world.org_a.pk, "email": "boss@a.example.test", "role": "admin",
            "sites": [str(world.site_a1.public_id)]}  # fmt: skip

    response = admin_api.post(f"{API}/members/", body, format="json")

    assert response.status_code == 400
    assert "operators and viewers" in response.json()["role"][0]
    assert not User.objects.filter(email="boss@a.example.test").exists()


def test_existing_member_cannot_be_added_twice(world: World, admin_api: APIClient) -> None:
    body = {"organization": world.org_a.pk, "email": world.viewer.email, "role": "viewer"}

    response = admin_api.post(f"{API}/members/", body, format="json")

    assert response.status_code == 400
    assert response.json()["email"] == ["This person is already a member of the organization."]


def test_only_an_owner_grants_the_owner_role(world: World, api_as: Callable[[str], APIClient]) -> None:
    url = f"{API}/members/{world.membership(world.viewer).pk}/"

    refused = api_as("admin").patch(url, {"role": "owner"}, format="json")
    granted = api_as("owner").patch(url, {"role": "owner"}, format="json")

    assert refused.status_code == 403
    assert refused.json() == {"detail": "Only an owner can grant, change or remove the owner role."}
    assert granted.json()["role"] == "owner"


def test_changing_role_keeps_limits_unless_the_role_cannot_have_them(world: World, admin_api: APIClient) -> None:
    membership = world.membership(world.restricted_viewer)
    url = f"{API}/members/{membership.pk}/"

    as_operator = admin_api.patch(url, {"role": "operator"}, format="json").json()
    as_admin = admin_api.patch(url, {"role": "admin"}, format="json").json()

    assert (as_operator["role"], as_operator["sites"]) == ("operator", [str(world.site_a1.public_id)])
    assert (as_admin["role"], as_admin["sites"]) == ("admin", [])


def test_admin_sets_a_members_site_limits(world: World, admin_api: APIClient) -> None:
    url = f"{API}/members/{world.membership(world.viewer).pk}/"

    response = admin_api.put(url, {"role": "viewer", "sites": [str(world.site_a2.public_id)]}, format="json")

    assert response.json()["sites"] == [str(world.site_a2.public_id)]
    assert list(world.membership(world.viewer).sites.all()) == [world.site_a2]


def test_put_without_limits_clears_them(world: World, admin_api: APIClient) -> None:
    membership = world.membership(world.restricted_viewer)

    response = admin_api.put(f"{API}/members/{membership.pk}/", {"role": "viewer"}, format="json")

    assert (response.json()["sites"], list(membership.sites.all())) == ([], [])


def test_admin_removes_a_member_but_the_account_stays(world: World, admin_api: APIClient) -> None:
    response = admin_api.delete(f"{API}/members/{world.membership(world.operator).pk}/")

    assert response.status_code == 204
    assert not Membership.objects.filter(user=world.operator).exists()
    assert User.objects.filter(pk=world.operator.pk).exists()


def test_the_last_owner_cannot_be_removed(world: World, api_as: Callable[[str], APIClient]) -> None:
    client = api_as("owner")
    before = tenant_state()

    response = client.delete(f"{API}/members/{world.membership(world.owner).pk}/")

    assert response.status_code == 400
    assert "at least one owner" in response.json()["detail"]
    assert tenant_state() == before


def test_member_list_shows_the_organization_members(world: World, admin_api: APIClient) -> None:
    emails = {row["email"] for row in rows(admin_api.get(f"{API}/members/?organization={world.org_a.pk}"))}

    assert emails == {user.email for user in (world.owner, world.admin, world.operator, world.viewer,
                                              world.restricted_viewer)}  # fmt: skip


def test_email_and_organization_do_not_change_on_update(world: World, admin_api: APIClient) -> None:
    membership = world.membership(world.viewer)
    body = {"role": "viewer", "email": "other@x.example.test", "organization": world.org_b.pk}

    response = admin_api.patch(f"{API}/members/{membership.pk}/", body, format="json")

    assert response.status_code == 200
    membership.refresh_from_db()
    assert (membership.user.email, membership.organization) == (world.viewer.email, world.org_a)
