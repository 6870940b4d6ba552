"""Camera credentials go in through the API and never come out; the database holds ciphertext."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

import pytest
from django.db import connection
from rest_framework.test import APIClient

from cameras.models import Camera
from tests.api.conftest import API
from tests.conftest import World

SECRETS = ["zqUserLeak41", "zqPassLeak77", "zqSubPass93", "zqOnvifUser12", "zqOnvifPass58"]
MAIN = "rtsp://zqUserLeak41:zqPassLeak77@192.168.50.10:554/main"
SUB = "rtsp://viewer:zqSubPass93@192.168.50.10:554/sub?password=zqSubPass93"


@pytest.fixture
def secret_camera(world: World, api_as: Callable[[str], APIClient]) -> tuple[Camera, list[bytes]]:
    """A camera created and changed through the API; returns it with every response body seen."""
    client = api_as("admin")
    body = {
        "site": str(world.site_a1.public_id), "name": "Vault", "main_source": MAIN, "sub_source": SUB,
        "onvif_host": "192.168.50.10", "onvif_username": "zqOnvifUser12", "onvif_password": "zqOnvifPass58",
    }  # fmt: skip
    created = client.post(f"{API}/cameras/", body, format="json")
    assert created.status_code == 201, created.content
    url = f"{API}/cameras/{created.json()['id']}/"
    patched = client.patch(url, {"name": "Vault 2", "onvif_password": "zqOnvifPass58"}, format="json")
    put = client.put(url, {**body, "name": "Vault 3"}, format="json")
    assert (patched.status_code, put.status_code) == (200, 200)
    return Camera.objects.get(public_id=created.json()["id"]), [created.content, patched.content, put.content]


def every_read(client: APIClient, camera: Camera) -> list[bytes]:
    urls = [f"{API}/{kind}/" for kind in ("organizations", "sites", "cameras", "members", "tokens", "audit-events")]
    urls += [f"{API}/cameras/{camera.public_id}/", f"{API}/sites/{camera.site.public_id}/", f"{API}/"]
    urls += [f"{API}/audit-events/?target_type=camera", "/api/schema/", "/api/schema/?format=json"]
    responses = [client.get(url) for url in urls]
    assert all(response.status_code == 200 for response in responses), [r.status_code for r in responses]
    return [response.content for response in responses]


def leaked(bodies: list[bytes]) -> list[str]:
    text = b"\n".join(bodies).decode()
    return [secret for secret in SECRETS if secret in text or quote(secret) in text]


def test_no_api_response_contains_a_camera_credential(
    secret_camera: tuple[Camera, list[bytes]], api_as: Callable[[str], APIClient]
) -> None:
    camera, write_bodies = secret_camera

    bodies = write_bodies + every_read(api_as("admin"), camera) + every_read(api_as("token_admin"), camera)

    assert leaked(bodies) == []


def test_responses_show_masked_sources_and_flags(
    secret_camera: tuple[Camera, list[bytes]], api_as: Callable[[str], APIClient]
) -> None:
    data = api_as("admin").get(f"{API}/cameras/{secret_camera[0].public_id}/").json()

    assert data["main_source_display"] == "rtsp://***@192.168.50.10:554/main"
    assert data["sub_source_display"] == "rtsp://***@192.168.50.10:554/sub?password=***"
    assert (data["has_sub_stream"], data["has_onvif_credentials"]) == (True, True)
    assert not {"main_source", "sub_source", "onvif_username", "onvif_password"} & set(data)


def test_credentials_are_stored_encrypted(secret_camera: tuple[Camera, list[bytes]]) -> None:
    camera, _ = secret_camera
    columns = "main_source, sub_source, onvif_username, onvif_password"

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM cameras_camera WHERE id = %s", [camera.pk])  # noqa: S608
        stored = cursor.fetchone()

    assert all(stored) and leaked([value.encode() for value in stored]) == []
    assert (camera.main_source, camera.onvif_password) == (MAIN, "zqOnvifPass58")


def test_audit_trail_names_changed_secret_fields_without_values(
    secret_camera: tuple[Camera, list[bytes]], api_as: Callable[[str], APIClient]
) -> None:
    events = api_as("admin").get(f"{API}/audit-events/?action=camera.update").json()["results"]

    assert {"name"} <= set(events[-1]["detail"]["changed"])
    assert leaked([str(event).encode() for event in events]) == []
