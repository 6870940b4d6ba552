"""From a closed ffmpeg file to an indexed segment: check, sync, move into place, index.

``ingest`` runs in the recorder for each file ffmpeg reports closed:
read its facts from the MP4 boxes (a file that is not whole is refused),
hash it, fsync it, rename it from the incoming directory into its final
place (atomic on one filesystem), fsync both directories, and only then
write its row (``index.add_segment``). ``recover`` indexes what a dead run
left behind: closed files still in the incoming directory (named by the
wall clock ffmpeg opened them at), and a file cut short by a crash, trimmed
to its last whole fragment.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.db import DatabaseError

from recordings.footage import health, index, layout, mp4
from recordings.footage.checksums import sha256_of
from recordings.footage.clock import RunClock
from recordings.footage.models import MAX_SEGMENT_SECONDS, Segment, Tier
from recordings.footage.services import Plan

logger = logging.getLogger(__name__)

# A leftover file touched more recently than this may still be written by a stalled run.
RECOVER_MIN_AGE_SECONDS = 3.0


def fsync_path(path: Path, *, directory: bool = False) -> None:
    flags = os.O_RDONLY | (os.O_DIRECTORY if directory else 0)
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _make_dirs(path: Path) -> None:
    """Create the final directory, syncing each new entry into its parent."""
    missing = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for directory in reversed(missing):
        directory.mkdir(exist_ok=True)
        fsync_path(directory.parent, directory=True)


@dataclass(frozen=True)
class Closed:
    """A file ffmpeg has closed: where, which stream and run, when, and its run's clock (None: recovery)."""

    path: Path
    stream: str
    run: str
    ended_at: datetime | None = None
    clock: RunClock | None = None


# A run's first file starts before ffmpeg opens it (packets buffered while it probed the stream).
PROBE_ALLOWANCE = timedelta(seconds=15)
NAME_SLACK = timedelta(seconds=1.5)


def segment_start(name: str, ended_at: datetime | None, facts: mp4.MediaFacts,
                  clock: RunClock | None = None) -> datetime | None:
    """When a file's footage starts: placed by its close time (``clock``), checked against its name.

    The name (ffmpeg's strftime when it opened the file) has whole seconds;
    a start computed from the close time must agree with it (allowing for
    the first file's probe buffer), else the name wins. Without a close time
    (a file left by a dead run) the name is all there is.
    """
    parsed = layout.parse_incoming_name(name)
    if parsed is None:
        return None
    if ended_at is not None:
        clock = clock or RunClock()
        start = clock.place(ended_at, facts.decode_start, facts.duration)
        if parsed.opened_at - PROBE_ALLOWANCE <= start <= parsed.opened_at + NAME_SLACK:
            return start
        logger.warning("segment %s: its close time does not match its name; using the name", name)
    return parsed.opened_at


def ingest(plan: Plan, closed: Closed) -> Segment | None:
    """Index one closed file (``mp4.NotMP4`` if it is not a whole segment); None if it was indexed before."""
    facts = mp4.read_facts(closed.path)
    start = segment_start(closed.path.name, closed.ended_at, facts, closed.clock)
    if start is None:
        raise mp4.NotMP4("the file name is not one the recorder gives")
    if facts.duration > MAX_SEGMENT_SECONDS:
        logger.warning("segment %s lasts %.0f s: keyframes too far apart for the range queries",
                       closed.path.name, facts.duration)
    checksum = sha256_of(closed.path)
    fsync_path(closed.path)
    key = layout.segment_key(plan.organization_id, plan.camera_public_id, closed.stream, start, closed.run)
    final = layout.root() / key
    _make_dirs(final.parent)
    os.replace(closed.path, final)
    fsync_path(final.parent, directory=True)
    fsync_path(closed.path.parent, directory=True)
    try:
        segment = index.add_segment(index.NewSegment(
            organization_id=plan.organization_id, camera_id=plan.camera_id, stream=closed.stream,
            kind=plan.new_segment_kind, start=start, facts=facts, run=closed.run, key=key, sha256=checksum,
            local_day=health.local_day(start, plan.site_timezone),
        ))  # fmt: skip
    except DatabaseError:
        # No row: back where the recorder's recovery looks, so it is indexed once the database answers.
        os.replace(final, closed.path)
        raise
    if segment is None and not Segment.objects.filter(tier=Tier.LOCAL, key=key).exists():
        final.unlink(missing_ok=True)  # same start indexed from another file: keep no stray copy
    return segment


def complete_length(path: Path) -> int:
    """Bytes of ``path`` up to the end of its last whole media fragment (0 if none is whole)."""
    size, offset, whole = path.stat().st_size, 0, 0
    with path.open("rb") as handle:
        while offset + 8 <= size:
            handle.seek(offset)
            header = handle.read(16)
            box_size, kind = int.from_bytes(header[:4], "big"), header[4:8]
            if box_size == 1 and len(header) == 16:
                box_size = int.from_bytes(header[8:16], "big")
            if box_size < 8 or offset + box_size > size:
                break
            offset += box_size
            if kind in (b"mdat", b"mfra"):
                whole = offset
    return whole


def recover(plan: Plan, stream: str, current_run: str | None = None, *, settled: bool = False) -> int:
    """Index the files earlier runs left in the stream's incoming directory. Returns how many were indexed.

    ``settled``: no ffmpeg writes there any more (the recorder stopped them), so even a file touched a
    moment ago is whole as far as it goes.
    """
    directory = layout.incoming_dir(plan.camera_public_id, stream)
    if not directory.is_dir():
        return 0
    indexed = 0
    for path in sorted(directory.glob("*.mp4")):
        parsed = layout.parse_incoming_name(path.name)
        if parsed is None or parsed.run == current_run:
            continue
        if not settled and time.time() - path.stat().st_mtime < RECOVER_MIN_AGE_SECONDS:
            continue
        indexed += salvage(plan, stream, path, parsed)
    return indexed


def salvage(plan: Plan, stream: str, path: Path, parsed: layout.IncomingName) -> int:
    """Index a file no run will finish: as it is, else trimmed to its whole fragments, else removed."""
    try:
        return int(ingest(plan, Closed(path, stream, parsed.run)) is not None)
    except mp4.NotMP4:
        whole = complete_length(path)
        if whole:
            os.truncate(path, whole)
            try:
                return int(ingest(plan, Closed(path, stream, parsed.run)) is not None)
            except mp4.NotMP4:
                pass
        logger.warning("removing %s: an interrupted recording with no whole fragment", path.name)
        path.unlink(missing_ok=True)
    return 0
