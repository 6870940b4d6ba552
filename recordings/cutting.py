"""Cutting a range of recorded footage into one MP4 by stream copy: the plan, then ffmpeg.

``plan_cut`` is pure: from a camera stream's segments it picks the pieces
that cover [start, end). The first piece starts on the keyframe at or
before ``start`` (stream copy can only start a file on a keyframe, and
starting earlier keeps the asked-for moment in the file); the last piece
ends at ``end`` (ffmpeg drops the packets from there on, which needs no
keyframe). Stretches without footage are left out: the file plays its
pieces back to back, and the plan lists the gaps so the clip and its
metadata can say what is missing.

``cut`` feeds the pieces to ffmpeg's concat demuxer (``inpoint`` /
``outpoint`` per file, in the file's own timestamps) with ``-c copy``:
nothing is decoded or encoded, so an hour of footage takes seconds.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings

from recordings.footage.models import Segment
from recordings.footage.reading import local_file, media_start
from recordings.footage.timeline import GAP_TOLERANCE, Interval

logger = logging.getLogger(__name__)

# Fixed cost (start, probing, writing the index) plus an allowance per file read.
CUT_TIMEOUT_SECONDS = 60
CUT_TIMEOUT_PER_PIECE = 0.5


class CannotCut(Exception):
    """The range cannot be cut into one file; the message says why, in words for people."""


@dataclass(frozen=True)
class Piece:
    """The part of one segment that goes into the file: ``skip`` and ``until`` in seconds from its first sample."""

    segment: Segment
    skip: float
    until: float | None  # None: to the end of the segment
    start: datetime
    end: datetime


@dataclass
class CutPlan:
    requested: Interval
    pieces: list[Piece] = field(default_factory=list)

    @property
    def start(self) -> datetime:
        return self.pieces[0].start

    @property
    def end(self) -> datetime:
        return self.pieces[-1].end

    @property
    def gaps(self) -> list[Interval]:
        """Stretches inside [start, end) of the file that have no footage (left out of the file)."""
        return [Interval(before.end, after.start) for before, after in zip(self.pieces, self.pieces[1:], strict=False)
                if after.start - before.end > GAP_TOLERANCE]

    @property
    def gap_seconds(self) -> float:
        return sum(gap.seconds for gap in self.gaps)

    @property
    def media_seconds(self) -> float:
        return sum((piece.end - piece.start).total_seconds() for piece in self.pieces)


def _keyframe_at_or_before(segment: Segment, offset: float) -> float:
    earlier = [k for k in segment.keyframes or [0.0] if k <= offset + 1e-6]
    return max(earlier) if earlier else 0.0


def _keyframe_at_or_after(segment: Segment, offset: float) -> float | None:
    later = [k for k in segment.keyframes or [0.0] if k >= offset - 1e-6]
    return min(later) if later else None


def _same_format(first: Segment, other: Segment) -> bool:
    keys = ("codec", "codecs", "width", "height", "has_audio")
    return all(getattr(first, key) == getattr(other, key) for key in keys)


def _skip_for(segment: Segment, cursor: datetime, first: bool) -> float | None:
    """Where in ``segment`` its piece starts, or None if nothing of it is needed."""
    offset = (cursor - segment.start).total_seconds()
    if offset <= GAP_TOLERANCE.total_seconds():
        return 0.0
    if first:  # the range starts inside this segment: back to the keyframe before
        return _keyframe_at_or_before(segment, offset)
    # Overlaps what the previous piece already holds: resume on the next keyframe.
    return _keyframe_at_or_after(segment, offset)


def plan_cut(segments: Iterable[Segment], start: datetime, end: datetime) -> CutPlan:
    """The pieces of ``segments`` (one camera stream) that cover [start, end); ``CannotCut`` if none."""
    plan = CutPlan(Interval(start, end))
    cursor = start
    for segment in sorted(segments, key=lambda s: s.start):
        if segment.end <= cursor or segment.start >= end:
            continue
        skip = _skip_for(segment, cursor, first=not plan.pieces)
        if skip is None:
            continue
        if plan.pieces and not _same_format(plan.pieces[0].segment, segment):
            raise CannotCut(
                f"The camera's video format changed at {segment.start:%Y-%m-%d %H:%M:%S} UTC "
                f"({segment.codec} {segment.width}x{segment.height}); export the parts before and after separately."
            )
        until = (end - segment.start).total_seconds() if segment.end > end else None
        piece_start = segment.start + timedelta(seconds=skip)
        if until is not None and until <= skip:
            continue
        plan.pieces.append(Piece(segment, skip, until, piece_start, min(segment.end, end)))
        cursor = plan.pieces[-1].end
    if not plan.pieces:
        raise CannotCut("There is no recorded footage of this camera in that range.")
    return plan


# --- ffmpeg ------------------------------------------------------------------------


def concat_list(plan: CutPlan, scratch: Path) -> str:
    """The concat demuxer's script: each file, with in and out points in the file's own timestamps.

    Segments on a remote tier are copied into ``scratch`` first (see ``reading.local_file``).
    """
    lines = ["ffconcat version 1.0"]
    for piece in plan.pieces:
        path = local_file(piece.segment, scratch)
        # The recorder's files keep their run's timestamps (a file may start at 3,600 s) and ffmpeg then
        # reports the end time as the file's duration: the piece's length is given, or the next file
        # would start that much later.
        length = (piece.until if piece.until is not None else piece.segment.duration) - piece.skip
        lines += [f"file {_quoted(str(path))}", f"duration {length:.6f}"]
        if piece.skip or piece.until is not None:
            origin = media_start(path)
            if piece.skip:
                lines.append(f"inpoint {origin + piece.skip:.6f}")
            if piece.until is not None:
                lines.append(f"outpoint {origin + piece.until:.6f}")
    return "\n".join(lines) + "\n"


def _quoted(path: str) -> str:
    """A concat-script string: single quotes, each quote inside written as ``'\\''``."""
    return "'" + path.replace("'", "'\\''") + "'"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def describe(plan: CutPlan, camera_name: str) -> str:
    """The MP4 ``comment``: what was asked, what the file holds, and why they differ."""
    text = (
        f"{camera_name}: requested {_utc(plan.requested.start)} to {_utc(plan.requested.end)}; "
        f"the file starts at {_utc(plan.start)} (the keyframe at or before the requested start: stream copy, "
        f"no re-encoding) and ends at {_utc(plan.end)}."
    )
    if plan.gaps:
        text += f" {len(plan.gaps)} gap(s) without footage ({plan.gap_seconds:.1f} s) are left out."
    return text


def ffmpeg_argv(script: Path, output: Path, *, title: str, comment: str, created: datetime) -> list[str]:
    return [
        settings.CCTV_FFMPEG_BIN, "-nostdin", "-hide_banner", "-loglevel", "error",
        "-f", "concat", "-safe", "0", "-i", str(script),
        "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-dn", "-sn",
        "-metadata", f"title={title}", "-metadata", f"comment={comment}",
        "-metadata", f"creation_time={_utc(created)}",
        "-movflags", "+faststart", "-f", "mp4", "-y", str(output),
    ]  # fmt: skip


def cut(plan: CutPlan, output: Path, *, camera_name: str) -> None:
    """Write the plan's pieces into ``output`` (MP4, stream copy). ``CannotCut`` if ffmpeg fails.

    The caller owns ``output`` and removes it whatever happens; the concat
    script and copies of remote segments are written beside it and removed here.
    """
    script = output.with_suffix(".ffconcat")
    scratch = output.with_suffix(".pieces")
    scratch.mkdir(exist_ok=True)
    try:
        script.write_text(concat_list(plan, scratch))
        _run_ffmpeg(plan, script, output, camera_name)
    finally:
        script.unlink(missing_ok=True)
        shutil.rmtree(scratch, ignore_errors=True)


def _run_ffmpeg(plan: CutPlan, script: Path, output: Path, camera_name: str) -> None:
    title = f"{camera_name} {_utc(plan.start)} to {_utc(plan.end)} (keyframe cut)"
    argv = ffmpeg_argv(script, output, title=title, comment=describe(plan, camera_name), created=plan.start)
    timeout = CUT_TIMEOUT_SECONDS + CUT_TIMEOUT_PER_PIECE * len(plan.pieces)
    try:
        result = subprocess.run(  # noqa: S603  (argv built above from index rows and settings)
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise CannotCut("Cutting the footage took too long; try a shorter range.") from None
    except FileNotFoundError:
        raise CannotCut("The export worker cannot cut footage (ffmpeg is missing); ask the operator.") from None
    if result.returncode != 0 or not output.exists() or output.stat().st_size == 0:
        # ffmpeg's words name files on the server: they go to the log, not to the person.
        stderr = result.stderr.decode(errors="replace")[-800:]
        logger.warning("cutting footage failed (%s): %s", result.returncode, stderr)
        raise CannotCut("The recorded footage could not be cut into a file (it may be damaged).")
