"""Site CRUD over the API."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from cameras.models import Camera, Site
from tests.api.conftest import API, rows, tenant_state
from tests.conftest import World


def test_admin_creates_a_site_in_their_organization(world: World, admin_api: APIClient) -> None:
    body = {"organization": world.org_a.pk, "name": "Car park", "address": "1 Quay St", "timezone": "Europe/Dublin"}

    response = admin_api.post(f"{API}/sites/", body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    site = Site.objects.get(public_id=data["id"])
    assert (site.organization, site.name, site.timezone) == (world.org_a, "Car park", "Europe/Dublin")
    assert (data["organization"], data["camera_count"]) == (world.org_a.pk, 0)
    assert AuditEvent.objects.filter(action="site.create", target_id=data["id"]).exists()


def test_foreign_and_missing_organizations_get_the_same_answer(world: World, admin_api: APIClient) -> None:
    before = tenant_state()

    foreign = admin_api.post(f"{API}/sites/", {"organization": world.org_b.pk, "name": "X"}, format="json")
    missing = admin_api.post(f"{API}/sites/", {"organization": 987654, "name": "X"}, format="json")

    assert foreign.status_code == missing.status_code == 400
    assert foreign.json() == missing.json()
    assert foreign.json()["organization"] == ["No such organization among those you can manage."]
    assert tenant_state() == before


def test_site_cannot_move_to_another_organization(world: World, admin_api: APIClient) -> None:
    url = f"{API}/sites/{world.site_a1.public_id}/"

    response = admin_api.patch(url, {"organization": world.org_b.pk, "name": "Head Office"}, format="json")

    assert response.json()["organization"] == world.org_a.pk
    world.site_a1.refresh_from_db()
    assert (world.site_a1.organization, world.site_a1.name) == (world.org_a, "Head Office")


def test_site_fields_are_validated(world: World, admin_api: APIClient) -> None:
    before = tenant_state()

    clash = admin_api.post(f"{API}/sites/", {"organization": world.org_a.pk, "name": world.site_a2.name})
    bad_zone = admin_api.patch(f"{API}/sites/{world.site_a1.public_id}/", {"timezone": "Mars/Olympus"})

    assert clash.json()["name"] == ["A site with this name already exists in this organization."]
    assert bad_zone.json()["timezone"] == ["Choose a time zone such as Europe/Paris or UTC."]
    assert tenant_state() == before


def test_deleting_a_site_deletes_its_cameras(world: World, admin_api: APIClient) -> None:
    response = admin_api.delete(f"{API}/sites/{world.site_a1.public_id}/")

    assert response.status_code == 204
    assert not Camera.objects.filter(site_id=world.site_a1.pk).exists()
    assert AuditEvent.objects.get(action="site.delete").detail == {"cameras_deleted": 2}


@pytest.mark.sqlite
def test_site_list_counts_cameras_and_filters_by_organization(world: World, api_as: Callable[[str], APIClient]) -> None:
    sites = rows(api_as("viewer").get(f"{API}/sites/?organization={world.org_a.pk}&ordering=name"))

    assert [(site["name"], site["camera_count"]) for site in sites] == [("A Head Office", 2), ("A Warehouse", 1)]
