"""One recorded stream: its ffmpeg process, the thread that reads it, and the restarts with backoff.

The recorder's main thread starts and stops captures; each capture's reader
thread turns ffmpeg's output into events on the recorder's queue
(``Closed``: the segment list says a file is complete, stamped with the
wall clock the moment the line arrives; ``Exited``: the run ended). All
database work stays on the main thread. ffmpeg is started from the main
thread with a parent-death signal, so if the recorder is killed its ffmpegs
get SIGTERM, close the segment they are writing and exit: nothing keeps
recording a camera that another recorder is about to take, and the next
recorder indexes that last file (ffmpeg ignores SIGPIPE, so the lines it
writes to its dead recorder cannot end it halfway through).

The signal is set by util-linux's ``setpriv --pdeathsig TERM``, which then
executes ffmpeg, so Python can start the process with ``vfork``: about a
millisecond. Setting it from Python (``preexec_fn``, the fallback where
``setpriv`` is missing) forces a full ``fork`` of the recorder, which kept
its main thread waiting about 150 ms per ffmpeg on a busy machine (seconds
when 50 cameras start at once).
"""

from __future__ import annotations

import collections
import ctypes
import functools
import logging
import os
import queue
import secrets
import selectors
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cameras.sources import scrub
from recordings.footage import ffmpeg
from recordings.footage.clock import RunClock
from recordings.footage.restream import classify

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
# Short and capped: a restarted gateway is back within seconds, and a gap lasts until the next try.
BACKOFF_SECONDS = (0.5, 1, 2, 3, 5)
STOP_TIMEOUT_SECONDS = 10
STDERR_TAIL_LINES = 20


@dataclass(frozen=True)
class Closed:
    key: tuple[int, str]
    run: str
    entry: ffmpeg.ListEntry
    at: datetime  # when ffmpeg closed it: the wall-clock end of its footage


@dataclass(frozen=True)
class Exited:
    key: tuple[int, str]
    run: str
    returncode: int | None
    stderr_tail: str


# Looked up once here: between fork and exec (with reader threads about) the child must not load anything.
_prctl = ctypes.CDLL(None, use_errno=True).prctl


def _die_with_parent() -> None:  # runs in the child between fork and exec
    _prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


@functools.cache
def death_signal_launcher() -> tuple[str, ...]:
    """``setpriv --pdeathsig TERM --`` if this system's setpriv knows the option, else nothing."""
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return ()
    try:
        usage = subprocess.run([setpriv, "--help"], capture_output=True, text=True, timeout=10).stdout  # noqa: S603
    except (OSError, subprocess.SubprocessError):
        return ()
    return (setpriv, "--pdeathsig", "TERM", "--") if "--pdeathsig" in usage else ()


class StreamCapture:
    """The ffmpeg of one (camera, stream), restarted with backoff while the recorder holds the camera."""

    def __init__(self, camera_id: int, stream: str, source: str, directory: Path, events: queue.Queue) -> None:
        self.key = (camera_id, stream)
        self.stream = stream
        self.source = source
        self.directory = directory
        self.events = events
        self.process: subprocess.Popen | None = None
        self.run: str | None = None
        self.failures = 0
        self.retry_at = 0.0
        self.progress_at = 0.0  # last start or indexed segment: the stall watchdog's reference
        self.closed_at = 0.0  # when ffmpeg last reported a closed file (reader thread), indexed or not
        self.segments_in_run = 0
        self.last_reason = ""
        self.retired = False  # stopped for good: its exit is no failure
        self.clock = RunClock()
        self.interrupted = False
        self.unindexed: list[Closed] = []  # closed files the database refused; retried by the scan
        self._reader: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.process is not None

    def due(self, now: float) -> bool:
        return self.process is None and now >= self.retry_at

    def start(self, segment_seconds: int) -> str:
        """Start a new run (from the recorder's main thread); returns its id."""
        self.directory.mkdir(parents=True, exist_ok=True)
        self.run = secrets.token_hex(4)
        argv = ffmpeg.argv(self.source, self.directory, self.run, segment_seconds)
        launcher = death_signal_launcher()
        self.process = subprocess.Popen(  # noqa: S603  (argv built from settings and server-side names)
            [*launcher, *argv], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env={**os.environ, **ffmpeg.ENVIRONMENT}, preexec_fn=None if launcher else _die_with_parent,
            # SIGPIPE stays ignored, as in Python: once the recorder is dead nobody reads ffmpeg's
            # pipes, and a warning logged while it finishes its file would otherwise end it first.
            restore_signals=False,
        )
        self.progress_at = time.monotonic()
        self.closed_at = 0.0
        self.segments_in_run = 0
        self.interrupted = False
        self.clock = RunClock()
        self._reader = threading.Thread(target=self._read, args=(self.process, self.run), daemon=True,
                                        name=f"ffmpeg-{self.key[0]}-{self.stream}")
        self._reader.start()
        return self.run

    def _read(self, process: subprocess.Popen, run: str) -> None:
        """Reader thread: ffmpeg's stdout (segment list) and stderr (log) as events, until both end.

        Raw reads, split into lines here: a buffered ``readline`` could keep
        lines in Python's buffer where ``select`` no longer sees them.
        """
        tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
        handlers = {process.stdout.fileno(): self._list_line, process.stderr.fileno(): self._log_line}
        pending = dict.fromkeys(handlers, b"")
        with selectors.DefaultSelector() as selector:
            for descriptor in handlers:
                selector.register(descriptor, selectors.EVENT_READ)
            while pending:
                for key, _ in selector.select():
                    descriptor = key.fd
                    chunk = os.read(descriptor, 65536)
                    *lines, pending[descriptor] = (pending[descriptor] + chunk).split(b"\n")
                    if not chunk:
                        lines.append(pending.pop(descriptor))
                        selector.unregister(descriptor)
                    for line in lines:
                        if line:
                            handlers[descriptor](run, line.decode(errors="replace").rstrip(), tail)
        returncode = process.wait()
        self.events.put(Exited(self.key, run, returncode, "\n".join(tail)))

    def _list_line(self, run: str, line: str, tail: collections.deque[str]) -> None:
        entry = ffmpeg.parse_list_line(line)
        if entry is not None:
            if run == self.run:
                self.closed_at = time.monotonic()
            self.events.put(Closed(self.key, run, entry, datetime.now(tz=UTC)))

    def _log_line(self, run: str, line: str, tail: collections.deque[str]) -> None:
        level = ffmpeg.level_of(line)
        if level in ("warning", "error", "fatal", "panic"):
            tail.append(scrub(line))
            if level != "warning":
                logger.info("ffmpeg camera %s %s: %s", self.key[0], self.stream, scrub(line)[:300])

    @property
    def recording(self) -> bool:
        """Running, and this run has closed a segment already."""
        return self.process is not None and self.segments_in_run > 0

    def note_closed(self) -> None:
        self.progress_at = time.monotonic()
        self.segments_in_run += 1
        self.failures = 0
        self.last_reason = ""

    def stalled(self, now: float, limit: float) -> bool:
        """No file closed for ``limit`` seconds. A close still waiting to be indexed counts: a recorder
        behind on indexing must not restart ffmpegs that work."""
        return self.process is not None and now - max(self.progress_at, self.closed_at) > limit

    def exited(self, run: str, returncode: int | None, stderr_tail: str) -> str:
        """The run ended: schedule the next with backoff; returns the reason in words."""
        if run != self.run:
            return ""
        self.process, self.run = None, None
        if self.retired:
            return ""
        delay = BACKOFF_SECONDS[min(self.failures, len(BACKOFF_SECONDS) - 1)]
        self.failures += 1
        self.retry_at = time.monotonic() + delay
        self.last_reason = ffmpeg.reason_for(classify(stderr_tail), returncode)
        return self.last_reason

    def interrupt(self) -> None:
        """End a stalled run: SIGTERM first, SIGKILL if it is still there the next time."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL if self.interrupted else signal.SIGTERM)
            self.interrupted = True
        self.progress_at = time.monotonic()  # a full period to exit before it is asked again

    def stop(self, *, wait: bool = True) -> None:
        """Ask ffmpeg to finish the segment it is writing and exit (SIGTERM), for good; kill it if it does not."""
        self.retired = True
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
        if not wait:
            return
        try:
            process.wait(timeout=STOP_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
        if self._reader is not None:
            self._reader.join(timeout=5)
