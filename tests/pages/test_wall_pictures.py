"""A live wall's pictures: its tiles show a camera's picture only when one is cached (``recent.jpg``), and
never ask the gateway for new ones (a hundred cold snapshots at once slowed the wall's video down); a
picture being fetched is fetched once for every viewer. The gateway is faked at its client
(Go2RTCClient.snapshot); the gate, the cache (Redis) and the database are real."""

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
from tests.support.waiting import wait_until

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


def test_the_walls_tiles_get_a_cached_picture_or_nothing_and_never_ask_the_gateway(
    world: World, client_for: Callable, gateway: Gateway, held: HeldGateway
) -> None:
    cached, missing = _on([world.camera_a1, world.camera_a2], gateway)
    held.release.set()
    assert snapshots.recent_snapshot(cached) == JPEG  # the dashboard took it a moment ago
    held.asked.clear()
    client = client_for(world.viewer)

    assert client.get(reverse("live_grid"), {"layout": "3x3"}).status_code == 200
    answers = [client.get(reverse("camera_recent_picture", args=[c.public_id])) for c in (cached, missing)]

    assert (answers[0].status_code, answers[0].content) == (200, JPEG)
    assert (answers[1].status_code, answers[1].content) == (204, b"")
    assert held.asked == []  # neither the page nor the tiles asked the gateway
    foreign = client_for(world.admin_b).get(reverse("camera_recent_picture", args=[cached.public_id]))
    assert foreign.status_code == 404


def test_a_cached_picture_is_not_fetched_again_and_a_fetch_under_way_is_shared(
    world: World, gateway: Gateway, held: HeldGateway
) -> None:
    cached, missing = _on([world.camera_a1, world.camera_a2], gateway)
    held.release.set()
    assert snapshots.recent_snapshot(cached) == JPEG
    held.release.clear()
    held.asked.clear()

    assert snapshots.recent_snapshot(cached) == JPEG and held.asked == []
    # Asked twice while the gateway has not answered: the same fetch, not a second call.
    assert snapshots._shared_fetch(missing) is snapshots._shared_fetch(missing)
    wait_until(lambda: len(held.asked) == 1, timeout=10)
    held.release.set()
    assert snapshots._shared_fetch(missing).result(timeout=10) == JPEG
    assert held.asked == [stream_name(missing.public_id, snapshots.snapshot_variant(missing))]
