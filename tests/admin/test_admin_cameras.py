"""Camera and site admin: writes through cameras.services, write-only credentials."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from accounts.models import AuditEvent, User
from cameras.models import Camera, Gateway, Site
from tests.admin.conftest import CREDENTIALS
from tests.conftest import World

ADD_URL = reverse("admin:cameras_camera_add")
GOOD_SOURCE = "rtsp://cam:N3wPass-x1@10.0.3.40:554/live"

HOSTILE_SOURCES = {
    "exec": "exec:/bin/sh",
    "echo": "echo:rtsp://10.0.0.5/x",
    "expr": "expr:1",
    "ffmpeg": "ffmpeg:rtsp://10.0.0.5/x",
    "v4l2": "v4l2:/dev/video0",
    "alsa": "alsa:hw:0",
    "http": "http://10.0.0.5/video.mjpeg",
    "bare path": "/dev/video0",
    "hash option": "rtsp://10.0.0.5/stream#backchannel=1",
    "space": "rtsp://10.0.0.5/str eam",
    "tab": "rtsp://10.0.0.5/stream\tx",
    "control char": "rtsp://10.0.0.5/stream\x1b",
    "overlong": "rtsp://10.0.0.5/" + "a" * 1100,
    "loopback": "rtsp://127.0.0.1:8554/cam",
    "localhost": "rtsp://localhost/cam",
    "ipv6 loopback": "rtsp://[::1]/cam",
    "gateway host": "rtsp://gw1.internal:8554/cam",
}


def change_url(camera: Camera) -> str:
    return reverse("admin:cameras_camera_change", args=[camera.pk])


def camera_data(site: Site, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": "New Camera",
        "site": site.pk,
        "enabled": "on",
        "main_source": "",
        "sub_source": "",
        "onvif_host": "",
        "onvif_port": 80,
        "onvif_username": "",
        "onvif_password": "",
    }
    return {**data, **overrides}


def written_events() -> list[str]:
    """Audit actions other than the logins the test clients cause."""
    return list(AuditEvent.objects.exclude(action__startswith="auth.").values_list("action", flat=True))


def form_errors(response: Any) -> dict[str, list[str]]:
    return response.context["adminform"].form.errors


def test_admin_adds_a_camera_through_the_service(world: World, admin_a: Client) -> None:
    response = admin_a.post(ADD_URL, camera_data(world.site_a1, main_source=GOOD_SOURCE))

    assert response.status_code == 302
    camera = Camera.objects.get(name="New Camera")
    assert (camera.site, camera.main_source) == (world.site_a1, GOOD_SOURCE)
    assert camera.gateway is not None  # the service places it on a gateway
    event = AuditEvent.objects.get(action="camera.create")
    assert (event.actor, event.organization, event.target_id) == (world.admin, world.org_a, str(camera.public_id))
    assert event.ip_address == "127.0.0.1"


def test_camera_cannot_be_added_to_another_tenants_site(world: World, admin_a: Client) -> None:
    response = admin_a.post(ADD_URL, camera_data(world.site_b, main_source=GOOD_SOURCE))

    assert response.status_code == 200
    assert "site" in form_errors(response)
    assert not Camera.objects.filter(name="New Camera").exists()
    assert "B Depot" not in response.content.decode()


def test_camera_cannot_be_moved_to_another_tenants_site(world: World, admin_a: Client) -> None:
    data = camera_data(world.site_b, name=world.camera_a1.name)

    response = admin_a.post(change_url(world.camera_a1), data)

    assert response.status_code == 200
    assert "site" in form_errors(response)
    world.camera_a1.refresh_from_db()
    assert world.camera_a1.site == world.site_a1
    assert not written_events()


@override_settings(GO2RTC_API_URL="http://gw1.internal:1984", GO2RTC_RTSP_URL="rtsp://gw1.internal:8554")
@pytest.mark.parametrize("source", HOSTILE_SOURCES.values(), ids=HOSTILE_SOURCES.keys())
def test_hostile_source_is_refused_on_add(world: World, admin_a: Client, source: str) -> None:
    response = admin_a.post(ADD_URL, camera_data(world.site_a1, main_source=source))

    assert response.status_code == 200
    assert form_errors(response)["main_source"]
    assert not Camera.objects.filter(name="New Camera").exists()
    assert not written_events()


@override_settings(GO2RTC_API_URL="http://gw1.internal:1984", GO2RTC_RTSP_URL="rtsp://gw1.internal:8554")
@pytest.mark.parametrize("field", ["main_source", "sub_source"])
@pytest.mark.parametrize("source", HOSTILE_SOURCES.values(), ids=HOSTILE_SOURCES.keys())
def test_hostile_source_is_refused_on_change(world: World, admin_a: Client, source: str, field: str) -> None:
    camera = world.camera_a1_sub
    before = (camera.name, camera.main_source, camera.sub_source)

    response = admin_a.post(change_url(camera), camera_data(camera.site, name="Renamed", **{field: source}))

    assert response.status_code == 200
    assert form_errors(response)[field]
    camera.refresh_from_db()
    assert (camera.name, camera.main_source, camera.sub_source) == before
    assert not written_events()


def _pages_of(client: Client, camera: Camera) -> dict[str, str]:
    urls = {
        "changelist": reverse("admin:cameras_camera_changelist"),
        "change": change_url(camera),
        "delete": reverse("admin:cameras_camera_delete", args=[camera.pk]),
        "history": reverse("admin:cameras_camera_history", args=[camera.pk]),
    }
    pages = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        pages[name] = response.content.decode()
    return pages


@pytest.mark.parametrize("who", ["org_admin", "superuser"])
def test_credentials_never_appear_in_admin_pages(
    world: World, onvif_camera: Camera, superuser: User, client_for: Callable[[User], Client], who: str
) -> None:
    client = client_for(world.admin if who == "org_admin" else superuser)

    pages = _pages_of(client, onvif_camera)
    rejected = client.post(change_url(onvif_camera), camera_data(
        onvif_camera.site, name="", main_source="http://leak:Posted-Pw9@10.0.0.1/x", onvif_password="Posted-Pw9",
    ))
    pages["rejected post"] = rejected.content.decode()
    search = client.get(reverse("admin:cameras_camera_changelist"), {"q": "Secr3tPass"})

    assert "rtsp://***@10.0.2.30:554/main" in pages["change"]  # the masked source is shown
    assert search.context["cl"].result_count == 0  # secrets are not searchable either
    form = client.get(change_url(onvif_camera)).context["adminform"].form
    assert not set(form.initial) & {"main_source", "sub_source", "onvif_username", "onvif_password"}
    for name, body in pages.items():
        for secret in (*CREDENTIALS, "Posted-Pw9"):
            assert secret not in body, f"{secret} in {name}"


def test_blank_secrets_keep_the_stored_values(world: World, onvif_camera: Camera, admin_a: Client) -> None:
    data = camera_data(onvif_camera.site, name="A2 PTZ Dome renamed", onvif_host="10.0.2.30")

    response = admin_a.post(change_url(onvif_camera), data)

    assert response.status_code == 302
    camera = Camera.objects.get(pk=onvif_camera.pk)
    assert camera.name == "A2 PTZ Dome renamed"
    assert (camera.main_source, camera.sub_source) == (onvif_camera.main_source, onvif_camera.sub_source)
    assert (camera.onvif_username, camera.onvif_password) == ("onvif-user-Q7x", "OnvifPass-Z9k")


def test_change_is_audited_naming_secret_fields_without_values(
    world: World, onvif_camera: Camera, admin_a: Client
) -> None:
    data = camera_data(
        onvif_camera.site, name=onvif_camera.name, main_source=GOOD_SOURCE, remove_sub_source="on",
        onvif_host="10.0.2.30", onvif_password="Fresh-Pw-77",
    )

    response = admin_a.post(change_url(onvif_camera), data)

    assert response.status_code == 302
    camera = Camera.objects.get(pk=onvif_camera.pk)
    assert (camera.main_source, camera.sub_source, camera.onvif_password) == (GOOD_SOURCE, "", "Fresh-Pw-77")
    event = AuditEvent.objects.get(action="camera.update")
    assert (event.actor, event.organization) == (world.admin, world.org_a)
    assert event.detail["changed"] == ["main_source", "onvif_password", "sub_source"]
    assert "N3wPass" not in str(event.detail) and "Fresh-Pw" not in str(event.detail)


def test_delete_goes_through_the_service(world: World, admin_a: Client) -> None:
    response = admin_a.post(reverse("admin:cameras_camera_delete", args=[world.camera_a1.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Camera.objects.filter(pk=world.camera_a1.pk).exists()
    event = AuditEvent.objects.get(action="camera.delete")
    assert (event.actor, event.organization, event.target_label) == (world.admin, world.org_a, "A1 Entrance")


def test_org_admin_cannot_choose_a_gateway(world: World, admin_a: Client) -> None:
    other = Gateway.objects.create(name="gw-2", api_url="http://gw2.internal:1984")
    camera = world.camera_a1
    data = camera_data(camera.site, name=camera.name, gateway=other.pk)

    page = admin_a.get(change_url(camera)).content.decode()
    response = admin_a.post(change_url(camera), data)

    assert 'name="gateway"' not in page
    assert response.status_code == 302
    camera.refresh_from_db()
    assert camera.gateway_id != other.pk


def test_superuser_moves_a_camera_to_another_gateway(world: World, superuser: User, client_for: Callable) -> None:
    other = Gateway.objects.create(name="gw-2", api_url="http://gw2.internal:1984")
    camera = world.camera_a1
    data = camera_data(camera.site, name=camera.name, gateway=other.pk)

    response = client_for(superuser).post(change_url(camera), data)

    assert response.status_code == 302
    camera.refresh_from_db()
    assert camera.gateway == other
    assert AuditEvent.objects.filter(action="camera.move_gateway", target_id=str(camera.public_id)).exists()


def test_admin_adds_a_site_only_in_own_organization(world: World, admin_a: Client) -> None:
    url = reverse("admin:cameras_site_add")
    data = {"name": "A Car Park", "address": "", "timezone": "Europe/Paris"}

    foreign = admin_a.post(url, {**data, "organization": world.org_b.pk})
    own = admin_a.post(url, {**data, "organization": world.org_a.pk})

    assert foreign.status_code == 200 and "organization" in form_errors(foreign)
    assert own.status_code == 302
    assert list(Site.objects.filter(name="A Car Park").values_list("organization", flat=True)) == [world.org_a.pk]
    assert AuditEvent.objects.filter(action="site.create", organization=world.org_a).count() == 1


def test_duplicate_site_name_is_a_form_error(world: World, admin_a: Client) -> None:
    url = reverse("admin:cameras_site_change", args=[world.site_a2.pk])

    response = admin_a.post(url, {"name": world.site_a1.name, "address": "", "timezone": "UTC"})

    assert response.status_code == 200
    assert "name" in form_errors(response)
    world.site_a2.refresh_from_db()
    assert world.site_a2.name == "A Warehouse"


def test_site_delete_goes_through_the_service(world: World, admin_a: Client) -> None:
    response = admin_a.post(reverse("admin:cameras_site_delete", args=[world.site_a2.pk]), {"post": "yes"})

    assert response.status_code == 302
    assert not Site.objects.filter(pk=world.site_a2.pk).exists()
    event = AuditEvent.objects.get(action="site.delete")
    assert (event.organization, event.detail["cameras_deleted"]) == (world.org_a, 1)


def test_gateway_password_is_write_only(superuser: User, client_for: Callable[[User], Client]) -> None:
    gateway = Gateway.objects.create(name="gw-9", api_url="http://gw9.internal:1984", api_password="Gw-Secret-55")
    client = client_for(superuser)
    url = reverse("admin:cameras_gateway_change", args=[gateway.pk])
    data = {"name": "gw-9", "enabled": "on", "api_url": gateway.api_url, "api_username": "portal",
            "api_password": "", "rtsp_url": "", "webrtc_address": ""}

    page = client.get(url).content.decode()
    response = client.post(url, data)

    assert "Gw-Secret-55" not in page
    assert response.status_code == 302
    gateway.refresh_from_db()
    assert (gateway.api_username, gateway.api_password) == ("portal", "Gw-Secret-55")
