"""Camera CRUD over the API: through the services, with sites resolved through the gate."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from cameras.models import Camera, CameraStatus
from tests.api.conftest import API, rows, tenant_state
from tests.conftest import World
from tests.support.factories import make_camera

NEW_SOURCE = "rtsp://installer:N3wCam-pass@192.168.7.20:554/h264"


def test_admin_adds_a_camera_through_the_service(world: World, admin_api: APIClient) -> None:
    body = {"site": str(world.site_a2.public_id), "name": "Dock 2", "main_source": NEW_SOURCE, "enabled": False}

    response = admin_api.post(f"{API}/cameras/", body, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    camera = Camera.objects.get(public_id=data["id"])
    assert (camera.site, camera.name, camera.enabled) == (world.site_a2, "Dock 2", False)
    assert camera.main_source == NEW_SOURCE
    assert camera.gateway is not None  # only the service assigns a gateway
    assert data["main_source_display"] == "rtsp://***@192.168.7.20:554/h264"
    assert (data["site"], data["has_sub_stream"], data["status"]) == (str(world.site_a2.public_id), False, "unknown")
    event = AuditEvent.objects.get(action="camera.create")
    assert (event.organization, event.actor, event.ip_address) == (world.org_a, world.admin, "127.0.0.1")


@pytest.mark.parametrize(
    "site", ["b-site", str(uuid.uuid4()), "not-a-uuid", 12], ids=["foreign", "missing", "malformed", "int"]
)
def test_camera_on_a_site_the_caller_does_not_manage_is_refused_alike(
    site: str | int, world: World, admin_api: APIClient
) -> None:
    site_id = str(world.site_b.public_id) if site == "b-site" else site
    before = tenant_state()

    response = admin_api.post(
        f"{API}/cameras/", {"site": site_id, "name": "Sneaky", "main_source": NEW_SOURCE}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["site"] == ["No such site among those you can manage."]
    assert tenant_state() == before


def test_foreign_and_missing_sites_get_the_same_answer(world: World, admin_api: APIClient) -> None:
    def attempt(site_id: str) -> dict:
        body = {"site": site_id, "name": "Sneaky", "main_source": NEW_SOURCE}
        return admin_api.post(f"{API}/cameras/", body, format="json").json()

    assert attempt(str(world.site_b.public_id)) == attempt(str(uuid.uuid4()))


def test_admin_renames_a_camera_and_omitted_secrets_are_kept(world: World, admin_api: APIClient) -> None:
    camera = world.camera_a1_sub
    old_main, old_sub = camera.main_source, camera.sub_source

    response = admin_api.patch(f"{API}/cameras/{camera.public_id}/", {"name": "Front door"}, format="json")

    assert response.status_code == 200, response.content
    camera.refresh_from_db()
    assert (camera.name, camera.main_source, camera.sub_source) == ("Front door", old_main, old_sub)
    assert AuditEvent.objects.get(action="camera.update").detail["changed"] == ["name"]


def test_put_replaces_fields_but_keeps_secrets_not_sent(world: World, admin_api: APIClient) -> None:
    camera = world.camera_a1
    body = {"site": str(world.site_a1.public_id), "name": "Gate", "onvif_host": "192.168.1.64", "onvif_port": 8000}

    response = admin_api.put(f"{API}/cameras/{camera.public_id}/", body, format="json")

    assert response.status_code == 200, response.content
    camera.refresh_from_db()
    assert (camera.name, camera.onvif_host, camera.onvif_port) == ("Gate", "192.168.1.64", 8000)
    assert camera.main_source == world.camera_a1.main_source


def test_empty_sub_source_removes_the_sub_stream(world: World, admin_api: APIClient) -> None:
    camera = world.camera_a1_sub

    response = admin_api.patch(f"{API}/cameras/{camera.public_id}/", {"sub_source": ""}, format="json")

    assert response.json()["has_sub_stream"] is False
    camera.refresh_from_db()
    assert camera.sub_source == ""


def test_clearing_the_onvif_host_forgets_its_credentials(world: World, admin_api: APIClient) -> None:
    url = f"{API}/cameras/{world.camera_a1.public_id}/"
    admin_api.patch(url, {"onvif_host": "192.168.1.64", "onvif_username": "ptz", "onvif_password": "Ptz-pass"})

    response = admin_api.patch(url, {"onvif_host": ""}, format="json")

    assert response.json()["has_onvif_credentials"] is False
    world.camera_a1.refresh_from_db()
    assert (world.camera_a1.onvif_username, world.camera_a1.onvif_password) == ("", "")


def test_admin_moves_a_camera_to_another_site_of_theirs(world: World, admin_api: APIClient) -> None:
    url = f"{API}/cameras/{world.camera_a1.public_id}/"

    response = admin_api.patch(url, {"site": str(world.site_a2.public_id)}, format="json")

    assert response.json()["site"] == str(world.site_a2.public_id)
    world.camera_a1.refresh_from_db()
    assert world.camera_a1.site == world.site_a2


def test_camera_cannot_move_to_a_foreign_site(world: World, admin_api: APIClient) -> None:
    before = tenant_state()
    url = f"{API}/cameras/{world.camera_a1.public_id}/"

    response = admin_api.patch(url, {"site": str(world.site_b.public_id), "name": "Moved"}, format="json")

    assert response.status_code == 400
    assert response.json()["site"] == ["No such site among those you can manage."]
    assert tenant_state() == before


def test_duplicate_camera_name_on_a_site_is_a_field_error(world: World, admin_api: APIClient) -> None:
    body = {"site": str(world.site_a1.public_id), "name": world.camera_a1.name, "main_source": NEW_SOURCE}
    before = tenant_state()

    response = admin_api.post(f"{API}/cameras/", body, format="json")

    assert response.status_code == 400
    assert response.json()["name"] == ["A camera with this name already exists on this site."]
    assert tenant_state() == before


def test_admin_deletes_a_camera(world: World, admin_api: APIClient) -> None:
    response = admin_api.delete(f"{API}/cameras/{world.camera_a2.public_id}/")

    assert response.status_code == 204
    assert not Camera.objects.filter(pk=world.camera_a2.pk).exists()
    assert AuditEvent.objects.filter(action="camera.delete", target_id=str(world.camera_a2.public_id)).exists()


def test_operator_reads_cameras_but_cannot_edit_them(world: World, api_as: Callable[[str], APIClient]) -> None:
    client = api_as("operator")
    url = f"{API}/cameras/{world.camera_a1.public_id}/"

    assert client.get(url).json()["name"] == world.camera_a1.name
    refused = client.patch(url, {"name": "Mine"}, format="json")

    assert refused.status_code == 403
    assert refused.json() == {"detail": "Your role does not allow this."}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("site={site_a1}", {"A1 Entrance", "A1 Lobby"}),
        ("organization={org_a}", {"A1 Entrance", "A1 Lobby", "A2 Loading Bay", "A2 Off"}),
        ("organization={org_b}", set()),
        ("enabled=false", {"A2 Off"}),
        ("status=online", {"A1 Lobby"}),
        ("search=lobby", {"A1 Lobby"}),
    ],
)
def test_cameras_can_be_filtered(query: str, expected: set[str], world: World, admin_api: APIClient) -> None:
    Camera.objects.filter(pk=world.camera_a1_sub.pk).update(status=CameraStatus.ONLINE)
    make_camera(world.site_a2, "A2 Off", enabled=False)
    params = query.format(site_a1=world.site_a1.public_id, org_a=world.org_a.pk, org_b=world.org_b.pk)

    names = {row["name"] for row in rows(admin_api.get(f"{API}/cameras/?{params}"))}

    assert names == expected


@pytest.mark.parametrize(
    ("ordering", "expected"),
    [
        ("name", ["A1 Entrance", "A1 Lobby", "A2 Loading Bay"]),
        ("-name", ["A2 Loading Bay", "A1 Lobby", "A1 Entrance"]),
        ("-created_at", ["A2 Loading Bay", "A1 Lobby", "A1 Entrance"]),
    ],
)
def test_cameras_can_be_ordered(ordering: str, expected: list[str], world: World, admin_api: APIClient) -> None:
    names = [row["name"] for row in rows(admin_api.get(f"{API}/cameras/?ordering={ordering}"))]

    assert names == expected


def test_invalid_filter_value_is_a_400_not_a_500(world: World, admin_api: APIClient) -> None:
    for query in ("site=not-a-uuid", "status=exploded", "organization=abc"):
        response = admin_api.get(f"{API}/cameras/?{query}")
        assert response.status_code == 400, query
        assert response.json()["detail"]
