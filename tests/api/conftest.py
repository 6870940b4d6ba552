"""API fixtures: a REST client per kind of caller, API tokens, and a DB snapshot.

Callers are named as in ``world`` (``owner``, ``admin``, ``operator``, ``viewer``,
``restricted_viewer``, ``admin_b``, ``outsider``), plus ``anonymous`` and three
API tokens: ``token_viewer`` and ``token_admin`` of Org A, ``token_b`` (admin) of Org B.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from rest_framework.test import APIClient

from accounts import services
from accounts.models import APIToken, AuditEvent, Membership, Organization
from accounts.roles import Role
from cameras.models import Camera, Site
from tests.conftest import World

API = "/api/v1"


@dataclass
class Tokens:
    viewer: APIToken
    admin: APIToken
    b: APIToken
    keys: dict[str, str]


@pytest.fixture
def tokens(world: World) -> Tokens:
    viewer, viewer_key = services.create_token(world.owner, world.org_a, name="A reader", role=Role.VIEWER)
    admin, admin_key = services.create_token(world.owner, world.org_a, name="A integration", role=Role.ADMIN)
    b, b_key = services.create_token(world.admin_b, world.org_b, name="B integration", role=Role.ADMIN)
    keys = {"token_viewer": viewer_key, "token_admin": admin_key, "token_b": b_key}
    return Tokens(viewer=viewer, admin=admin, b=b, keys=keys)


def token_client(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.fixture
def api_as(world: World, tokens: Tokens) -> Callable[[str], APIClient]:
    """``api_as("viewer")`` -> a REST client acting as that caller (session login or token)."""

    def build(who: str) -> APIClient:
        if who in tokens.keys:
            return token_client(tokens.keys[who])
        client = APIClient()
        if who != "anonymous":
            client.force_login(getattr(world, who))
        return client

    return build


@pytest.fixture
def admin_api(api_as: Callable[[str], APIClient]) -> APIClient:
    """Org A's admin, signed in with a session."""
    return api_as("admin")


def rows(response: Any) -> list[dict[str, Any]]:
    """The result rows of a (paginated) list response, after checking it succeeded."""
    assert response.status_code == 200, response.content
    return response.json()["results"]


def tenant_state() -> dict[str, list]:
    """Everything an API write could change, to prove a refused request changed nothing."""
    return {
        "organizations": list(Organization.objects.order_by("pk").values_list("pk", "name", "require_mfa")),
        "sites": list(Site.objects.order_by("pk").values_list("pk", "organization_id", "name", "address", "timezone")),
        "cameras": list(
            Camera.objects.order_by("pk").values_list(
                "pk",
                "site_id",
                "name",
                "main_source",
                "sub_source",
                "onvif_host",
                "onvif_port",
                "onvif_username",
                "onvif_password",
                "enabled",
                "updated_at",
            )
        ),  # fmt: skip
        "members": list(Membership.objects.order_by("pk").values_list("pk", "user_id", "organization_id", "role")),
        "member_sites": list(Membership.sites.through.objects.order_by("pk").values_list("membership_id", "site_id")),
        "tokens": list(APIToken.objects.order_by("pk").values_list("pk", "name", "role", "revoked_at")),
        "audit_events": list(AuditEvent.objects.order_by("pk").values_list("pk", flat=True)),
    }
