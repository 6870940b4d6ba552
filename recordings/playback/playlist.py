"""The HLS playlist (fragmented MP4) of a playback session, built from the segment index.

Every segment file starts with its own initialisation section (``ftyp`` +
``moov``, ``init_size`` bytes) followed by fragments that each begin on a
keyframe. The playlist addresses both halves of the same file by byte
range: ``EXT-X-MAP`` names the first ``init_size`` bytes, the segment the
rest. The files of one ffmpeg run share their initialisation and continue
each other's timestamps, so one map serves a whole run and its segments play
back to back. Where footage stops (a gap longer than the index's tolerance),
the run changes (a new ffmpeg, new timestamps) or the codecs change, the
playlist says ``EXT-X-DISCONTINUITY`` and maps the next file's own
initialisation. Every segment carries its wall-clock start
(``EXT-X-PROGRAM-DATE-TIME``), so the player can always tell the time of
the frame on screen, and a camera's drifting clock cannot pile up over a day.

URIs are relative (``s/<segment id>.mp4``): the playlist's own URL holds the
signed session, so segment URLs carry it without repeating it 8,640 times.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from recordings.footage.models import Segment
from recordings.footage.timeline import GAP_TOLERANCE

# Index columns the playlist needs, in the order of ``PlaylistSegment``'s fields.
COLUMNS = ("pk", "start", "end", "duration", "bytes", "init_size", "run", "codecs")


@dataclass(frozen=True)
class PlaylistSegment:
    pk: int
    start: datetime
    end: datetime
    duration: float
    bytes: int
    init_size: int
    run: str
    codecs: str


def segments_for(camera_id: int, stream: str, start: datetime, end: datetime) -> list[PlaylistSegment]:
    """The segments of a camera's stream that share time with [start, end), in order (one index range scan)."""
    rows = (Segment.objects.of_stream(camera_id, stream).overlapping(start, end)
            .order_by("start").values_list(*COLUMNS))
    return [PlaylistSegment(*row) for row in rows]


def segment_uri(pk: int) -> str:
    return f"s/{pk}.mp4"


def _pdt(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment:%Y-%m-%dT%H:%M:%S}.{moment.microsecond // 1000:03d}Z"


def _continues(previous: PlaylistSegment, segment: PlaylistSegment, tolerance: timedelta) -> bool:
    """Whether ``segment`` plays on from ``previous`` with the same initialisation and no gap."""
    return (segment.run == previous.run and segment.codecs == previous.codecs
            and segment.start - previous.end <= tolerance)


def render(segments: Iterable[PlaylistSegment], *, final: bool, tolerance: timedelta = GAP_TOLERANCE) -> str:
    """The playlist text. ``final``: no more footage can join (VOD with ENDLIST); else an EVENT playlist."""
    body: list[str] = []
    previous: PlaylistSegment | None = None
    longest = 1.0
    for segment in segments:
        if previous is None or not _continues(previous, segment, tolerance):
            if previous is not None:
                body.append("#EXT-X-DISCONTINUITY")
            body.append(f'#EXT-X-MAP:URI="{segment_uri(segment.pk)}",BYTERANGE="{segment.init_size}@0"')
        elif segment.init_size != previous.init_size:
            body.append(f'#EXT-X-MAP:URI="{segment_uri(segment.pk)}",BYTERANGE="{segment.init_size}@0"')
        longest = max(longest, segment.duration)
        body.append(f"#EXT-X-PROGRAM-DATE-TIME:{_pdt(segment.start)}")
        body.append(f"#EXTINF:{segment.duration:.3f},")
        body.append(f"#EXT-X-BYTERANGE:{segment.bytes - segment.init_size}@{segment.init_size}")
        body.append(segment_uri(segment.pk))
        previous = segment
    header = [
        "#EXTM3U",
        "#EXT-X-VERSION:7",
        f"#EXT-X-TARGETDURATION:{math.ceil(longest)}",
        "#EXT-X-MEDIA-SEQUENCE:0",
        f"#EXT-X-PLAYLIST-TYPE:{'VOD' if final else 'EVENT'}",
        "#EXT-X-INDEPENDENT-SEGMENTS",
    ]
    footer = ["#EXT-X-ENDLIST"] if final else []
    return "\n".join([*header, *body, *footer]) + "\n"
