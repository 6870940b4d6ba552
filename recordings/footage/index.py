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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, Case, F, Func, Max, Q, Value, When, Window
from django.db.models.expressions import RowRange

from recordings.footage import holds
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
    """Delete index rows whose files are already gone, moving the counters down. Returns how many went."""
    removed = 0
    with transaction.atomic():
        for segment in segments:
            if Segment.objects.filter(pk=segment.pk).delete()[0]:
                move_counters(segment.organization_id, segment.camera_id, -segment.bytes, -1)
                removed += 1
    return removed


# --- queries --------------------------------------------------------------------------


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


SEGMENT_FIELDS = ("start", "end", "duration", "bytes", "kind", "has_motion", "codec", "width", "height", "tier")


def footage_in_range(camera_id: int, stream: str, start: datetime, end: datetime, *,
                     with_segments: bool = True) -> RangeAnswer:
    """Covered intervals and gaps of one camera's stream in [start, end), and its segments if asked."""
    covered = covered_intervals(camera_id, stream, start, end)
    segments = []
    if with_segments:
        rows = Segment.objects.of_stream(camera_id, stream).overlapping(start, end).order_by("start")
        segments = list(rows.values(*SEGMENT_FIELDS))
    return RangeAnswer(start, end, stream, covered, gaps(covered, start, end), segments)


class StartsLater(Func):
    """``later > earlier + seconds``, in each database's own date arithmetic.

    Django's generic datetime-plus-duration runs a Python function per row
    on SQLite; ``julianday`` is SQLite's own and much faster.
    """

    arity = 2
    output_field = BooleanField()
    conditional = True

    def __init__(self, later: Any, earlier: Any, *, seconds: float) -> None:
        super().__init__(later, earlier)
        self.seconds = seconds

    def _parts(self, compiler: Any, connection: Any) -> tuple[str, str, list[Any]]:
        (later, later_params), (earlier, earlier_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        return later, earlier, [*later_params, *earlier_params]

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        later, earlier, params = self._parts(compiler, connection)
        return f"({later} > {earlier} + %s * INTERVAL '1 second')", [*params, self.seconds]

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:
        later, earlier, params = self._parts(compiler, connection)
        return f"(julianday({later}) > julianday({earlier}) + %s)", [*params, self.seconds / 86400]


def covered_intervals(camera_id: int, stream: str, start: datetime, end: datetime) -> list[Interval]:
    """The covered stretches of [start, end), worked out by the database.

    A window over the index order gives each segment the latest end of the
    segments before it; only the segments that start more than the gap
    tolerance after that come back (where footage resumes), plus the last
    end. A day of 8,640 segments thus costs two small answers instead of
    17,280 timestamps to load into Python. Same result as ``timeline.merge``.
    """
    rows = Segment.objects.of_stream(camera_id, stream).overlapping(start, end)
    ended_before = Window(Max("end"), order_by=F("start").asc(), frame=RowRange(start=None, end=-1))
    after_gap = StartsLater(F("start"), F("ended_before"), seconds=GAP_TOLERANCE.total_seconds())
    resumes = list(
        rows.annotate(ended_before=ended_before)
        .filter(Q(ended_before__isnull=True) | Q(after_gap))
        .order_by("start").values_list("start", "ended_before")
    )
    if not resumes:
        return []
    last_end = rows.aggregate(last=Max("end"))["last"]
    island_ends = [ended for _, ended in resumes[1:]] + [last_end]
    intervals = [Interval(max(first, start), min(last, end)) for (first, _), last in zip(resumes, island_ends,
                                                                                        strict=True)]
    return [interval for interval in intervals if interval.end > interval.start]


def buffer_rows_before(camera_id: int, horizon: datetime) -> list[Segment]:
    return list(Segment.objects.filter(camera_id=camera_id, kind=SegmentKind.BUFFER, end__lt=horizon))
