"""Dashboard, site and camera pages: flows, hostile sources and credential secrecy."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from cameras.models import Camera, CameraStatus, Site
from tests.conftest import World
from tests.support.factories import make_camera, make_site

# --- dashboard ------------------------------------------------------------------


@pytest.mark.sqlite
def test_dashboard_lists_sites_cameras_and_status_counts(world: World, client_for: Callable) -> None:
    Camera.objects.filter(pk=world.camera_a1.pk).update(status=CameraStatus.ONLINE)
    Camera.objects.filter(pk=world.camera_a2.pk).update(status=CameraStatus.OFFLINE)

    response = client_for(world.viewer).get(reverse("dashboard"))

    body = response.content.decode()
    assert response.context["camera_count"] == 3
    assert {status.value: n for status, n in response.context["status_counts"]} == {
        "online": 1, "offline": 1, "unknown": 1,
    }
    for camera in world.cameras_a:
        assert camera.name in body
        assert reverse("camera_detail", args=[camera.public_id]) in body
    assert 'class="badge badge-online"' in body and 'class="badge badge-offline"' in body
    assert world.camera_b.name not in body


def test_restricted_viewer_dashboard_lists_only_their_site(world: World, client_for: Callable) -> None:
    response = client_for(world.restricted_viewer).get(reverse("dashboard"))

    body = response.content.decode()
    assert response.context["camera_count"] == 2
    assert world.camera_a1.name in body and world.camera_a1_sub.name in body
    assert world.camera_a2.name not in body
    assert world.site_a2.name not in body
    assert "Add camera" not in body


def test_empty_organization_tells_an_admin_how_to_start(world: World, client_for: Callable) -> None:
    Site.objects.filter(organization=world.org_b).delete()

    body = client_for(world.admin_b).get(reverse("dashboard")).content.decode()

    assert "Set up your first camera" in body
    assert reverse("site_create") in body


def test_empty_organization_tells_a_viewer_to_ask(world: World, client_for: Callable) -> None:
    Site.objects.filter(organization=world.org_a).delete()

    body = client_for(world.viewer).get(reverse("dashboard")).content.decode()

    assert "No cameras to show" in body
    assert reverse("site_create") not in body


def test_navigation_offers_manage_pages_only_to_managers(world: World, client_for: Callable) -> None:
    admin_body = client_for(world.admin).get(reverse("dashboard")).content.decode()
    viewer_body = client_for(world.viewer).get(reverse("dashboard")).content.decode()

    for name in ("member_list", "token_list", "audit_log", "organization_settings"):
        assert f'href="{reverse(name)}"' in admin_body
        assert f'href="{reverse(name)}"' not in viewer_body
    assert f'href="{reverse("admin:index")}"' in admin_body  # world.admin is staff
    assert f'href="{reverse("admin:index")}"' not in viewer_body
    assert 'action="/accounts/logout/"' in viewer_body


# --- sites --------------------------------------------------------------------------


def test_viewer_sees_sites_read_only(world: World, client_for: Callable) -> None:
    body = client_for(world.viewer).get(reverse("site_list")).content.decode()

    assert world.site_a1.name in body and world.site_a2.name in body
    assert reverse("site_edit", args=[world.site_a1.public_id]) not in body
    assert reverse("site_create") not in body


@pytest.mark.sqlite
def test_restricted_viewer_counts_only_visible_cameras(world: World, client_for: Callable) -> None:
    make_camera(world.site_a2, "Hidden extra")

    response = client_for(world.restricted_viewer).get(reverse("site_list"))

    assert [(site.name, site.camera_count) for site in response.context["sites"]] == [(world.site_a1.name, 2)]


def test_admin_creates_edits_and_deletes_a_site(world: World, client_for: Callable) -> None:
    client = client_for(world.admin)

    response = client.post(reverse("site_create"), {"name": "Car park", "address": "Level -2", "timezone": "UTC"})
    site = Site.objects.get(organization=world.org_a, name="Car park")
    assert response.status_code == 302
    response = client.post(reverse("site_edit", args=[site.public_id]), {"name": "Car park B", "timezone": "UTC"})
    assert response.status_code == 302
    site.refresh_from_db()
    assert site.name == "Car park B"
    assert client.get(reverse("site_delete", args=[site.public_id])).status_code == 200
    response = client.post(reverse("site_delete", args=[site.public_id]))

    assert response.status_code == 302
    assert not Site.objects.filter(pk=site.pk).exists()
    actions = list(AuditEvent.objects.filter(organization=world.org_a).values_list("action", flat=True))
    assert {"site.create", "site.update", "site.delete"} <= set(actions)


def test_site_form_shows_inline_errors(world: World, client_for: Callable) -> None:
    response = client_for(world.admin).post(
        reverse("site_create"), {"name": world.site_a1.name, "timezone": "Mars/Olympus"}
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "timezone" in errors
    assert Site.objects.filter(organization=world.org_a).count() == 2


def test_duplicate_site_name_is_an_inline_error(world: World, client_for: Callable) -> None:
    response = client_for(world.admin).post(reverse("site_create"), {"name": world.site_a1.name, "timezone": "UTC"})

    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_delete_site_confirm_page_counts_cameras(world: World, client_for: Callable) -> None:
    body = client_for(world.admin).get(reverse("site_delete", args=[world.site_a1.public_id])).content.decode()

    assert "2 cameras" in body


# --- cameras --------------------------------------------------------------------------

VALID = {
    "name": "Gate",
    "main_source": "rtsp://cam:Gate-Pass-77@192.168.10.5:554/stream1",
    "onvif_host": "",
    "onvif_port": 80,
    "enabled": "on",
}


def _camera_data(world: World, **overrides: object) -> dict:
    return {**VALID, "site": str(world.site_a1.public_id), **overrides}


def test_admin_adds_a_camera(world: World, client_for: Callable) -> None:
    response = client_for(world.admin).post(reverse("camera_create"), _camera_data(world))

    camera = Camera.objects.get(site=world.site_a1, name="Gate")
    assert response.status_code == 302
    assert response["Location"] == reverse("camera_detail", args=[camera.public_id])
    assert camera.main_source == VALID["main_source"]
    assert AuditEvent.objects.filter(action="camera.create", target_id=str(camera.public_id)).exists()


def test_camera_form_preselects_the_site_from_the_query(world: World, client_for: Callable) -> None:
    response = client_for(world.admin).get(reverse("camera_create") + f"?site={world.site_a2.public_id}")

    assert f'<option value="{world.site_a2.public_id}" selected>' in response.content.decode()


def test_camera_form_offers_only_sites_of_the_active_organization(world: World, client_for: Callable) -> None:
    from accounts.roles import Role
    from tests.support.factories import make_member

    make_member(world.admin, world.org_b, Role.ADMIN)

    choices = client_for(world.admin).get(reverse("camera_create")).context["form"].fields["site"].queryset

    assert set(choices) == {world.site_a1, world.site_a2}


def test_camera_page_without_sites_points_to_site_creation(world: World, client_for: Callable) -> None:
    Site.objects.filter(organization=world.org_b).delete()

    body = client_for(world.admin_b).get(reverse("camera_create")).content.decode()

    assert "Add a site first" in body


GATEWAY_HOST = "gw-1.internal.example"

HOSTILE_SOURCES = [
    ("exec", "exec:ls"),
    ("exec with args", "exec:ffmpeg -i /etc/passwd"),
    ("echo", "echo:rtsp://10.0.0.1/x"),
    ("expr", "expr:let x = 1"),
    ("ffmpeg", "ffmpeg:rtsp://10.0.0.1/x#video=copy"),
    ("v4l2", "v4l2:device?video=/dev/video0"),
    ("alsa", "alsa:device?audio=0"),
    ("http", "http://192.168.1.20/snapshot.jpg"),
    ("file path", "/etc/passwd"),
    ("file url", "file:///etc/passwd"),
    ("hash options", "rtsp://192.168.1.20/stream#backchannel=1"),
    ("whitespace", "rtsp://192.168.1.20/stream -vf x"),
    ("newline", "rtsp://192.168.1.20/stream\nexec:ls"),
    ("control char", "rtsp://192.168.1.20/str\x00eam"),
    ("overlong", "rtsp://192.168.1.20/" + "a" * 1100),
    ("loopback ip", "rtsp://127.0.0.1:8554/other"),
    ("localhost", "rtsp://localhost:8554/other"),
    ("ipv6 loopback", "rtsp://[::1]:8554/other"),
    ("gateway host", f"rtsp://{GATEWAY_HOST}:8554/other-tenant-camera"),
]


@pytest.mark.parametrize("source", [s for _, s in HOSTILE_SOURCES], ids=[label for label, _ in HOSTILE_SOURCES])
@pytest.mark.parametrize("field", ["main_source", "sub_source"])
def test_hostile_source_is_an_inline_error_and_creates_nothing(
    world: World, client_for: Callable, settings: object, source: str, field: str
) -> None:
    settings.GO2RTC_API_URL = f"http://{GATEWAY_HOST}:1984"
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = []
    before = Camera.objects.count()

    response = client_for(world.admin).post(reverse("camera_create"), _camera_data(world, **{field: source}))

    assert response.status_code == 200
    assert response.context["form"].errors.get(field), response.context["form"].errors
    assert 'class="field-errors"' in response.content.decode()
    assert Camera.objects.count() == before


@pytest.mark.parametrize("source", ["exec:ls", "rtsp://127.0.0.1/x", "rtsp://192.168.1.20/s#x"])
def test_hostile_source_on_edit_keeps_the_stored_source(world: World, client_for: Callable, source: str) -> None:
    stored = world.camera_a1.main_source
    data = _camera_data(world, name=world.camera_a1.name, main_source=source)

    response = client_for(world.admin).post(reverse("camera_edit", args=[world.camera_a1.public_id]), data)

    assert response.status_code == 200
    assert "main_source" in response.context["form"].errors
    world.camera_a1.refresh_from_db()
    assert world.camera_a1.main_source == stored


def test_duplicate_camera_name_is_an_inline_error(world: World, client_for: Callable) -> None:
    response = client_for(world.admin).post(reverse("camera_create"), _camera_data(world, name=world.camera_a1.name))

    assert response.status_code == 200
    assert "already exists" in str(response.context["form"].errors["name"])
    assert Camera.objects.filter(site=world.site_a1, name=world.camera_a1.name).count() == 1


def test_edit_keeps_secrets_left_blank_and_moves_site(world: World, client_for: Callable) -> None:
    camera = world.camera_a1
    camera.onvif_host, camera.onvif_username, camera.onvif_password = "192.168.1.64", "ptzuser", "ptz-Secret-9"
    camera.save()
    data = {"name": "Entrance (moved)", "site": str(world.site_a2.public_id), "main_source": "",
            "onvif_host": "192.168.1.64", "onvif_port": 80, "onvif_username": "", "onvif_password": "",
            "enabled": "on"}

    response = client_for(world.admin).post(reverse("camera_edit", args=[camera.public_id]), data)

    assert response.status_code == 302
    camera.refresh_from_db()
    assert (camera.name, camera.site_id) == ("Entrance (moved)", world.site_a2.pk)
    assert camera.main_source == "rtsp://admin:Secr3tPass@192.168.1.64:554/Streaming/Channels/101"
    assert (camera.onvif_username, camera.onvif_password) == ("ptzuser", "ptz-Secret-9")


def test_admin_deletes_a_camera_after_confirming(world: World, client_for: Callable) -> None:
    client = client_for(world.admin)
    url = reverse("camera_delete", args=[world.camera_a2.public_id])

    assert "cannot be undone" in client.get(url).content.decode()
    response = client.post(url)

    assert response.status_code == 302
    assert not Camera.objects.filter(pk=world.camera_a2.pk).exists()


def test_camera_detail_shows_masked_source_to_managers_only(world: World, client_for: Callable) -> None:
    url = reverse("camera_detail", args=[world.camera_a1.public_id])

    admin_body = client_for(world.admin).get(url).content.decode()
    viewer_body = client_for(world.viewer).get(url).content.decode()

    assert "rtsp://***@192.168.1.64:554/Streaming/Channels/101" in admin_body
    assert "192.168.1.64" not in viewer_body
    assert world.camera_a1.name in viewer_body
    assert reverse("camera_edit", args=[world.camera_a1.public_id]) not in viewer_body


# --- credentials never leave the server -----------------------------------------------

LEAKY_USER = "zz-cam-user-7Q"
LEAKY_PASSWORD = "zz-Pa55-w0rd-XK"
LEAKY_ONVIF_USER = "zz-onvif-user-3M"
LEAKY_ONVIF_PASSWORD = "zz-onvif-Pa55-9R"
SECRETS = (LEAKY_USER, LEAKY_PASSWORD, LEAKY_ONVIF_USER, LEAKY_ONVIF_PASSWORD)


def _pages_about(camera: Camera, world: World) -> list[str]:
    return [
        reverse("dashboard"),
        reverse("site_list"),
        reverse("camera_detail", args=[camera.public_id]),
        reverse("camera_edit", args=[camera.public_id]),
        reverse("camera_delete", args=[camera.public_id]),
        reverse("site_edit", args=[camera.site.public_id]),
        reverse("site_delete", args=[camera.site.public_id]),
        reverse("member_list"),
        reverse("member_edit", args=[world.membership(world.viewer).pk]),
        reverse("member_add"),
        reverse("token_list"),
        reverse("audit_log"),
        reverse("organization_settings"),
        reverse("camera_create"),
        reverse("mfa_index"),
    ]


def _assert_no_secret(client: Client, urls: list[str]) -> None:
    for url in urls:
        response = client.get(url)
        assert response.status_code in {200, 403, 404}, url
        body = response.content.decode()
        for secret in SECRETS:
            assert secret not in body, f"{secret} leaked on {url}"


def test_camera_credentials_never_appear_on_any_page(world: World, client_for: Callable) -> None:
    admin = client_for(world.admin)
    source = f"rtsp://{LEAKY_USER}:{LEAKY_PASSWORD}@192.168.7.7:554/live?user={LEAKY_USER}&password={LEAKY_PASSWORD}"
    create = {**VALID, "name": "Vault", "site": str(world.site_a2.public_id), "main_source": source,
              "sub_source": source.replace("/live", "/sub"), "onvif_host": "192.168.7.7",
              "onvif_username": LEAKY_ONVIF_USER, "onvif_password": LEAKY_ONVIF_PASSWORD}
    assert admin.post(reverse("camera_create"), create).status_code == 302
    camera = Camera.objects.get(name="Vault")
    edit = {**create, "name": "Vault 2", "main_source": "", "sub_source": "", "onvif_username": "",
            "onvif_password": ""}
    assert admin.post(reverse("camera_edit", args=[camera.public_id]), edit).status_code == 302
    camera.refresh_from_db()
    assert camera.onvif_password == LEAKY_ONVIF_PASSWORD  # kept, not blanked

    for role in ("owner", "admin", "operator", "viewer", "restricted_viewer", "admin_b"):
        _assert_no_secret(client_for(getattr(world, role)), _pages_about(camera, world))


def test_edit_form_with_errors_does_not_echo_stored_secrets(world: World, client_for: Callable) -> None:
    camera = make_camera(make_site(world.org_a, "Secret site"), "Vault",
                         main_source=f"rtsp://{LEAKY_USER}:{LEAKY_PASSWORD}@192.168.7.7/live",
                         onvif_host="192.168.7.7", onvif_username=LEAKY_ONVIF_USER,
                         onvif_password=LEAKY_ONVIF_PASSWORD)
    data = {"name": "", "site": str(camera.site.public_id), "onvif_host": "192.168.7.7", "onvif_port": 80}

    response = client_for(world.admin).post(reverse("camera_edit", args=[camera.public_id]), data)

    assert response.status_code == 200
    for secret in SECRETS:
        assert secret not in response.content.decode()
