"""Motion marks and the events-mode buffer, applied by the recorder to the cameras it holds.

Every few seconds: segments that overlap a motion event (widened by the
camera's pre- and post-roll) get ``has_motion`` and the event; an "events"
camera's buffer segments so claimed become event footage; buffer segments
nobody claimed by the buffer horizon are deleted, file first, then row and
counters. The decisions themselves are ``recordings.footage.windows``.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Case, F, Q, Value, When

from recordings.footage import index, removal, windows
from recordings.footage.models import Segment, SegmentKind
from recordings.footage.services import Plan
from recordings.models import MotionEvent

logger = logging.getLogger(__name__)

# Segments this recent may still be claimed (long post-rolls included); older ones are settled.
LOOKBACK = timedelta(minutes=10)


def recent_events(camera_id: int, now: datetime, post_roll: timedelta) -> list[windows.EventSpan]:
    since = now - LOOKBACK - post_roll
    rows = MotionEvent.objects.filter(camera_id=camera_id, started_at__lte=now).filter(
        Q(ended_at__isnull=True) | Q(ended_at__gte=since)
    ).values_list("pk", "started_at", "ended_at")
    return [windows.EventSpan(pk, start, end) for pk, start, end in rows]


def mark_motion(plan: Plan, now: datetime) -> int:
    """Give recent unmarked segments that events claim their event; buffer becomes event footage."""
    events = recent_events(plan.camera_id, now, plan.post_roll)
    if not events:
        return 0
    candidates = Segment.objects.filter(camera_id=plan.camera_id, has_motion=False, end__gte=now - LOOKBACK)
    claims: dict[int, list[int]] = defaultdict(list)
    for pk, start, end in candidates.values_list("pk", "start", "end"):
        event_id = windows.claiming_event(start, end, events, plan.pre_roll, plan.post_roll)
        if event_id is not None:
            claims[event_id].append(pk)
    kind = Case(When(kind=SegmentKind.BUFFER, then=Value(SegmentKind.EVENT)), default=F("kind"))
    marked = 0
    for event_id, pks in claims.items():
        marked += Segment.objects.filter(pk__in=pks).update(has_motion=True, motion_event_id=event_id, kind=kind)
    return marked


def drop_unclaimed_buffer(plan: Plan, now: datetime) -> int:
    """Delete buffer segments no event can claim any more (held ones stay): files, then rows and counters."""
    horizon = windows.buffer_horizon(now, plan.pre_roll)
    stale = index.buffer_rows_before(plan.camera_id, horizon)
    return removal.delete_segments(segment.pk for segment in stale if not segment.held).segments


def settle(plan: Plan, now: datetime) -> None:
    marked = mark_motion(plan, now)
    dropped = drop_unclaimed_buffer(plan, now)
    if marked or dropped:
        logger.debug("camera %s: %d segment(s) marked with motion, %d buffer segment(s) dropped",
                    plan.camera_id, marked, dropped)
