"""Hostile camera sources are refused by the API on create and on update; LAN cameras are accepted."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from cameras.models import Camera
from tests.api.conftest import API, tenant_state
from tests.conftest import World

HOSTILE_SOURCES = {
    "exec": "exec:ffmpeg -re -i /dev/video0 -f rtsp {output}",
    "exec no space": "exec:/bin/sh",
    "echo": "echo:rtsp://192.168.1.10/stream",
    "expr": "expr:let x = 1",
    "ffmpeg": "ffmpeg:rtsp://192.168.1.10/stream#video=copy",
    "ffmpeg device": "ffmpeg:device?video=0",
    "v4l2": "v4l2:device?video=/dev/video0",
    "alsa": "alsa:device?audio=0",
    "http": "http://192.168.1.10/snapshot.cgi",
    "file": "file:///etc/passwd",
    "device path": "/dev/video0",
    "bare path": "recordings/cam1.mp4",
    "no scheme host": "192.168.1.10:554/stream",
    "fragment option": "rtsp://h/x#backchannel=1",
    "space": "rtsp://192.168.1.10/a b",
    "leading space": " rtsp://192.168.1.10/live",
    "trailing newline": "rtsp://192.168.1.10/live\n",
    "inner newline": "rtsp://192.168.1.10/live\nexec:/bin/sh",
    "tab": "rtsp://192.168.1.10/live\tx",
    "carriage return": "rtsp://192.168.1.10/live\r",
    "nul": "rtsp://192.168.1.10/live\x00",
    "bell": "rtsp://192.168.1.10/live\x07",
    "escape": "rtsp://192.168.1.10/live\x1b[2J",
    "delete char": "rtsp://192.168.1.10/live\x7f",
    "non-ascii": "rtsp://192.168.1.10/caméra",
    "2000 chars": "rtsp://192.168.1.10/" + "a" * 2000,
    "loopback": "rtsp://127.0.0.1/x",
    "loopback other": "rtsp://127.8.9.1/x",
    "localhost": "rtsp://localhost/x",
    "localhost subdomain": "rtsp://cam.localhost/x",
    "ipv6 loopback": "rtsp://[::1]/x",
    "ipv4-mapped loopback": "rtsp://[::ffff:127.0.0.1]/x",
    "unspecified": "rtsp://0.0.0.0/x",
    "decimal loopback": "rtsp://2130706433/x",
    "hex loopback": "rtsp://0x7f000001/x",
    "short loopback": "rtsp://127.1/x",
    "no host": "rtsp:///x",
    "trailing-dot localhost": "rtsp://localhost./x",
    "localhost.localdomain": "rtsp://localhost.localdomain/x",
    "percent-encoded host": "rtsp://%6cocalhost/x",
    "link-local with zone": "rtsp://[fe80::1%25lo]/x",
    "name resolving to loopback": "rtsp://rebind.example/x",
    "gateway stream alias": "rtsp://10.0.0.5/%63am-0123456789abcdef0123456789abcdef-main",
    "no slashes": "rtsp:192.168.1.10/x",
    "empty": "",
}

LAN_SOURCES = [
    "rtsp://admin:Pa55word@192.168.1.64:554/Streaming/Channels/101",
    "rtsp://10.0.0.5/live",
    "rtsp://172.16.4.2:8554/cam",
    "rtsp://camera-01.site.lan/stream1",
    "rtsps://cam.example.com:322/live?channel=1",
]




@pytest.fixture(autouse=True)
def _dns(fake_dns: Callable[[dict[str, list[str]]], None]) -> None:
    fake_dns({"camera-01.site.lan": ["192.168.1.31"], "cam.example.com": ["198.51.100.20"],
              "rebind.example": ["127.0.0.1"]})


# An empty sub stream means "none", so it is no hostile case there.
CASES = [
    pytest.param(field, source, id=f"{field}-{name}")
    for field in ("main_source", "sub_source")
    for name, source in HOSTILE_SOURCES.items()
    if source or field == "main_source"
]


def gateway_sources() -> list[str]:
    hosts = {urlsplit(url).netloc for url in (settings.GO2RTC_RTSP_URL, settings.GO2RTC_API_URL)}
    return [f"rtsp://{host}/cam" for host in sorted(hosts)]


def create_body(world: World, **fields: str) -> dict[str, str]:
    return {"site": str(world.site_a1.public_id), "name": "Hostile", "main_source": "rtsp://192.168.1.9/s", **fields}


def assert_refused(response: object, field: str, value: str) -> None:
    assert response.status_code == 400, response.content  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert body["detail"]
    assert body[field] and all(message.strip() for message in body[field])
    if len(value) > 8:
        assert value not in response.content.decode()  # type: ignore[attr-defined]


@pytest.mark.parametrize(("field", "source"), CASES)
def test_hostile_source_is_refused_on_create(field: str, source: str, world: World, admin_api: APIClient) -> None:
    before = tenant_state()

    response = admin_api.post(f"{API}/cameras/", create_body(world, **{field: source}), format="json")

    assert_refused(response, field, source)
    assert tenant_state() == before


@pytest.mark.parametrize(("field", "source"), CASES)
def test_hostile_source_is_refused_on_update(field: str, source: str, world: World, admin_api: APIClient) -> None:
    before = tenant_state()

    url = f"{API}/cameras/{world.camera_a1.public_id}/"
    response = admin_api.patch(url, {"name": "Renamed", field: source}, format="json")

    assert_refused(response, field, source)
    assert tenant_state() == before


def test_source_pointing_at_the_gateway_is_refused(world: World, admin_api: APIClient, settings: object) -> None:
    settings.GO2RTC_API_URL = "http://go2rtc.internal:1984"  # type: ignore[attr-defined]
    settings.GO2RTC_RTSP_URL = "rtsp://go2rtc.internal:8554"  # type: ignore[attr-defined]
    before = tenant_state()

    for source in ["rtsp://go2rtc.internal:8554/cam", "rtsp://GO2RTC.internal/other", *gateway_sources()]:
        created = admin_api.post(f"{API}/cameras/", create_body(world, main_source=source), format="json")
        url = f"{API}/cameras/{world.camera_a1.public_id}/"
        updated = admin_api.patch(url, {"main_source": source}, format="json")
        assert_refused(created, "main_source", source)
        assert_refused(updated, "main_source", source)

    assert tenant_state() == before


@pytest.mark.parametrize("source", LAN_SOURCES)
def test_lan_camera_source_is_accepted(source: str, world: World, admin_api: APIClient) -> None:
    response = admin_api.post(f"{API}/cameras/", create_body(world, main_source=source), format="json")

    assert response.status_code == 201, response.content
    camera = Camera.objects.get(public_id=response.json()["id"])
    assert camera.main_source == source


@pytest.mark.parametrize("source", LAN_SOURCES)
def test_lan_camera_source_is_accepted_on_update(source: str, world: World, admin_api: APIClient) -> None:
    response = admin_api.patch(f"{API}/cameras/{world.camera_a1.public_id}/", {"sub_source": source}, format="json")

    assert response.status_code == 200, response.content
    world.camera_a1.refresh_from_db()
    assert world.camera_a1.sub_source == source
