"""Shared pieces of the page tests: who acts, and a fingerprint of tenant data."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.test import Client

from accounts.models import APIToken, Membership, Organization
from cameras.models import Camera, Site

if TYPE_CHECKING:
    from tests.conftest import World

A_ROLES = ("owner", "admin", "operator", "viewer", "restricted_viewer")
ALL_ROLES = (*A_ROLES, "admin_b", "outsider", "anonymous")


def client_as(world: World, client_for: Callable, role: str) -> Client:
    """A test client logged in as ``world.<role>``; ``anonymous`` is not logged in."""
    return Client() if role == "anonymous" else client_for(getattr(world, role))


def tenant_state() -> tuple:
    """Everything a page could change, to assert that a refused request changed nothing."""
    return (
        list(Organization.objects.order_by("pk").values_list("pk", "name", "require_mfa")),
        list(Site.objects.order_by("pk").values_list("pk", "organization_id", "name", "address", "timezone")),
        [
            (c.pk, c.site_id, c.name, c.main_source, c.sub_source, c.onvif_host, c.onvif_username,
             c.onvif_password, c.enabled)
            for c in Camera.objects.order_by("pk")
        ],
        [
            (m.pk, m.user_id, m.organization_id, m.role, sorted(m.sites.values_list("pk", flat=True)),
             sorted(m.cameras.values_list("pk", flat=True)))
            for m in Membership.objects.order_by("pk")
        ],
        list(APIToken.objects.order_by("pk").values_list("pk", "organization_id", "name", "role", "revoked_at")),
    )
