"""Motion detection end to end: scene camera -> go2rtc -> motion worker (PyAV + detector) -> events."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from recordings import storage
from recordings.models import DeliveryStatus, MotionEvent, NotificationDelivery
from recordings.motion import leases
from recordings.notifications import rules, webhooks
from signaling.routing import websocket_urlpatterns
from tests.recordings.motion_live.conftest import Watched, arm
from tests.support.motion_scene import background, lights_up
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

LEFT_HALF = [[[0, 0], [0.5, 0], [0.5, 1], [0, 1]]]


def _events(camera) -> list[MotionEvent]:  # type: ignore[no-untyped-def]
    return list(MotionEvent.objects.filter(camera=camera).order_by("started_at"))


def _holder(camera) -> str | None:  # type: ignore[no-untyped-def]
    return leases.holders([camera.pk])[camera.pk]


def _watching(*cameras) -> bool:  # type: ignore[no-untyped-def]
    return all(_holder(camera) for camera in cameras)


def _logs(*servers) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(server.log_text()[-2500:] for server in servers)


def _settle(seconds: float = 3.0) -> None:
    """Give a fresh watch time to connect and learn the still background."""
    time.sleep(seconds)


async def _open_stream(user) -> WebsocketCommunicator:  # type: ignore[no-untyped-def]
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/events/")
    communicator.scope["user"] = user
    assert (await communicator.connect())[0]
    return communicator


async def _next_alert(communicator: WebsocketCommunicator, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        message = await communicator.receive_json_from(timeout=max(deadline - time.monotonic(), 0.1))
        if message["type"] == "motion.alert":
            return message
    raise TimeoutError


async def test_walk_past_is_one_event_with_snapshot_pushed_to_viewers_only(  # type: ignore[no-untyped-def]
    watched: Watched, scene_camera, motion_workers, beat_and_worker
) -> None:
    camera = await sync_to_async(arm)(watched, "scene1")
    worker = motion_workers("m1")
    assert await sync_to_async(wait_until)(lambda: _watching(camera), timeout=30), _logs(worker, beat_and_worker)
    await asyncio.sleep(3)
    viewer, outsider = await _open_stream(watched.viewer), await _open_stream(watched.outsider)

    walked_at = time.monotonic()
    walker = threading.Thread(target=scene_camera.walk, args=("scene1",), kwargs={"seconds": 3})
    walker.start()
    try:
        alert = await _next_alert(viewer, timeout=20)
    except TimeoutError:
        pytest.fail(f"no alert reached the viewer:\n{_logs(worker, beat_and_worker)}")
    alert_delay = time.monotonic() - walked_at
    walker.join()

    event = await sync_to_async(MotionEvent.objects.get)(public_id=alert["event"])
    assert alert["camera"] == str(camera.public_id) and alert["camera_name"] == "Scene1"
    assert alert["snapshot_url"].endswith(f"/alerts/{event.public_id}/snapshot.jpg")
    # The toast's links and the zone its time is read in reach the page through the socket's field list.
    assert alert["camera_url"] == f"/cameras/{camera.public_id}/?event={event.public_id}"
    assert alert["play_url"] == f"/cameras/{camera.public_id}/timeline/?event={event.public_id}"
    assert alert["site_timezone"]
    assert "rtsp" not in str(alert) and "127.0.0.1" not in str(alert)
    assert alert_delay < 10, alert_delay  # generous: a loaded CI machine; the bench measures real latency
    assert await outsider.receive_nothing(timeout=1)

    # One walk is one event: it closes after the quiet period and no second one opens.
    closed = await sync_to_async(wait_until)(lambda: not _events(camera)[-1].is_open, timeout=20)
    assert closed, _logs(worker)
    events = await sync_to_async(_events)(camera)
    assert len(events) == 1, [(e.started_at, e.ended_at, e.peak_score) for e in events]
    event = events[0]
    assert event.peak_score > 0 and event.boxes and event.ended_at > event.started_at
    with storage.clip_storage().open(event.snapshot.name, "rb") as handle:
        assert handle.read(3) == b"\xff\xd8\xff"  # a JPEG
    for communicator in (viewer, outsider):
        await communicator.disconnect()


def test_masked_motion_and_a_lighting_jump_raise_nothing(  # type: ignore[no-untyped-def]
    watched: Watched, scene_camera, motion_workers, beat_and_worker
) -> None:
    plain = arm(watched, "scene2")
    masked = arm(watched, "scene3", masks=LEFT_HALF)
    lit = arm(watched, "scene4")
    worker = motion_workers("m1")
    wait_until(lambda: _watching(plain, masked, lit), timeout=30, otherwise=lambda: _logs(worker, beat_and_worker))
    _settle()

    walks = [
        threading.Thread(target=scene_camera.walk, args=(name,), kwargs={"start": 0.1, "end": 0.35, "seconds": 3})
        for name in ("scene2", "scene3")
    ]
    for walk in walks:
        walk.start()
    scene_camera.show("scene4", lights_up(background()))
    for walk in walks:
        walk.join()

    wait_until(lambda: _events(plain), timeout=15, otherwise=lambda: _logs(worker))  # the same walk, unmasked, is seen
    time.sleep(4)
    assert _events(masked) == []
    assert _events(lit) == []
    scene_camera.show("scene4", background())


def test_a_dead_workers_cameras_are_taken_over_and_new_workers_get_a_share(  # type: ignore[no-untyped-def]
    watched: Watched, scene_camera, motion_workers, beat_and_worker
) -> None:
    cameras = [arm(watched, name) for name in scene_camera.names]
    first = motion_workers("m1", CCTV_MOTION_SESSION_SECONDS="8")
    wait_until(lambda: _watching(*cameras), timeout=30, otherwise=lambda: _logs(first, beat_and_worker))

    second = motion_workers("m2", CCTV_MOTION_SESSION_SECONDS="8")
    # Watches end after their session and are dispatched afresh: the new worker takes its share.
    wait_until(lambda: {_holder(c) for c in cameras} == {"m1@test", "m2@test"}, timeout=60, interval=0.5,
               otherwise=lambda: ({c.name: _holder(c) for c in cameras}, _logs(first, second)))

    os.kill(first.process.pid, signal.SIGKILL)  # no goodbye: its leases simply stop being renewed
    first.process.wait(timeout=10)
    killed_at = time.monotonic()
    wait_until(lambda: {_holder(c) for c in cameras} == {"m2@test"}, timeout=30, interval=0.5,
               otherwise=lambda: ({c.name: _holder(c) for c in cameras}, _logs(second, beat_and_worker)))
    assert time.monotonic() - killed_at <= 30


class _Receiver(BaseHTTPRequestHandler):
    received: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802  (http.server's naming)
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.received.append((dict(self.headers), body))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


def test_an_alert_reaches_a_webhook_with_a_valid_signature(  # type: ignore[no-untyped-def]
    watched: Watched, scene_camera, motion_workers, beat_and_worker
) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        org = watched.cameras["scene1"].site.organization
        webhook, secret = rules.create_webhook(
            watched.admin, org, name="Control room", url=f"http://127.0.0.1:{server.server_port}/hook"
        )
        rules.create_rule(watched.admin, org, personal=False, name="All to control room",
                                       channel="webhook", webhook=webhook.public_id)
        camera = arm(watched, "scene1")
        worker = motion_workers("m1")
        wait_until(lambda: _watching(camera), timeout=30, otherwise=lambda: _logs(worker, beat_and_worker))
        _settle()

        scene_camera.walk("scene1", seconds=3)

        wait_until(lambda: _Receiver.received, timeout=30, otherwise=lambda: _logs(worker, beat_and_worker))
    finally:
        server.shutdown()
    headers, body = _Receiver.received[0]
    assert headers["X-CCTV-Event"] == "motion.alert"
    assert webhooks.verify(secret, headers["X-CCTV-Timestamp"], body, headers["X-CCTV-Signature"])
    assert not webhooks.verify("another secret", headers["X-CCTV-Timestamp"], body, headers["X-CCTV-Signature"])
    payload = json.loads(body)
    event = MotionEvent.objects.get(camera=camera)
    assert str(event.public_id) in body.decode()
    assert "rtsp" not in body.decode() and payload
    delivery = NotificationDelivery.objects.get(event=event)
    assert delivery.status == DeliveryStatus.DELIVERED and delivery.response_code == 204
