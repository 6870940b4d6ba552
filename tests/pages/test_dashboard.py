"""The dashboard: a recent picture per camera (permission-checked, cached a minute), foldable sites,
a search box, offline cameras first."""

from __future__ import annotations

from collections.abc import Callable
from unittest import mock

import pytest
from django.urls import reverse

from cameras.go2rtc import Go2RTCClient, Go2RTCError
from cameras.models import Camera, CameraStatus, Gateway
from cameras.streams import stream_name
from tests.conftest import World
from tests.support.factories import make_camera

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0 a picture \xff\xd9"


@pytest.fixture
def gateway() -> Gateway:
    return Gateway.objects.create(name="gw", api_url="http://gw.internal:1984", rtsp_url="rtsp://gw.internal:8554")


def _on(camera: Camera, gateway: Gateway) -> Camera:
    camera.gateway = gateway
    camera.save(update_fields=["gateway"])
    return camera


def _thumbnail(client: object, camera: Camera) -> object:
    return client.get(reverse("camera_thumbnail", args=[camera.public_id]))  # type: ignore[attr-defined]


def _dashboard(client: object) -> str:
    response = client.get(reverse("dashboard"))  # type: ignore[attr-defined]
    assert response.status_code == 200
    return response.content.decode()


# --- the page ------------------------------------------------------------------------------------------


def test_cameras_on_a_gateway_show_a_lazy_picture_others_a_placeholder(
    world: World, client_for: Callable, gateway: Gateway
) -> None:
    _on(world.camera_a1, gateway)
    page = _dashboard(client_for(world.viewer))
    url = reverse("camera_thumbnail", args=[world.camera_a1.public_id])
    assert f'<img src="{url}" alt="Recent picture of {world.camera_a1.name}" loading="lazy"' in page
    assert reverse("camera_thumbnail", args=[world.camera_a2.public_id]) not in page  # not on a gateway yet
    assert "js/dashboard.js" in page


def test_sites_fold_and_a_search_box_finds_cameras_by_name(world: World, client_for: Callable) -> None:
    page = _dashboard(client_for(world.viewer))
    assert page.count('<details class="card site-block" open') == 2
    assert '<summary class="site-summary">' in page
    assert 'type="search"' in page and "data-camera-search" in page and "data-camera-offline-only" in page
    for camera in world.cameras_a:
        assert f'data-camera-name="{camera.name}"' in page


def test_offline_cameras_come_first_in_their_site_and_the_site_says_how_many(
    world: World, client_for: Callable
) -> None:
    first = make_camera(world.site_a1, name="AAA lobby", status=CameraStatus.ONLINE)
    last = make_camera(world.site_a1, name="ZZZ dock", status=CameraStatus.OFFLINE)
    page = _dashboard(client_for(world.viewer))
    assert page.index(f'data-camera-name="{last.name}"') < page.index(f'data-camera-name="{first.name}"')
    site = page[page.index(f'data-site="{world.site_a1.public_id}"'):page.index("</summary>")]
    assert "1 offline" in site


# --- the picture ---------------------------------------------------------------------------------------


def test_the_picture_is_the_sub_stream_cached_for_a_minute_for_everyone(
    world: World, client_for: Callable, gateway: Gateway
) -> None:
    camera = _on(world.camera_a1_sub, gateway)
    with mock.patch.object(Go2RTCClient, "snapshot", autospec=True, return_value=JPEG) as snapshot:
        first = _thumbnail(client_for(world.viewer), camera)
        again = _thumbnail(client_for(world.restricted_viewer), camera)
    assert (first.status_code, first["Content-Type"], first.content) == (200, "image/jpeg", JPEG)
    assert first["Cache-Control"] == "private, max-age=60"
    assert again.content == JPEG
    assert snapshot.call_count == 1
    assert snapshot.call_args.args[1] == stream_name(camera.public_id, "sub")


@pytest.mark.parametrize("who", ["outsider", "admin_b", "restricted_viewer"])
def test_a_camera_out_of_scope_has_no_picture_even_when_cached(
    world: World, client_for: Callable, gateway: Gateway, who: str
) -> None:
    camera = _on(world.camera_a2, gateway)
    with mock.patch.object(Go2RTCClient, "snapshot", autospec=True, return_value=JPEG) as snapshot:
        assert _thumbnail(client_for(world.viewer), camera).status_code == 200
        response = _thumbnail(client_for(getattr(world, who)), camera)
    assert response.status_code == 404
    assert JPEG not in response.content
    assert snapshot.call_count == 1


def test_a_failure_is_a_short_503_and_is_not_retried_within_the_minute(
    world: World, client_for: Callable, gateway: Gateway
) -> None:
    camera = _on(world.camera_a1, gateway)
    failure = Go2RTCError("gateway unreachable: http://gw.internal:1984 refused", retryable=True)
    with mock.patch.object(Go2RTCClient, "snapshot", autospec=True, side_effect=failure) as snapshot:
        first = _thumbnail(client_for(world.viewer), camera)
        again = _thumbnail(client_for(world.viewer), camera)
    assert (first.status_code, again.status_code) == (503, 503)
    assert "gw.internal" not in first.content.decode() and first["Cache-Control"] == "private, no-store"
    assert snapshot.call_count == 1


def test_a_switched_off_camera_has_no_picture(world: World, client_for: Callable, gateway: Gateway) -> None:
    camera = _on(world.camera_a1, gateway)
    camera.enabled = False
    camera.save(update_fields=["enabled"])
    with mock.patch.object(Go2RTCClient, "snapshot", autospec=True, return_value=JPEG) as snapshot:
        assert _thumbnail(client_for(world.viewer), camera).status_code == 503
    snapshot.assert_not_called()


def test_the_picture_needs_a_login_and_a_get(world: World, client, client_for: Callable) -> None:  # type: ignore[no-untyped-def]
    response = _thumbnail(client, world.camera_a1)
    assert response.status_code == 302 and "login" in response["Location"]
    url = reverse("camera_thumbnail", args=[world.camera_a1.public_id])
    assert client_for(world.viewer).post(url).status_code == 405
