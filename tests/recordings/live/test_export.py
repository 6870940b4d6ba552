"""Clip exports end to end: camera simulator -> go2rtc -> ffmpeg stream copy on a real worker -> storage."""

from __future__ import annotations

import asyncio
import hashlib
import os
import time
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from cameras import services, sync
from recordings import storage
from recordings.clips import retention, tasks
from recordings.clips import services as exports
from recordings.models import Clip, ClipStatus, MotionEvent
from signaling.routing import websocket_urlpatterns
from tests.recordings.helpers import make_clip
from tests.recordings.live.fixtures import Scene, ffprobe
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _status(clip: Clip) -> str:
    return Clip.objects.get(pk=clip.pk).status


def _wait_done(clip: Clip, worker, timeout: float = 90) -> Clip:  # type: ignore[no-untyped-def]
    wait_until(lambda: _status(clip) in (ClipStatus.READY, ClipStatus.FAILED), timeout=timeout,
               what="the clip ready or failed",
               otherwise=lambda: f"clip still {_status(clip)}:\n{worker.log_text()[-3000:]}")
    return Clip.objects.get(pk=clip.pk)


def _api(user) -> APIClient:  # type: ignore[no-untyped-def]
    client = APIClient()
    client.force_login(user)
    return client


def test_five_second_clip_is_an_untouched_copy_of_the_camera(scene: Scene, celery_worker) -> None:  # type: ignore[no-untyped-def]
    response = _api(scene.operator).post("/api/v1/clips/", {"camera": str(scene.camera.public_id), "duration": 5},
                                         format="json")
    assert response.status_code == 201, response.content
    clip = _wait_done(Clip.objects.get(public_id=response.json()["id"]), celery_worker)

    assert clip.status == ClipStatus.READY, clip.reason
    path = storage.clip_storage().path(clip.file.name)
    probe = ffprobe(path)
    video = next(s for s in probe["streams"] if s["codec_type"] == "video")
    assert "mp4" in probe["format"]["format_name"]
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 640, 360)  # stream copy, not re-encoded
    assert abs(float(probe["format"]["duration"]) - 5) <= 1
    with open(path, "rb") as handle:
        data = handle.read()
    assert (clip.size, clip.sha256) == (len(data), hashlib.sha256(data).hexdigest())
    assert clip.started_at is not None and clip.finished_at is not None
    assert not list(storage.temp_dir().glob("*.partial.mp4"))  # nothing half-written left behind

    url = f"/clips/{clip.public_id}/download/"
    outsider = Client()
    outsider.force_login(scene.outsider)
    assert outsider.get(url).status_code == 404
    viewer = Client()
    viewer.force_login(scene.viewer)
    download = viewer.get(url)
    assert download.status_code == 200
    assert hashlib.sha256(b"".join(download.streaming_content)).hexdigest() == clip.sha256


def test_viewer_without_export_cannot_request_a_clip(scene: Scene) -> None:
    response = _api(scene.viewer).post("/api/v1/clips/", {"camera": str(scene.camera.public_id), "duration": 5},
                                       format="json")
    assert response.status_code == 403
    assert not Clip.objects.exists()


def test_broken_camera_source_fails_the_clip_with_a_reason(scene: Scene, camera_sim, celery_worker) -> None:  # type: ignore[no-untyped-def]
    broken = services.create_camera(scene.admin, scene.camera.site, name="Broken",
                                    main_source=camera_sim.source("missing"))
    sync.push_camera(broken)

    clip = _wait_done(exports.request_clip(scene.operator, broken.public_id, 5), celery_worker)

    assert clip.status == ClipStatus.FAILED
    assert "offline" in clip.reason
    assert not clip.file.name
    assert not storage.clip_storage().exists(storage.clip_name(clip.organization_id, clip.public_id))


def test_gateway_outage_is_retried_until_it_is_back(scene: Scene, gateway_process, celery_worker) -> None:  # type: ignore[no-untyped-def]
    gateway_process.stop()
    clip = exports.request_clip(scene.operator, scene.camera.public_id, 2)
    wait_until(lambda: "Waiting to retry" in Clip.objects.get(pk=clip.pk).reason, timeout=30,
               otherwise=lambda: celery_worker.log_text()[-3000:])
    gateway_process.start()  # same ports, empty memory: put the stream back
    sync.push_camera(scene.camera)

    clip = _wait_done(clip, celery_worker, timeout=90)
    assert clip.status == ClipStatus.READY, clip.reason


async def test_ready_status_reaches_viewers_of_the_camera_only(scene: Scene, celery_worker) -> None:  # type: ignore[no-untyped-def]
    application = URLRouter(websocket_urlpatterns)

    async def open_stream(user) -> WebsocketCommunicator:  # type: ignore[no-untyped-def]
        communicator = WebsocketCommunicator(application, "/ws/events/")
        communicator.scope["user"] = user
        assert (await communicator.connect())[0]
        return communicator

    viewer, outsider = await open_stream(scene.viewer), await open_stream(scene.outsider)
    clip = await sync_to_async(exports.request_clip)(scene.operator, scene.camera.public_id, 2)

    seen = []
    while not seen or seen[-1] not in ("ready", "failed"):
        try:
            event = await viewer.receive_json_from(timeout=60)
        except TimeoutError:
            pytest.fail(f"only {seen} arrived; the worker said:\n{celery_worker.log_text()[-3000:]}")
        if event["type"] == "clip.status":
            assert (event["clip"], event["camera"]) == (str(clip.public_id), str(scene.camera.public_id))
            seen.append(event["status"])
    assert seen[-2:] == ["recording", "ready"], seen
    assert await outsider.receive_nothing(timeout=0.5)
    for communicator in (viewer, outsider):
        await communicator.disconnect()
    await asyncio.sleep(0)


@pytest.mark.sqlite
def test_retention_task_deletes_expired_clips_and_motion_events(scene: Scene, celery_worker) -> None:  # type: ignore[no-untyped-def]
    expired, kept = make_clip(scene.camera), make_clip(scene.camera)
    Clip.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    days = scene.camera.site.organization.clip_retention_days
    old_event, new_event = (
        MotionEvent.objects.create(organization=scene.camera.site.organization, camera=scene.camera,
                                   camera_name=scene.camera.name, started_at=started, ended_at=started)
        for started in (timezone.now() - timedelta(days=days, minutes=1), timezone.now())
    )

    tasks.expire_clips.delay()

    wait_until(lambda: not MotionEvent.objects.filter(pk=old_event.pk).exists(), timeout=30,
               otherwise=lambda: celery_worker.log_text()[-3000:])
    assert MotionEvent.objects.filter(pk=new_event.pk).exists()
    assert not Clip.objects.filter(pk=expired.pk).exists()
    assert not storage.clip_storage().exists(expired.file.name)
    assert storage.clip_storage().exists(kept.file.name)


@pytest.mark.sqlite
def test_sweeper_task_fails_a_row_whose_worker_died(scene: Scene, celery_worker) -> None:  # type: ignore[no-untyped-def]
    stuck = make_clip(scene.camera, status=ClipStatus.RECORDING, duration=5)
    started = timezone.now() - timedelta(seconds=6) - retention.RECORDING_MARGIN
    Clip.objects.filter(pk=stuck.pk).update(started_at=started)
    partial = storage.clip_name(stuck.organization_id, stuck.public_id)
    storage.clip_storage().save(partial, ContentFile(b"half a clip"))
    orphan = storage.temp_path(stuck.public_id)
    orphan.write_bytes(b"half a recording")
    os.utime(orphan, (time.time() - 600, time.time() - 600))

    tasks.sweep_clips.delay()

    wait_until(lambda: _status(stuck) == ClipStatus.FAILED, timeout=30,
               otherwise=lambda: celery_worker.log_text()[-3000:])
    assert "request it again" in Clip.objects.get(pk=stuck.pk).reason
    assert not storage.clip_storage().exists(partial)
    # The same task sweeps temporary files after it commits the row, so wait for that step too.
    wait_until(lambda: not orphan.exists(), timeout=10, otherwise=lambda: celery_worker.log_text()[-3000:])
