"""What footage is told about motion: each event's camera and time span, as the recorder needs them.

The motion feature (``recordings.motion.services``) calls these in the same
transaction as it opens or ends a ``MotionEvent``; the recorder's motion
marks and events-mode buffer (``recordings.footage.settle``) read the spans
back (``recent``). This keeps the dependency pointing one way: motion knows
footage, footage knows no motion model.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q

from recordings.footage.models import MotionSpan


def opened(event_id: int, camera_id: int, started_at: datetime) -> None:
    """Motion event ``event_id`` started on the camera at ``started_at`` (still open)."""
    MotionSpan.objects.create(event_id=event_id, camera_id=camera_id, started_at=started_at)


def ended(event_id: int, ended_at: datetime) -> int:
    """The event ended at ``ended_at``; an ended span keeps its first end, as the event does. Rows changed."""
    return MotionSpan.objects.filter(event_id=event_id, ended_at__isnull=True).update(ended_at=ended_at)


# (camera id, event id, start, end): end is None while the event is open.
SpanRow = tuple[int, int, datetime, datetime | None]


def recent(camera_ids: Iterable[int], now: datetime, earliest: datetime) -> list[SpanRow]:
    """Spans of these cameras started by ``now`` that are still open or ended at ``earliest`` or later."""
    rows = MotionSpan.objects.filter(camera_id__in=list(camera_ids), started_at__lte=now).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=earliest)
    ).order_by("-started_at", "-event_id")  # the events' own order: of two starting together, the later one first
    return list(rows.values_list("camera_id", "event_id", "started_at", "ended_at"))
