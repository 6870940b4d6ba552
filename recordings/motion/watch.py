"""Motion workers: watch one camera's picture and turn motion into events.

A watch runs as one long Celery task on the ``motion`` queue (thread pool).
It takes the camera's Redis lease (``recordings.motion.leases``) or gives up at
once, so exactly one worker watches a camera; it renews the lease while it
reads frames, and hands the camera back after a session length so cameras
spread over workers that joined later. Frames come from the camera's sub
stream (main if none) through its gateway's RTSP restream, decoded by PyAV
in this worker, never in the portal's web process. Each analysed frame is
shrunk to grey in the decoder's scaler, fed to the detector, and the
tracker decides when an event opens, peaks and closes.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import av
import cv2
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from cameras.gateways import restream_url
from cameras.models import Camera
from cameras.streams import stream_name
from recordings.models import MotionEvent, MotionSettings
from recordings.motion import leases
from recordings.motion import services as motion
from recordings.motion.detector import Detection, MotionDetector, analysis_size
from recordings.motion.tracker import MotionTracker, Step

logger = logging.getLogger(__name__)

# Set when the worker shuts down, so watches end promptly instead of holding it up.
STOPPING = threading.Event()

ANALYSIS_HEIGHT = 144
SETTINGS_RELOAD_SECONDS = 10
SNAPSHOT_EVERY_SECONDS = 1.0
SNAPSHOT_QUALITY = 80
OPEN_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 5
RETRY_SECONDS = 5
MAX_STREAM_FAILURES = 5
# FFmpeg probes a new input for up to 5 s of stream by default before the
# first frame is handed over; the camera is unguarded meanwhile. The codec's
# parameters arrive with the first key frame anyway, so half a second is
# plenty (measured: stream open to first analysed picture 2.1-2.6 s -> 0.9 s).
OPEN_OPTIONS = {"rtsp_transport": "tcp", "analyzeduration": "500000"}


class LeaseLost(Exception):
    """Another worker holds the camera now (this one stalled past its lease)."""


class StreamFailed(Exception):
    """The restream could not be opened or stopped sending frames."""


@dataclass(frozen=True)
class Target:
    """What a watch needs of its camera, read in one query."""

    camera: Camera
    settings: MotionSettings
    source: str

    @property
    def version(self) -> tuple[datetime, datetime]:
        return (self.settings.updated_at, self.camera.updated_at)


def load_target(camera_id: int, now: datetime) -> Target | None:
    """The camera to watch, or None if it should not be watched now (gone, off, out of schedule)."""
    camera = (
        Camera.objects.select_related("site", "gateway", "motion_settings").filter(pk=camera_id).first()
    )
    if camera is None or not camera.enabled or camera.gateway is None:
        return None
    try:
        settings_row = camera.motion_settings
    except MotionSettings.DoesNotExist:
        return None
    if not motion.is_armed(settings_row, camera.site.timezone, now):
        return None
    variant = "sub" if camera.sub_source else "main"
    source = restream_url(camera.gateway, stream_name(camera.public_id, variant)) + "?video"
    return Target(camera=camera, settings=settings_row, source=source)


def decoded_frames(source: str, fps: int) -> Iterator[tuple[float, av.VideoFrame]]:
    """Decode the restream and yield about ``fps`` frames a second, with their arrival time.

    Every frame must be decoded (H.264 frames depend on earlier ones), but
    only the sampled ones are scaled and analysed.
    """
    try:
        container = av.open(source, options=OPEN_OPTIONS, timeout=(OPEN_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS))
    except (av.FFmpegError, OSError) as error:
        raise StreamFailed(f"could not open the restream: {error.__class__.__name__}") from error
    interval, next_due = 1.0 / fps, 0.0
    try:
        stream = container.streams.video[0]
        # One camera per thread already: decoder threads would only add overhead.
        stream.thread_count = 1
        for packet in container.demux(stream):
            for frame in packet.decode():
                now = time.monotonic()
                if now >= next_due:
                    next_due = max(next_due + interval, now)
                    yield now, frame
    except (av.FFmpegError, OSError, IndexError) as error:
        raise StreamFailed(f"the restream broke off: {error.__class__.__name__}") from error
    finally:
        container.close()
    raise StreamFailed("the restream ended")


def grey_frame(frame: av.VideoFrame) -> object:
    width, height = analysis_size(frame.width, frame.height, ANALYSIS_HEIGHT)
    return frame.reformat(width=width, height=height, format="gray").to_ndarray()


def jpeg_of(frame: av.VideoFrame) -> bytes | None:
    ok, data = cv2.imencode(".jpg", frame.to_ndarray(format="bgr24"), [cv2.IMWRITE_JPEG_QUALITY, SNAPSHOT_QUALITY])
    return data.tobytes() if ok else None


class CameraWatch:
    """One worker's watch over one camera, from taking its lease to handing it back."""

    def __init__(self, camera_id: int, lease: leases.Lease, session_seconds: float) -> None:
        self.camera_id = camera_id
        self.lease = lease
        self.ends_at = time.monotonic() + session_seconds
        self.renew_every = settings.CCTV_MOTION_LEASE_SECONDS / 3
        self.renewed_at = time.monotonic()
        self.event: MotionEvent | None = None
        self.tracker = MotionTracker()
        self.snapshot_at = 0.0

    def run(self) -> None:
        failures = 0
        try:
            motion.close_abandoned(self.camera_id)
            while not self._should_end():
                target = load_target(self.camera_id, timezone.now())
                if target is None:
                    return
                try:
                    self._watch(target)
                    return
                except StreamFailed as error:
                    failures += 1
                    logger.info("motion watch of camera %s: %s (%d)", self.camera_id, error, failures)
                    self._close_event()
                    if failures >= MAX_STREAM_FAILURES:
                        return
                    self._wait(RETRY_SECONDS)
        except LeaseLost:
            logger.warning("motion watch of camera %s lost its lease; another worker has it", self.camera_id)
            self.lease = None
        finally:
            self._close_event()
            if self.lease is not None:
                self.lease.release()

    def _should_end(self) -> bool:
        return STOPPING.is_set() or time.monotonic() >= self.ends_at

    def _heartbeat(self) -> None:
        now = time.monotonic()
        if now - self.renewed_at >= self.renew_every:
            if self.lease is None or not self.lease.renew():
                raise LeaseLost
            self.renewed_at = now

    def _wait(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not self._should_end() and time.monotonic() < deadline:
            self._heartbeat()
            STOPPING.wait(min(1.0, self.renew_every))

    def _watch(self, target: Target) -> None:
        """Analyse frames until the session ends or the settings say stop; raise StreamFailed on loss."""
        detector = MotionDetector(motion.detector_settings(target.settings))
        opened_at = time.monotonic()
        reload_at = opened_at + SETTINGS_RELOAD_SECONDS
        analysing = False
        for arrived, frame in decoded_frames(target.source, target.settings.analysis_fps):
            self._heartbeat()
            if self._should_end():
                return
            if arrived >= reload_at:
                reload_at = arrived + SETTINGS_RELOAD_SECONDS
                close_old_connections()
                fresh = load_target(self.camera_id, timezone.now())
                if fresh is None:
                    return
                if fresh.version != target.version:
                    self._close_event()
                    if fresh.source != target.source:
                        raise StreamFailed("the camera's stream changed")
                    target, detector = fresh, MotionDetector(motion.detector_settings(fresh.settings))
            self._analyse(target, detector.feed(grey_frame(frame)), arrived, frame)
            if not analysing:
                # Until this moment the camera is not guarded: worth seeing in the log.
                analysing = True
                logger.info("motion watch of camera %s: analysing, %.2f s after opening its stream",
                            self.camera_id, arrived - opened_at)

    def _analyse(self, target: Target, detection: Detection, arrived: float, frame: av.VideoFrame) -> None:
        step = self.tracker.update(arrived, detection.motion, detection.score)
        boxes = [box.as_list() for box in detection.boxes]
        if step is Step.OPEN:
            self.snapshot_at = arrived
            self.event = motion.open_event(
                target.camera, at=timezone.now(), score=detection.score, boxes=boxes,
                snapshot=jpeg_of(frame), cooldown_seconds=target.settings.cooldown_seconds,
            )
        elif step is Step.PEAK and self.event is not None and arrived - self.snapshot_at >= SNAPSHOT_EVERY_SECONDS:
            self.snapshot_at = arrived
            motion.raise_peak(self.event, at=timezone.now(), score=detection.score, boxes=boxes,
                              snapshot=jpeg_of(frame))
        elif step is Step.CLOSE:
            quiet_for = arrived - self.tracker.last_motion_at
            self._close_event(timezone.now() - timedelta(seconds=quiet_for))

    def _close_event(self, at: datetime | None = None) -> None:
        self.tracker.reset()
        if self.event is not None:
            motion.close_event(self.event, at=at or timezone.now())
            self.event = None


def watch(camera_id: int, owner: str) -> bool:
    """Watch a camera if no other worker does; False if its lease is taken."""
    if not settings.REDIS_URL:
        logger.warning("motion detection needs Redis (REDIS_URL) for its leases; not watching")
        return False
    leases.clear_pending(camera_id)
    lease = leases.Lease(camera_id, settings.CCTV_MOTION_LEASE_SECONDS, owner=owner)
    if not lease.acquire():
        return False
    CameraWatch(camera_id, lease, settings.CCTV_MOTION_SESSION_SECONDS).run()
    return True


def armed_camera_ids(now: datetime) -> list[int]:
    rows = MotionSettings.objects.filter(enabled=True, camera__enabled=True, camera__gateway__isnull=False)
    rows = rows.select_related("camera__site")
    return [row.camera_id for row in rows if motion.is_armed(row, row.camera.site.timezone, now)]


def cameras_to_dispatch(now: datetime, pending_seconds: int) -> list[int]:
    """Armed cameras that no worker holds and that have no watch queued yet."""
    ids = armed_camera_ids(now)
    held = leases.holders(ids)
    free = [camera_id for camera_id in ids if held[camera_id] is None]
    return [camera_id for camera_id in free if leases.mark_pending(camera_id, pending_seconds)]
