"""API token pages: the key is shown once, revoking is a POST."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from accounts.models import APIToken, hash_token_key
from accounts.roles import Role
from tests.conftest import World


def test_created_key_is_shown_once_and_works_as_the_stored_hash(world: World, client_for: Callable) -> None:
    client = client_for(world.admin)

    response = client.post(reverse("token_create"), {"name": "VMS", "role": Role.OPERATOR})

    assert response.status_code == 200
    key = response.context["key"]
    token = APIToken.objects.get(organization=world.org_a, name="VMS")
    assert token.key_hash == hash_token_key(key)
    assert key in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert 'data-copy-target="token-key"' in response.content.decode()
    listing = client.get(reverse("token_list")).content.decode()
    assert key not in listing
    assert f"cctv_{token.prefix}_" in listing


def test_token_list_shows_name_role_and_status(world: World, client_for: Callable) -> None:
    from accounts import services

    active, _ = services.create_token(world.owner, world.org_a, name="Active one", role=Role.VIEWER)
    revoked, _ = services.create_token(world.owner, world.org_a, name="Old one", role=Role.ADMIN)
    services.revoke_token(world.owner, revoked)
    services.create_token(world.admin_b, world.org_b, name="B token", role=Role.VIEWER)

    body = client_for(world.admin).get(reverse("token_list")).content.decode()

    assert "Active one" in body and "Old one" in body
    assert "Revoked" in body and "Never" in body
    assert "B token" not in body
    assert reverse("token_revoke", args=[active.pk]) in body
    assert reverse("token_revoke", args=[revoked.pk]) not in body


def test_token_form_errors_are_inline(world: World, client_for: Callable) -> None:
    response = client_for(world.admin).post(reverse("token_create"), {"name": "  ", "role": Role.OWNER})

    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "role"}
    assert not APIToken.objects.exists()


def test_revoke_token(world: World, client_for: Callable) -> None:
    from accounts import services

    token, _ = services.create_token(world.owner, world.org_a, name="CI", role=Role.VIEWER)

    response = client_for(world.admin).post(reverse("token_revoke", args=[token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert not token.is_active
