"""The recorder's ffmpeg: its command line and how its output is read. No processes here.

One ffmpeg per recorded stream reads the gateway's RTSP restream and copies
the packets (``-c copy``: never decoded, never re-encoded) into ffmpeg's
segment muxer, which cuts a new fragmented MP4 file on the first keyframe
after each wall-clock multiple of the segment length
(``-segment_atclocktime``). Two things tell the recorder what happens:

- stdout, the segment list (``-segment_list pipe:1``, CSV): one line
  ``<file>,<start>,<end>`` written once the file's trailer is flushed,
  i.e. when the file is complete. ffmpeg closes a file when the first
  packet of the next one arrives, so the wall clock at which the line
  arrives is the end of the file's footage; its start is that minus the
  media duration (read from the file). This holds for a run's first file
  too, which also carries the packets buffered while ffmpeg probed the
  stream (it is opened seconds after its first frame arrived).
- stderr, warnings and errors with level tags: why a run ended.

The fragmented MP4 options make timestamps continue across the files of
one run (``frag_discont``, no edit list, no shift to zero), so consecutive
segments play back to back in HLS without a discontinuity.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from recordings.footage.layout import incoming_pattern
from recordings.footage.restream import Failure

# ffmpeg gives up when the gateway sends nothing for this long.
IO_TIMEOUT_SECONDS = 10
MP4_OPTIONS = ("movflags=+frag_keyframe+empty_moov+default_base_moof+frag_discont"
               ":use_editlist=0:avoid_negative_ts=disabled")
# The segment muxer's files are named by strftime in local time: make that UTC.
ENVIRONMENT = {"TZ": "UTC"}

_LEVEL_RE = re.compile(r"\[(?P<level>panic|fatal|error|warning|info|verbose|debug)\]")

REASONS = {
    Failure.UNREACHABLE: "The recorder cannot reach the camera's gateway.",
    Failure.REFUSED: "The gateway refused the recorder: check the gateway's RTSP settings.",
    Failure.NOT_FOUND: "The gateway has no video for this camera: the camera is offline or its address is wrong.",
    Failure.STALLED: "The camera stopped sending video.",
    Failure.OTHER: "Recording stopped unexpectedly; the recorder's log says why.",
}


def argv(source: str, output_dir: Path, run: str, segment_seconds: int) -> list[str]:
    """The command line of one recording run into ``output_dir`` (files named by ``incoming_pattern``)."""
    return [
        settings.CCTV_FFMPEG_BIN, "-nostdin", "-hide_banner", "-nostats", "-loglevel", "level+warning",
        "-rtsp_transport", "tcp", "-timeout", str(IO_TIMEOUT_SECONDS * 1_000_000),
        "-i", source,
        "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-dn", "-sn",
        "-f", "segment", "-segment_format", "mp4", "-segment_format_options", MP4_OPTIONS,
        "-segment_time", str(segment_seconds), "-segment_atclocktime", "1", "-strftime", "1",
        "-segment_list", "pipe:1", "-segment_list_type", "csv",
        str(output_dir / incoming_pattern(run)),
    ]  # fmt: skip


@dataclass(frozen=True)
class ListEntry:
    """One closed segment as the segment list reports it."""

    name: str
    start: float
    end: float

    @property
    def duration(self) -> float:
        return self.end - self.start


def parse_list_line(line: str) -> ListEntry | None:
    parts = line.strip().rsplit(",", 2)
    if len(parts) != 3:
        return None
    try:
        start, end = float(parts[1]), float(parts[2])
    except ValueError:
        return None
    name = Path(parts[0]).name
    return ListEntry(name, start, end) if name.endswith(".mp4") and end >= start else None


def level_of(line: str) -> str:
    match = _LEVEL_RE.search(line)
    return match["level"] if match else "info"


STOPPED_BY_SIGNAL = 255  # ffmpeg's exit status after SIGTERM or SIGINT


def reason_for(failure: Failure, returncode: int | None = None) -> str:
    if failure is Failure.OTHER and returncode == STOPPED_BY_SIGNAL:
        return "ffmpeg was stopped from outside the recorder; it starts again by itself."
    return REASONS[failure]
