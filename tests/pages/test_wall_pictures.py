"""A live wall's pictures: rendering the grid starts fetching its tiles' missing pictures side by side,
one gateway fetch per camera, and the tiles' own requests then find them. The gateway is faked at its
client (Go2RTCClient.snapshot); the gate, the cache (Redis) and the database are real."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from django.urls import reverse

from cameras import snapshots
from cameras.go2rtc import Go2RTCClient
from cameras.models import Camera, Gateway
from cameras.streams import stream_name
from tests.conftest import World
from tests.media import wait_until

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0 a picture \xff\xd9"


@pytest.fixture
def gateway() -> Gateway:
    return Gateway.objects.create(name="gw", api_url="http://gw.internal:1984", rtsp_url="rtsp://gw.internal:8554")


class HeldGateway:
    """A gateway whose snapshots wait until released: shows which fetches are under way at once."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.asked: list[str] = []
        self.lock = threading.Lock()

    def snapshot(self, client: Go2RTCClient, stream: str) -> bytes:
        with self.lock:
            self.asked.append(stream)
        assert self.release.wait(10), "never released"
        return JPEG


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldGateway]:
    fake = HeldGateway()
    monkeypatch.setattr(Go2RTCClient, "snapshot", lambda client, stream: fake.snapshot(client, stream))
    yield fake
    fake.release.set()  # no pool thread is left waiting after the test


def _on(cameras: list[Camera], gateway: Gateway) -> list[Camera]:
    for camera in cameras:
        camera.gateway = gateway
        camera.save(update_fields=["gateway"])
    return cameras


def test_rendering_the_wall_fetches_its_missing_pictures_side_by_side(
    world: World, client_for: Callable, gateway: Gateway, held: HeldGateway
) -> None:
    cameras = _on([world.camera_a1, world.camera_a1_sub, world.camera_a2], gateway)
    client = client_for(world.viewer)

    assert client.get(reverse("live_grid"), {"layout": "3x3"}).status_code == 200
    # Every tile's fetch is under way at once, before any of them came back.
    assert wait_until(lambda: len(held.asked) == 3, timeout=10), held.asked
    held.release.set()

    for camera in cameras:
        response = client.get(reverse("camera_thumbnail", args=[camera.public_id]))
        assert (response.status_code, response.content) == (200, JPEG)
    # One gateway call per camera: the tiles' requests found the warmed pictures.
    expected = sorted(stream_name(c.public_id, snapshots.snapshot_variant(c)) for c in cameras)
    assert sorted(held.asked) == expected


def test_a_cached_picture_is_not_fetched_again_and_a_fetch_under_way_is_shared(
    world: World, gateway: Gateway, held: HeldGateway
) -> None:
    cached, missing = _on([world.camera_a1, world.camera_a2], gateway)
    held.release.set()
    assert snapshots.recent_snapshot(cached) == JPEG
    held.release.clear()
    held.asked.clear()

    assert snapshots.warm_recent([cached, missing]) == 1
    assert wait_until(lambda: len(held.asked) == 1, timeout=10)
    # Asked again while the gateway has not answered: the same fetch, not a second call.
    assert snapshots._shared_fetch(missing) is snapshots._shared_fetch(missing)
    held.release.set()
    assert snapshots._shared_fetch(missing).result(timeout=10) == JPEG
    assert held.asked == [stream_name(missing.public_id, snapshots.snapshot_variant(missing))]


def test_a_wall_warms_no_picture_of_a_camera_off_or_without_a_gateway(
    world: World, gateway: Gateway, held: HeldGateway
) -> None:
    off = _on([world.camera_a1], gateway)[0]
    off.enabled = False
    off.save(update_fields=["enabled"])
    assert snapshots.warm_recent([off, world.camera_a2]) == 0  # camera_a2 is on no gateway
    assert held.asked == []
