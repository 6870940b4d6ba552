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
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import FloatField, Func

from recordings.footage.models import Segment
from recordings.footage.timeline import GAP_TOLERANCE


class EpochSeconds(Func):
    """A timestamp as seconds since 1970 (a float), in each database's own arithmetic.

    Turning 8,640 timestamps into aware datetimes costs more than the whole
    rest of a day's playlist; a float per row costs almost nothing.
    """

    arity = 1
    output_field = FloatField()

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return self.as_sql_template(compiler, connection, "EXTRACT(EPOCH FROM {})::float8")

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        return self.as_sql_template(compiler, connection, "((julianday({}) - 2440587.5) * 86400.0)")

    def as_sql_template(self, compiler: Any, connection: Any, template: str) -> tuple[str, list[Any]]:
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return template.format(sql), list(params)


class PlaylistSegment(NamedTuple):
    """What the playlist needs of one segment; ``start`` in seconds since 1970 (UTC).

    A named tuple, not a dataclass: a day has 8,640 of them and tuples are made much faster.
    """

    pk: int
    start: float
    duration: float
    bytes: int
    init_size: int
    run: str
    codecs: str

    @property
    def end(self) -> float:
        return self.start + self.duration  # as the index writes it (NewSegment.end)


def segments_for(camera_id: int, stream: str, start: datetime, end: datetime) -> list[PlaylistSegment]:
    """The segments of a camera's stream that share time with [start, end), in order (one index range scan)."""
    rows = (Segment.objects.of_stream(camera_id, stream).overlapping(start, end).order_by("start")
            .annotate(epoch=EpochSeconds("start"))
            .values_list("pk", "epoch", "duration", "bytes", "init_size", "run", "codecs"))
    # The ORM writes the SQL; the rows come straight from the cursor: every column is a plain number
    # or text, and Django's per-row handling cost as much as the query itself for a day's 8,640 rows.
    sql, params = rows.query.sql_with_params()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return list(map(PlaylistSegment._make, cursor.fetchall()))


def segment_uri(pk: int) -> str:
    return f"s/{pk}.mp4"


class _Stamps:
    """``EXT-X-PROGRAM-DATE-TIME`` values (ISO 8601, milliseconds, UTC), the part up to the minute made once."""

    def __init__(self) -> None:
        self.minutes: dict[int, str] = {}

    def __call__(self, epoch: float) -> str:
        minute, millis = divmod(round(epoch * 1000), 60_000)
        prefix = self.minutes.get(minute)
        if prefix is None:
            prefix = self.minutes[minute] = datetime.fromtimestamp(minute * 60, tz=UTC).strftime("%Y-%m-%dT%H:%M:")
        return "%s%06.3fZ" % (prefix, millis / 1000)  # noqa: UP031  (faster than an f-string here)


def _map(pk: int, init_size: int) -> str:
    return f'#EXT-X-MAP:URI="{segment_uri(pk)}",BYTERANGE="{init_size}@0"'


def render(segments: Iterable[PlaylistSegment], *, final: bool, tolerance: timedelta = GAP_TOLERANCE) -> str:
    """The playlist text. ``final``: no more footage can join (VOD with ENDLIST); else an EVENT playlist.

    A segment plays on from the previous one (no discontinuity, same map) when it comes from the same
    run with the same codecs and starts within ``tolerance`` of the previous one's end. The loop
    unpacks tuples rather than reading attributes: it runs 8,640 times for a day.
    """
    body: list[str] = []
    stamp = _Stamps()
    gap = tolerance.total_seconds()
    last_run = last_codecs = None
    last_end = 0.0
    last_init = -1
    longest = 1.0
    for pk, start, duration, size, init, run, codecs in segments:
        if run != last_run or codecs != last_codecs or start - last_end > gap:
            if last_run is not None:
                body.append("#EXT-X-DISCONTINUITY")
            body.append(_map(pk, init))
        elif init != last_init:
            body.append(_map(pk, init))
        if duration > longest:
            longest = duration
        # One %-format per segment: measurably faster than f-strings with format specs here.
        body.append("#EXT-X-PROGRAM-DATE-TIME:%s\n#EXTINF:%.3f,\n#EXT-X-BYTERANGE:%d@%d\ns/%d.mp4"  # noqa: UP031
                    % (stamp(start), duration, size - init, init, pk))
        last_run, last_codecs, last_end, last_init = run, codecs, start + duration, init
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
