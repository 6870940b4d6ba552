"""API tokens: shown once, stored hashed, usable, revocable, and no token breeds tokens."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import APIToken, AuditEvent, hash_token_key
from tests.api.conftest import API, Tokens, rows, tenant_state, token_client
from tests.conftest import World


@pytest.fixture
def created(world: World, api_as: Callable[[str], APIClient]) -> dict:
    body = {"organization": world.org_a.pk, "name": "NVR bridge", "role": "viewer"}
    response = api_as("admin").post(f"{API}/tokens/", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_created_token_shows_its_key_once_and_stores_only_a_hash(
    created: dict, world: World, api_as: Callable[[str], APIClient]
) -> None:
    key = created["key"]
    token = APIToken.objects.get(pk=created["id"])

    assert key.startswith(f"cctv_{token.prefix}_") and len(key) > 40
    assert token.key_hash == hash_token_key(key) and key not in token.key_hash
    listed = api_as("admin").get(f"{API}/tokens/")
    detail = api_as("admin").get(f"{API}/tokens/{token.pk}/")
    assert key not in listed.content.decode() + detail.content.decode()
    assert "key" not in detail.json()
    assert (created["role"], created["organization"]) == ("viewer", world.org_a.pk)
    assert created["created_by"] == world.admin.email


def test_token_key_authenticates_with_its_role(created: dict, world: World) -> None:
    client = token_client(created["key"])

    organizations = rows(client.get(f"{API}/organizations/"))

    assert [(org["id"], org["role"]) for org in organizations] == [(world.org_a.pk, "viewer")]


def test_using_a_token_records_when_it_was_last_used(created: dict) -> None:
    assert APIToken.objects.get(pk=created["id"]).last_used_at is None

    token_client(created["key"]).get(f"{API}/cameras/")

    assert APIToken.objects.get(pk=created["id"]).last_used_at is not None


def test_deleting_a_token_revokes_it(created: dict, api_as: Callable[[str], APIClient]) -> None:
    response = api_as("admin").delete(f"{API}/tokens/{created['id']}/")

    assert response.status_code == 204
    token = APIToken.objects.get(pk=created["id"])
    assert token.revoked_at is not None
    refused = token_client(created["key"]).get(f"{API}/cameras/")
    assert refused.status_code == 401
    assert refused.json() == {"detail": "The API token is not valid or has been revoked."}


def test_revoke_action_returns_the_revoked_token(created: dict, api_as: Callable[[str], APIClient]) -> None:
    response = api_as("owner").post(f"{API}/tokens/{created['id']}/revoke/")

    assert response.status_code == 200
    assert (response.json()["is_active"], bool(response.json()["revoked_at"])) == (False, True)
    assert token_client(created["key"]).get(f"{API}/organizations/").status_code == 401


def test_revoked_tokens_stay_listed_and_can_be_filtered_out(
    created: dict, tokens: Tokens, api_as: Callable[[str], APIClient]
) -> None:
    client = api_as("admin")
    client.delete(f"{API}/tokens/{created['id']}/")

    everything = {row["id"] for row in rows(client.get(f"{API}/tokens/"))}
    active = {row["id"] for row in rows(client.get(f"{API}/tokens/?active=true"))}

    assert created["id"] in everything - active
    assert {tokens.viewer.pk, tokens.admin.pk} <= active


@pytest.mark.parametrize("who", ["token_admin", "token_viewer"])
def test_a_token_cannot_create_tokens(who: str, world: World, api_as: Callable[[str], APIClient]) -> None:
    client = api_as(who)
    before = tenant_state()

    response = client.post(f"{API}/tokens/", {"organization": world.org_a.pk, "name": "Child", "role": "admin"})

    assert response.status_code == 403
    assert response.json()["detail"]
    assert tenant_state() == before


def test_admin_token_manages_cameras_of_its_organization(world: World, api_as: Callable[[str], APIClient]) -> None:
    body = {"site": str(world.site_a1.public_id), "name": "Via token", "main_source": "rtsp://10.1.1.1/s"}

    response = api_as("token_admin").post(f"{API}/cameras/", body, format="json")

    assert response.status_code == 201
    assert AuditEvent.objects.get(action="camera.create").actor_label.startswith("API token A integration")


def test_admin_token_cannot_reach_another_organization(world: World, api_as: Callable[[str], APIClient]) -> None:
    client = api_as("token_admin")
    before = tenant_state()

    site = client.post(f"{API}/sites/", {"organization": world.org_b.pk, "name": "Intrusion"}, format="json")
    camera = client.post(
        f"{API}/cameras/", {"site": str(world.site_b.public_id), "name": "X", "main_source": "rtsp://10.1.1.1/s"}
    )

    assert (site.status_code, camera.status_code) == (400, 400)
    assert site.json()["organization"] == ["No such organization among those you can manage."]
    assert tenant_state() == before


@pytest.mark.parametrize("role", ["owner", "superuser", ""])
def test_token_role_must_be_a_token_role(role: str, world: World, api_as: Callable[[str], APIClient]) -> None:
    response = api_as("owner").post(f"{API}/tokens/", {"organization": world.org_a.pk, "name": "T", "role": role})

    assert response.status_code == 400
    assert response.json()["role"]


@pytest.mark.parametrize(
    "header", ["Token", "Token a b", "Token not-a-real-key", "Token cctv_00000000_forged", "token \xff"]
)
def test_bad_token_headers_are_401(header: str, world: World) -> None:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(f"{API}/cameras/")

    assert response.status_code == 401
    assert response.json()["detail"]
