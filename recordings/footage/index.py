"""The segment index: adding and removing segments with their byte counters, and range queries.

Every change of the index moves the per-camera and per-organization
counters in the same transaction (``F()`` updates), so usage is always
read from two small rows and nothing ever walks a disk to know it.

Order of durability: a file is synced and in its final place before its row
is written; on removal the file goes before its row. So a crash leaves at
worst a file without a row (the recorder's recovery and ``check_footage``
index it) or a row without a file (``check_footage --repair`` removes it),
never footage that was meant to be kept and is lost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import IntegrityError, connections, transaction
from django.db.models import Case, F, Max, Q, Value, When, Window
from django.db.models.expressions import RowRange

from recordings.footage import holds, thumbnails
from recordings.footage.epochs import from_microseconds, to_microseconds
from recordings.footage.models import CameraUsage, OrganizationUsage, RecordingHealth, Segment, SegmentKind
from recordings.footage.mp4 import MediaFacts
from recordings.footage.timeline import GAP_TOLERANCE, Interval, gaps

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NewSegment:
    """A durable segment file, ready to be indexed."""

    organization_id: int
    camera_id: int
    stream: str
    kind: str
    start: datetime
    facts: MediaFacts
    run: str
    key: str
    sha256: str
    local_day: date  # the camera site's date at ``start``, for "bytes today"

    @property
    def end(self) -> datetime:
        return self.start + timedelta(seconds=self.facts.duration)


def add_segment(new: NewSegment) -> Segment | None:
    """Index one segment and move the counters; None if that camera, stream and start is indexed already."""
    facts = new.facts
    with transaction.atomic():
        try:
            with transaction.atomic():
                segment = Segment.objects.create(
                    organization_id=new.organization_id, camera_id=new.camera_id, stream=new.stream,
                    kind=new.kind, start=new.start, end=new.end, duration=facts.duration, bytes=facts.size,
                    codec=facts.codec, codecs=facts.codecs, width=facts.width, height=facts.height,
                    has_audio=facts.has_audio, init_size=facts.init_size, keyframes=list(facts.keyframes),
                    run=new.run, key=new.key, sha256=new.sha256,
                )  # fmt: skip
        except IntegrityError:
            logger.info("segment %s is indexed already", new.key)
            return None
        move_counters(new.organization_id, new.camera_id, facts.size, 1)
        # After the counters: the camera's lock is held, so a hold set meanwhile is seen (see holds).
        if holds.covering(new.camera_id, new.start, new.end):
            segment.held = bool(Segment.objects.filter(pk=segment.pk).update(held=True))
        _note_in_health(new.camera_id, segment.end, facts.size, new.local_day)
    return segment


def move_counters(organization_id: int, camera_id: int | None, size: int, count: int) -> None:
    """Add ``size`` bytes and ``count`` segments (negative to remove) to the camera's and organization's counters.

    Call inside the transaction that adds or removes the rows.
    """
    changes = {"bytes": F("bytes") + size, "segments": F("segments") + count}
    if camera_id is not None and not CameraUsage.objects.filter(camera_id=camera_id).update(**changes):
        CameraUsage.objects.get_or_create(camera_id=camera_id, defaults={"organization_id": organization_id})
        CameraUsage.objects.filter(camera_id=camera_id).update(**changes)
    if not OrganizationUsage.objects.filter(organization_id=organization_id).update(**changes):
        OrganizationUsage.objects.get_or_create(organization_id=organization_id)
        OrganizationUsage.objects.filter(organization_id=organization_id).update(**changes)


def _note_in_health(camera_id: int, end: datetime, size: int, day: date) -> None:
    today = Case(When(day=day, then=F("bytes_today") + size), default=Value(size))
    if not RecordingHealth.objects.filter(camera_id=camera_id).update(last_segment_at=end, bytes_today=today,
                                                                        day=day):
        RecordingHealth.objects.get_or_create(camera_id=camera_id, defaults={
            "last_segment_at": end, "bytes_today": size, "day": day})


def remove_rows(segments: Iterable[Segment]) -> int:
    """Delete index rows whose files are already gone, moving the counters down. Returns how many went.

    The thumbnails taken from these segments go with them (their files, then their rows).
    """
    removed = 0
    segments = list(segments)
    with transaction.atomic():
        thumbnails.remove_for_segments(segment.pk for segment in segments)
        for segment in segments:
            if Segment.objects.filter(pk=segment.pk).delete()[0]:
                move_counters(segment.organization_id, segment.camera_id, -segment.bytes, -1)
                removed += 1
    return removed


# --- queries --------------------------------------------------------------------------
#
# Every read of a camera's footage over a time range goes through one shape: the rows of
# ``Segment.objects.of_stream(camera, stream).overlapping(start, end)``, a range scan of the
# (camera, stream, start_us, end_us) index, with times read as integers (``start_us``/``end_us``,
# microseconds since the epoch, see ``recordings.footage.epochs``) so no row is parsed into a
# datetime. Coverage reads only that index; listings (the API's, the HLS playlist's) read their
# columns as tuples through ``segments_in_range``.


@dataclass
class RangeAnswer:
    """What a camera's stream holds between ``start`` and ``end``."""

    start: datetime
    end: datetime
    stream: str
    covered: list[Interval]
    gaps: list[Interval]
    segments: list[dict] = field(default_factory=list)

    @property
    def covered_seconds(self) -> float:
        return sum(interval.seconds for interval in self.covered)


# What the API lists of each segment, in this order.
SEGMENT_FIELDS = ("start", "end", "duration", "bytes", "kind", "has_motion", "codec", "width", "height", "tier")
_LISTED_COLUMNS = ("start_us", "end_us", "duration", "bytes", "kind", "has_motion", "codec", "width", "height",
                   "tier")
GAP_TOLERANCE_US = GAP_TOLERANCE // timedelta(microseconds=1)


def footage_in_range(camera_id: int, stream: str, start: datetime, end: datetime, *,
                     with_segments: bool = True) -> RangeAnswer:
    """Covered intervals and gaps of one camera's stream in [start, end), and its segments if asked.

    With the segments, one read serves both: the rows are in hand, so the
    covered stretches are merged from them here rather than asked of the
    database a second time (the window query of ``covered_intervals`` cost
    as much as the merge of a day's rows in Python).
    """
    if not with_segments:
        covered = covered_intervals(camera_id, stream, start, end)
        return RangeAnswer(start, end, stream, covered, gaps(covered, start, end))
    rows = segments_in_range(camera_id, stream, start, end, _LISTED_COLUMNS)
    covered = _merged(rows, to_microseconds(start), to_microseconds(end))
    return RangeAnswer(start, end, stream, covered, gaps(covered, start, end), _listed(rows))


def segments_in_range(camera_id: int, stream: str, start: datetime, end: datetime,
                      columns: Sequence[str]) -> list[tuple]:
    """The segments of a camera's stream that share time with [start, end), oldest first, as tuples of ``columns``.

    The one read of the segments themselves, for the API's listing and the
    HLS playlist (issue 13): ask only for the columns you use, times as
    ``start_us``/``end_us`` (``epochs.from_microseconds`` turns one back into
    a datetime). A playlist needs, for instance,
    ``("start_us", "end_us", "duration", "init_size", "bytes", "run", "tier", "key")``:
    wall-clock tags, ``EXTINF``, ``EXT-X-MAP`` and byte ranges,
    discontinuities where the run changes or a gap opens, and where the bytes
    are. A day of one camera (8,640 rows) is one index range scan, with no
    model instance, dict or datetime made per row.

    The values are those the database driver returns, without Django's
    per-value converters (a third of a day's read on PostgreSQL, a quarter on
    SQLite): integers, floats and strings as they are, a boolean column as
    ``True``/``False`` on PostgreSQL but ``1``/``0`` on SQLite.
    """
    rows = Segment.objects.of_stream(camera_id, stream).overlapping(start, end).order_by("start_us")
    sql, params = rows.values_list(*columns).query.get_compiler(rows.db).as_sql()
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _listed(rows: list[tuple]) -> list[dict]:
    """The segments as the API lists them (``SEGMENT_FIELDS``), times as aware UTC datetimes."""
    # fromtimestamp is the fastest way from microseconds to an aware datetime, and exact: a float
    # holds today's epoch seconds to within 0.24 us, which rounds back to the stored microsecond.
    at = datetime.fromtimestamp
    return [
        {"start": at(start_us / 1e6, UTC), "end": at(end_us / 1e6, UTC), "duration": duration, "bytes": size,
         "kind": kind, "has_motion": bool(has_motion), "codec": codec, "width": width, "height": height, "tier": tier}
        for start_us, end_us, duration, size, kind, has_motion, codec, width, height, tier in rows
    ]  # fmt: skip


def _merged(rows: list[tuple], first: int, last: int) -> list[Interval]:
    """Covered stretches of [first, last) (microseconds) from rows that start with (start_us, end_us), in order.

    The same answer as ``covered_intervals``: a row that starts within the gap
    tolerance of the latest end so far continues the stretch. Every row
    shares time with the range, so clipping the stretches to it afterwards
    is the same as clipping each row, for a day's rows at a third of the cost.
    """
    if not rows:
        return []
    islands: list[tuple[int, int]] = []
    island_start, island_end = rows[0][0], rows[0][1]
    for row in rows:
        if row[0] - island_end > GAP_TOLERANCE_US:
            islands.append((island_start, island_end))
            island_start, island_end = row[0], row[1]
        elif row[1] > island_end:
            island_end = row[1]
    islands.append((island_start, island_end))
    return [Interval(from_microseconds(max(a, first)), from_microseconds(min(b, last))) for a, b in islands]


def covered_intervals(camera_id: int, stream: str, start: datetime, end: datetime) -> list[Interval]:
    """The covered stretches of [start, end), worked out by the database from the range index alone.

    A window over the index order gives each segment the latest end of the
    segments before it; only the segments that start more than the gap
    tolerance after that come back (where footage resumes), plus the last
    end. A day of 8,640 segments thus costs two small answers instead of
    17,280 timestamps to load into Python, and the comparisons are of
    integers. Same result as ``timeline.merge``.
    """
    rows = Segment.objects.of_stream(camera_id, stream).overlapping(start, end)
    ended_before = Window(Max("end_us"), order_by=F("start_us").asc(), frame=RowRange(start=None, end=-1))
    resumes = list(
        rows.annotate(ended_before=ended_before)
        .filter(Q(ended_before__isnull=True) | Q(start_us__gt=F("ended_before") + GAP_TOLERANCE_US))
        .order_by("start_us").values_list("start_us", "ended_before")
    )
    if not resumes:
        return []
    last_end = rows.aggregate(last=Max("end_us"))["last"]
    first, last = to_microseconds(start), to_microseconds(end)
    island_ends = [ended for _, ended in resumes[1:]] + [last_end]
    spans = [(max(island_start, first), min(island_end, last))
             for (island_start, _), island_end in zip(resumes, island_ends, strict=True)]
    return [Interval(from_microseconds(a), from_microseconds(b)) for a, b in spans if b > a]


def buffer_rows_before(camera_ids: list[int], horizon: datetime) -> list[Segment]:
    return list(Segment.objects.filter(camera_id__in=camera_ids, kind=SegmentKind.BUFFER, end__lt=horizon))
