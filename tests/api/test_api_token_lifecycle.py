"""A token never has more rights than the person who created it has now.

Regression (issue 10): an admin created a token, was removed from the
organization and deactivated; their session stopped working, but the token
still listed members and created a new admin member. Each change to the
creator (remove, restrict, demote, deactivate) now revokes or narrows their
tokens at once and says so in the audit log; authentication checks the
creator again on every call as a backstop.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts.models import APIToken, AuditEvent, User
from tests.api.conftest import API, token_client
from tests.conftest import World

REFUSED = {"detail": "The API token is not valid or has been revoked."}


@pytest.fixture
def admins_token(world: World, admin_api: APIClient) -> tuple[APIToken, APIClient]:
    """An admin-role token that Org A's admin created through the API, and a client using it."""
    body = {"organization": world.org_a.pk, "name": "VMS bridge", "role": "admin"}
    response = admin_api.post(f"{API}/tokens/", body, format="json")
    assert response.status_code == 201, response.content
    client = token_client(response.json()["key"])
    assert client.get(f"{API}/members/").status_code == 200
    return APIToken.objects.get(pk=response.json()["id"]), client


def _admin_membership_url(world: World) -> str:
    return f"{API}/members/{world.membership(world.admin).pk}/"


def _new_admin_member(client: APIClient, world: World) -> int:
    body = {"organization": world.org_a.pk, "email": "planted@example.test", "role": "admin"}
    return client.post(f"{API}/members/", body, format="json").status_code


def test_removing_the_creator_revokes_their_tokens(
    world: World, admins_token: tuple[APIToken, APIClient], api_as: Callable[[str], APIClient]
) -> None:
    token, client = admins_token

    assert api_as("owner").delete(_admin_membership_url(world)).status_code == 204

    assert client.get(f"{API}/members/").json() == REFUSED
    assert _new_admin_member(client, world) == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    revoked = AuditEvent.objects.get(action="token.revoke", target_id=str(token.pk))
    assert revoked.actor == world.owner
    assert revoked.detail == {"reason": "its creator was removed from the organization"}


def test_restricting_the_creator_revokes_their_tokens(
    world: World, admins_token: tuple[APIToken, APIClient], api_as: Callable[[str], APIClient]
) -> None:
    token, client = admins_token
    body = {"role": "viewer", "sites": [str(world.site_a1.public_id)]}

    assert api_as("owner").patch(_admin_membership_url(world), body, format="json").status_code == 200

    assert client.get(f"{API}/cameras/").status_code == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.get(action="token.revoke", target_id=str(token.pk)).detail == {
        "reason": "its creator's access changed"
    }


def test_demoting_the_creator_narrows_their_tokens(
    world: World, admins_token: tuple[APIToken, APIClient], api_as: Callable[[str], APIClient]
) -> None:
    token, client = admins_token

    assert api_as("owner").patch(_admin_membership_url(world), {"role": "operator"}, format="json").status_code == 200

    assert client.get(f"{API}/members/").json()["results"] == []  # operators see no member list
    assert _new_admin_member(client, world) == 403
    assert client.get(f"{API}/cameras/").status_code == 200
    assert client.get(f"{API}/organizations/").json()["results"][0]["role"] == "operator"
    token.refresh_from_db()
    assert (token.role, token.revoked_at) == ("operator", None)
    narrowed = AuditEvent.objects.get(action="token.narrow", target_id=str(token.pk))
    assert narrowed.detail == {"old_role": "admin", "role": "operator", "reason": "its creator's access changed"}


def test_deactivating_the_creator_in_the_django_admin_revokes_their_tokens(
    world: World, admins_token: tuple[APIToken, APIClient], client_for: Callable[[User], Client]
) -> None:
    token, client = admins_token
    root = User.objects.create_superuser(email="root@platform.example.test", password=world.password)
    admin = world.admin
    form = {"username": admin.username, "email": admin.email, "first_name": "", "last_name": "",
            "is_staff": "on", "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00",
            "initial-date_joined_0": "2024-01-01", "initial-date_joined_1": "00:00:00"}  # is_active left off

    response = client_for(root).post(f"/admin/accounts/user/{admin.pk}/change/", form)

    assert response.status_code == 302, response.content.decode()[-2000:]
    admin.refresh_from_db()
    assert not admin.is_active
    assert client.get(f"{API}/members/").json() == REFUSED
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.get(action="token.revoke", target_id=str(token.pk)).detail == {
        "reason": "its creator's account was deactivated"
    }


def test_a_deactivation_that_skips_the_services_is_caught_when_the_token_is_used(
    world: World, admins_token: tuple[APIToken, APIClient]
) -> None:
    token, client = admins_token
    User.objects.filter(pk=world.admin.pk).update(is_active=False)  # no signals, no services

    assert client.get(f"{API}/members/").json() == REFUSED
    assert _new_admin_member(client, world) == 401
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="token.revoke", target_id=str(token.pk)).count() == 1


def test_a_token_below_its_creators_role_is_left_alone(
    world: World, api_as: Callable[[str], APIClient], admin_api: APIClient
) -> None:
    body = {"organization": world.org_a.pk, "name": "Reader", "role": "viewer"}
    created = admin_api.post(f"{API}/tokens/", body, format="json").json()

    api_as("owner").patch(_admin_membership_url(world), {"role": "operator"}, format="json")

    assert token_client(created["key"]).get(f"{API}/cameras/").status_code == 200
    assert not AuditEvent.objects.filter(action__in=["token.revoke", "token.narrow"]).exists()
