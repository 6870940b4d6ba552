"""The recorder process (``manage.py record``): leases, one ffmpeg per recorded stream, indexing.

One main thread does everything that touches the database or Redis, in a
loop: renew the leases it holds (a lost lease stops that camera at once),
scan its gateway's cameras that need recording and take free ones up to its
fair share (cameras divided by live recorders of the gateway), start and
restart ffmpegs with backoff, index each segment ffmpeg closes, and settle
motion marks and the events-mode buffer. Long work yields to the periodic
actions: a burst of closed segments (every camera cuts at the same
wall-clock moment) or of ffmpeg starts is handled over several turns of the
loop, so the leases are renewed on time however much is queued. A dead recorder's leases expire
(``CCTV_RECORDING_LEASE_SECONDS``) and the next scan of another recorder
(``CCTV_RECORDING_SCAN_SECONDS``) takes its cameras, first indexing what the
dead runs left in the incoming directories.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import redis
from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.utils import timezone

from cameras.gateways import restream_url
from cameras.models import Gateway
from cameras.streams import stream_name
from recordings.footage import capture, health, ingest, layout, leases, mp4, recorders, settle, thumbnailer
from recordings.footage.models import HealthState, Recorder
from recordings.footage.restream import restream_source
from recordings.footage.services import Plan, recording_plan

logger = logging.getLogger(__name__)

SETTLE_SECONDS = 5.0
FAIL_AFTER = 5  # failed runs in a row (about 12 s of trying) before "reconnecting" becomes "failing"
CONNECTING = "Connecting to the camera's stream on its gateway."


@dataclass
class Held:
    """A camera this recorder holds the lease of, and its captures (one per stream)."""

    plan: Plan
    lease: leases.Lease
    captures: dict[str, capture.StreamCapture] = field(default_factory=dict)


def source_for(gateway: Gateway, plan: Plan, stream: str) -> str:
    return restream_source(restream_url(gateway, stream_name(plan.camera_public_id, stream)))


class RecorderLoop:
    def __init__(self, row: Recorder, gateway: Gateway) -> None:
        self.row = row
        self.gateway = gateway
        self.segment_seconds = settings.CCTV_RECORDING_SEGMENT_SECONDS
        self.lease_seconds = settings.CCTV_RECORDING_LEASE_SECONDS
        self.scan_seconds = settings.CCTV_RECORDING_SCAN_SECONDS
        self.stall_seconds = 3 * self.segment_seconds + 10
        self.held: dict[int, Held] = {}
        self.events: queue.Queue = queue.Queue()
        self.due = {"heartbeat": 0.0, "scan": 0.0, "settle": 0.0}
        self.now = time.monotonic  # the loop's clock (tests move their own)
        self.thumbnailer = thumbnailer.Thumbnailer(self.events)
        thumbnailer.sweep_incoming()

    # --- the loop ----------------------------------------------------------------------

    def run(self, stopping: threading.Event) -> None:
        logger.info("recorder %s records gateway %s", self.row.name, self.gateway.name)
        try:
            while not stopping.is_set():
                self._tick(self.now())
                self._drain(timeout=0.25)
        finally:
            self.shutdown()

    def _tick(self, now: float) -> None:
        for name, period, action in (("heartbeat", self.lease_seconds / 3, self._heartbeat),
                                     ("scan", self.scan_seconds, self._scan),
                                     ("settle", SETTLE_SECONDS, self._settle)):
            if now >= self.due[name]:
                self.due[name] = now + period
                try:
                    action()
                except (DatabaseError, redis.RedisError) as error:
                    logger.warning("recorder %s: %s failed: %s", self.row.name, name, type(error).__name__)
                    close_old_connections()
        self._supervise(now)

    def _periodic_due(self) -> bool:
        return self.now() >= min(self.due.values())

    def _drain(self, timeout: float, *, until_empty: bool = False) -> None:
        """Handle queued events until none is left or, unless ``until_empty``, a periodic action is due."""
        try:
            event = self.events.get(timeout=timeout)
        except queue.Empty:
            return
        while True:
            try:
                self._handle(event)
            except (DatabaseError, redis.RedisError) as error:
                logger.warning("recorder %s could not index: %s", self.row.name, type(error).__name__)
            if not until_empty and self._periodic_due():
                return  # the rest waits for the next turn, after the leases are renewed
            try:
                event = self.events.get_nowait()
            except queue.Empty:
                return

    # --- leases and cameras ----------------------------------------------------------------

    def _heartbeat(self) -> None:
        for camera_id, held in list(self.held.items()):
            if not held.lease.renew():
                logger.warning("recorder %s lost camera %s to another recorder", self.row.name, camera_id)
                self._drop(camera_id, lost=True)
        recorders.heartbeat(self.row)

    def _scan(self) -> None:
        close_old_connections()
        plans = recording_plan(self.gateway.pk)
        for camera_id in set(self.held) - set(plans):
            self._drop(camera_id)
        for camera_id in set(self.held) & set(plans):
            self._replan(self.held[camera_id], plans[camera_id])
        for held in self.held.values():
            for stream, stream_capture in held.captures.items():
                self._retry_unindexed(held, stream_capture)
                ingest.recover(held.plan, stream, current_run=stream_capture.run)
        self._take_free(plans)

    def _take_free(self, plans: dict[int, Plan]) -> None:
        share = leases.fair_share(len(plans), recorders.alive_count(self.gateway.pk))
        candidates = sorted(set(plans) - set(self.held))
        for camera_id, holder in leases.holders(candidates).items():
            if len(self.held) >= share:
                return
            if holder is not None:
                continue
            lease = leases.Lease(camera_id, self.lease_seconds, owner=self.row.name)
            if lease.acquire():
                self._take(plans[camera_id], lease)

    def _take(self, plan: Plan, lease: leases.Lease) -> None:
        held = Held(plan, lease)
        self.held[plan.camera_id] = held
        for stream in plan.streams:
            self._add_capture(held, stream)
        logger.info("recorder %s took camera %s (%s)", self.row.name, plan.camera_id, ", ".join(plan.streams))
        health.set_state(plan.camera_id, plan.camera_public_id, HealthState.RECONNECTING, CONNECTING,
                         recorder=self.row)

    def _add_capture(self, held: Held, stream: str) -> None:
        directory = layout.incoming_dir(held.plan.camera_public_id, stream)
        ingest.recover(held.plan, stream)
        source = source_for(self.gateway, held.plan, stream)
        held.captures[stream] = capture.StreamCapture(held.plan.camera_id, stream, source, directory, self.events)

    def _replan(self, held: Held, plan: Plan) -> None:
        held.plan = plan
        for stream in set(held.captures) - set(plan.streams):
            self._stop_captures(held, [stream])
            del held.captures[stream]
        for stream in set(plan.streams) - set(held.captures):
            self._add_capture(held, stream)

    def _drop(self, camera_id: int, *, lost: bool = False) -> None:
        """Stop recording a camera: index what its ffmpegs finish, then release (or forget) the lease."""
        held = self.held[camera_id]
        self._stop_captures(held, list(held.captures), index_rest=not lost)
        del self.held[camera_id]
        if not lost:
            held.lease.release()
            health.set_state(camera_id, held.plan.camera_public_id, HealthState.OFF,
                             "Not recorded: recording is off, or the camera is disabled or on another gateway.")

    def _stop_captures(self, held: Held, streams: list[str], *, index_rest: bool = True) -> None:
        """Stop the streams' ffmpegs; unless the camera was lost, index all they leave (nothing writes there now)."""
        for stream in streams:
            held.captures[stream].stop(wait=False)
        for stream in streams:
            held.captures[stream].stop(wait=True)
        if index_rest:
            self._drain(timeout=0, until_empty=True)
            for stream in streams:
                ingest.recover(held.plan, stream, settled=True)

    # --- ffmpeg processes and their events --------------------------------------------------

    def _supervise(self, now: float) -> None:
        for held in self.held.values():
            for stream_capture in held.captures.values():
                if self._periodic_due():
                    return  # the others start on the next turns
                if stream_capture.due(now):
                    self._start(held, stream_capture)
                elif stream_capture.stalled(now, self.stall_seconds):
                    logger.warning("camera %s %s: no segment for %.0f s, restarting ffmpeg",
                                   held.plan.camera_id, stream_capture.stream, self.stall_seconds)
                    stream_capture.interrupt()

    def _start(self, held: Held, stream_capture: capture.StreamCapture) -> None:
        try:
            stream_capture.start(self.segment_seconds)
        except OSError as error:
            stream_capture.exited(stream_capture.run or "", None, "")
            health.set_state(held.plan.camera_id, held.plan.camera_public_id, HealthState.FAILING,
                             f"The recorder cannot run {settings.CCTV_FFMPEG_BIN}: {error.strerror}.",
                             recorder=self.row)

    def _handle(self, event: capture.Closed | capture.Exited | thumbnailer.Taken) -> None:
        if isinstance(event, thumbnailer.Taken):
            if event.jpeg is None and self.thumbnailer.last.get(event.key[0]) == event.minute:
                self.thumbnailer.forget(event.key[0])  # ffmpeg failed: the interval's next segment tries again
            thumbnailer.index_taken(event)
            return
        held = self.held.get(event.key[0])
        stream_capture = held.captures.get(event.key[1]) if held else None
        if held is None or stream_capture is None:
            return
        if isinstance(event, capture.Closed):
            self._index(held, stream_capture, event)
        else:
            reason = stream_capture.exited(event.run, event.returncode, event.stderr_tail)
            if reason:
                logger.info("camera %s %s: ffmpeg ended (%s): %s", held.plan.camera_id, stream_capture.stream,
                            event.returncode, reason)
                self._announce(held, reason)

    def _index(self, held: Held, stream_capture: capture.StreamCapture, event: capture.Closed) -> None:
        path = stream_capture.directory / event.entry.name
        if not path.exists():
            return
        current = event.run == stream_capture.run
        try:
            closed = ingest.Closed(path, stream_capture.stream, event.run, event.at,
                                   stream_capture.clock if current else None)
            segment = ingest.ingest(held.plan, closed)
        except mp4.NotMP4 as error:
            logger.warning("camera %s: %s is not a whole segment (%s): indexing its whole fragments",
                           held.plan.camera_id, path.name, error)
            segment = self._salvage(held, stream_capture, path)
        except DatabaseError:
            stream_capture.unindexed.append(event)  # the file is back in the incoming directory
            raise
        if segment is not None and stream_capture.segments_in_run and abs(segment.duration - event.entry.duration) > 1:
            logger.warning("segment %s: media lasts %.2f s, ffmpeg's list says %.2f s",
                           segment.key, segment.duration, event.entry.duration)
        if current:
            stream_capture.note_closed()
        if segment is not None:
            self.thumbnailer.offer(held.plan.camera_id, stream_capture.stream, held.plan.streams, segment.pk,
                                   segment.start, layout.path_of(segment.key))
        self._announce(held)

    def _salvage(self, held: Held, stream_capture: capture.StreamCapture, path: Path) -> None:
        """A closed file that is not a whole segment: its whole fragments are indexed, or it is removed."""
        parsed = layout.parse_incoming_name(path.name)
        if parsed is not None:
            ingest.salvage(held.plan, stream_capture.stream, path, parsed)

    def _retry_unindexed(self, held: Held, stream_capture: capture.StreamCapture) -> None:
        """Index again the closed files the database refused (a failure puts the file back in the list)."""
        while stream_capture.unindexed:
            self._index(held, stream_capture, stream_capture.unindexed.pop(0))

    def _announce(self, held: Held, reason: str = "") -> None:
        state, reason = camera_state(held, reason)
        health.set_state(held.plan.camera_id, held.plan.camera_public_id, state, reason, recorder=self.row)

    # --- settling and stopping -----------------------------------------------------------

    def _settle(self) -> None:
        settle.settle_all([held.plan for held in self.held.values()], timezone.now())

    def shutdown(self) -> None:
        """Let every ffmpeg finish its segment, index them, hand the cameras back."""
        for camera_id in list(self.held):
            held = self.held[camera_id]
            try:
                self._stop_captures(held, list(held.captures))
                held.lease.release()
                health.set_state(camera_id, held.plan.camera_public_id, HealthState.WAITING, health.RECORDER_GONE)
            except (DatabaseError, redis.RedisError) as error:
                logger.warning("recorder %s: stopping camera %s: %s", self.row.name, camera_id,
                               type(error).__name__)
            del self.held[camera_id]
        self.thumbnailer.stop()  # the pictures of the last segments too
        self._drain(timeout=0, until_empty=True)
        recorders.stopped(self.row)
        logger.info("recorder %s stopped", self.row.name)


def camera_state(held: Held, reason: str = "") -> tuple[str, str]:
    """One state for the camera from its streams: recording only when every stream records."""
    captures = list(held.captures.values())
    if captures and all(c.recording for c in captures):
        return HealthState.RECORDING, ""
    reasons = [c.last_reason for c in captures if c.last_reason]
    reason = reason or (reasons[0] if reasons else CONNECTING)
    if any(c.failures >= FAIL_AFTER for c in captures):
        return HealthState.FAILING, reason
    return HealthState.RECONNECTING, reason
