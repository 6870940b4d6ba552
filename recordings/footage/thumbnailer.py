"""Taking the timeline's preview pictures in the recorder, without holding up indexing.

After each segment is indexed the recorder offers it here (``offer``). The
first segment of a new thumbnail interval (a minute) of the camera's
thumbnail stream (the sub stream when it is recorded) becomes a job, unless
the interval has its picture already (one indexed read per camera and
interval, on the main thread: a recorder that took the camera over does not
decode again what its predecessor took): one
ffmpeg decodes that closed, synced file's first keyframe (``-skip_frame
nokey -frames:v 1``, one thread), scales it to ``CCTV_THUMBNAIL_WIDTH`` and
writes a JPEG into the incoming directory. The live stream is never
decoded: the cost is one keyframe decode per camera per interval, from a
file.

Jobs run on one worker thread fed by a small bounded queue: a job that
does not fit is dropped (the next segment of the interval is offered
again), and an ffmpeg that overruns ``CCTV_THUMBNAIL_TIMEOUT_SECONDS`` is
killed. The worker touches neither the database nor Redis: it puts a
``Taken`` event on the recorder's queue and the main thread indexes the
picture (``thumbnails.record``) between segments. Each job's CPU time
(the child's own rusage) and wall time are kept in ``Costs`` and logged
every ``LOG_EVERY`` pictures and when the recorder stops.
"""

from __future__ import annotations

import logging
import os
import queue
import secrets
import subprocess
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.conf import settings
from redis.exceptions import RedisError

from cameras import snapshots
from recordings.footage import layout, thumbnails
from recordings.footage.models import Thumbnail

logger = logging.getLogger(__name__)

PENDING = 4  # jobs waiting at most; more are dropped (a minute that is late gets its next segment)
LOG_EVERY = 60
POLL_SECONDS = 0.02


@dataclass(frozen=True)
class Job:
    camera_id: int
    segment_id: int
    minute: datetime
    source: Path


@dataclass(frozen=True)
class Taken:
    """A JPEG the worker wrote (``jpeg`` None: it failed), for the main thread to index."""

    key: tuple[int, str]  # (camera id, "thumbnail"): the recorder's events are keyed by camera
    segment_id: int
    minute: datetime
    jpeg: Path | None


@dataclass
class Costs:
    taken: int = 0
    failed: int = 0
    dropped: int = 0
    cpu_seconds: float = 0.0
    wall_seconds: float = 0.0
    slowest: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, cpu: float, wall: float, *, ok: bool) -> None:
        with self.lock:
            self.taken += ok
            self.failed += not ok
            self.cpu_seconds += cpu
            self.wall_seconds += wall
            self.slowest = max(self.slowest, wall)

    def summary(self) -> str:
        done = self.taken + self.failed
        if not done:
            return f"no thumbnails taken ({self.dropped} dropped)"
        return (f"{self.taken} thumbnails ({self.failed} failed, {self.dropped} dropped): "
                f"{1000 * self.cpu_seconds / done:.1f} ms CPU and {1000 * self.wall_seconds / done:.1f} ms "
                f"each on average, slowest {1000 * self.slowest:.0f} ms")


def incoming_dir() -> Path:
    return layout.root() / layout.INCOMING / "thumbs"


def sweep_incoming(older_than: float = 600.0) -> int:
    """Delete pictures a killed recorder left in the incoming directory (none is that old while in hand)."""
    directory, removed = incoming_dir(), 0
    if not directory.is_dir():
        return 0
    cutoff = time.time() - older_than
    for path in directory.glob("*.jpg"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except OSError:
            continue
    return removed


def argv(source: Path, target: Path, width: int) -> list[str]:
    """Decode only the file's first keyframe, on one thread, into a small JPEG."""
    return [settings.CCTV_FFMPEG_BIN, "-nostdin", "-hide_banner", "-loglevel", "error", "-threads", "1",
            "-skip_frame", "nokey", "-i", str(source), "-map", "0:v:0", "-an", "-frames:v", "1",
            "-vf", f"scale={int(width)}:-2", "-q:v", "5", "-f", "image2", "-y", str(target)]


def extract(source: Path, target: Path, *, width: int, timeout: float) -> tuple[bool, float]:
    """Run ffmpeg for one picture: (whether a JPEG was written, the child's CPU seconds). Killed at ``timeout``.

    The child is reaped with ``wait4`` so its own CPU time is known (not the recorder's other children's).
    """
    process = subprocess.Popen(argv(source, target, width), stdin=subprocess.DEVNULL,  # noqa: S603
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            process.returncode = os.waitstatus_to_exitcode(status)
            break
        if time.monotonic() > deadline:
            process.kill()
            _, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            logger.warning("thumbnail of %s: ffmpeg took longer than %.0f s and was stopped", source.name, timeout)
            break
        time.sleep(POLL_SECONDS)
    ok = process.returncode == 0 and target.is_file() and target.stat().st_size > 0
    if not ok:
        target.unlink(missing_ok=True)
    return ok, usage.ru_utime + usage.ru_stime


class Thumbnailer:
    """The recorder's picture taker: decides which segments get a picture and takes them on its own thread."""

    def __init__(self, events: queue.Queue) -> None:
        self.events = events
        self.jobs: queue.Queue[Job | None] = queue.Queue(maxsize=PENDING)
        self.costs = Costs()
        self.last: dict[int, datetime] = {}  # camera id -> the latest interval a job was made for
        self._thread: threading.Thread | None = None
        self.closed = False  # stopping: no new jobs

    def offer(self, camera_id: int, stream: str, streams: tuple[str, ...], segment_id: int, start: datetime,
              source: Path) -> bool:
        """A segment was indexed: make a job if it is the camera's first of a new interval. True if queued."""
        if self.closed or not thumbnails.taking() or stream != thumbnails.source_stream(streams):
            return False
        minute = thumbnails.bucket_of(start)
        if self.last.get(camera_id) == minute:
            return False
        if thumbnails.taken(camera_id, minute):  # by this camera's previous recorder (a takeover, a restart)
            self.last[camera_id] = minute
            return False
        try:
            self.jobs.put_nowait(Job(camera_id, segment_id, minute, source))
        except queue.Full:
            self.costs.dropped += 1
            return False
        self.last[camera_id] = minute
        self._ensure_thread()
        return True

    def forget(self, camera_id: int) -> None:
        self.last.pop(camera_id, None)

    def _ensure_thread(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._work, daemon=True, name="thumbnails")
            self._thread.start()

    def _work(self) -> None:
        while True:
            job = self.jobs.get()
            if job is None:
                return
            self.events.put(self.take(job))

    def take(self, job: Job) -> Taken:
        directory = incoming_dir()
        directory.mkdir(parents=True, exist_ok=True)
        target = directory / f"{job.camera_id}-{thumbnails.stamp(job.minute)}-{secrets.token_hex(4)}.jpg"
        started = time.monotonic()
        try:
            ok, cpu = extract(job.source, target, width=settings.CCTV_THUMBNAIL_WIDTH,
                              timeout=settings.CCTV_THUMBNAIL_TIMEOUT_SECONDS)
        except OSError as error:
            logger.warning("thumbnail of camera %s: cannot run ffmpeg: %s", job.camera_id, error.strerror)
            ok, cpu = False, 0.0
        self.costs.add(cpu, time.monotonic() - started, ok=ok)
        if (self.costs.taken + self.costs.failed) % LOG_EVERY == 0:
            logger.info("recorder pictures: %s", self.costs.summary())
        return Taken((job.camera_id, "thumbnail"), job.segment_id, job.minute, target if ok else None)

    def stop(self) -> None:
        """Take no more jobs, finish those queued (at most ``PENDING`` + 1, each bounded by the timeout)."""
        self.closed = True
        if self._thread is not None and self._thread.is_alive():
            self.jobs.put(None)  # after the queued jobs: the worker takes them first
            self._thread.join(timeout=(PENDING + 1) * settings.CCTV_THUMBNAIL_TIMEOUT_SECONDS + 2)
        logger.info("recorder pictures: %s", self.costs.summary())


def index_taken(taken: Taken) -> bool:
    """The main thread's half: index a taken picture (or clean up a failed one). True if a row was written."""
    if taken.jpeg is None:
        return False
    row = thumbnails.record(taken.segment_id, taken.minute, taken.jpeg)
    if row is None:
        return False
    _offer_to_live_tiles(row)
    return True


def _offer_to_live_tiles(row: Thumbnail) -> None:
    """The newest minute's picture also serves the camera's live tiles until their video plays."""
    camera = row.camera
    if camera is None:
        return
    try:
        snapshots.offer_recorded(camera.public_id, (layout.root() / row.key).read_bytes())
    except (OSError, RedisError) as exc:  # a picture less on a wall; the index is what matters here
        logger.warning("camera %s: minute picture not offered to live tiles: %s", row.camera_id, exc)
