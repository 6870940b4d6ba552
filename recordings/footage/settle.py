"""Motion marks and the events-mode buffer, applied by the recorder to the cameras it holds.

Every few seconds: segments that overlap a motion event (widened by the
camera's pre- and post-roll) get ``has_motion`` and the event; an "events"
camera's buffer segments so claimed become event footage; buffer segments
nobody claimed by the buffer horizon are deleted, file first, then row and
counters. The decisions themselves are ``recordings.footage.windows``.
Events are read from footage's own motion spans (``motion_spans``), which the
motion feature writes with each event.

A recorder settles all its cameras together (``settle_all``): one query for
their recent events and one for their stale buffer, whatever their number;
only cameras with events cost more. Per camera, that was two queries every
five seconds, as much of the recorder's time as indexing the segments.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import datetime, timedelta

from django.db.models import Case, F, Value, When

from recordings.footage import index, motion_spans, removal, windows
from recordings.footage.models import Segment, SegmentKind
from recordings.footage.services import Plan

logger = logging.getLogger(__name__)

# Segments this recent may still be claimed (long post-rolls included); older ones are settled.
LOOKBACK = timedelta(minutes=10)


def _since(plan: Plan, now: datetime) -> datetime:
    return now - LOOKBACK - plan.post_roll


def recent_events(plans: list[Plan], now: datetime) -> dict[int, list[windows.EventSpan]]:
    """Each camera's events that may still claim footage (open, or ended within its look-back), in one query."""
    if not plans:
        return {}
    earliest = min(_since(plan, now) for plan in plans)
    rows = motion_spans.recent([plan.camera_id for plan in plans], now, earliest)
    since = {plan.camera_id: _since(plan, now) for plan in plans}
    events: dict[int, list[windows.EventSpan]] = defaultdict(list)
    for camera_id, event_id, start, end in rows:
        if end is None or end >= since[camera_id]:
            events[camera_id].append(windows.EventSpan(event_id, start, end))
    return events


def mark_motion(plan: Plan, now: datetime, events: list[windows.EventSpan]) -> int:
    """Give recent unmarked segments that events claim their event; buffer becomes event footage."""
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


def drop_unclaimed_buffer(plans: list[Plan], now: datetime) -> int:
    """Delete buffer segments no event can claim any more (held ones stay): files, then rows and counters.

    One query for every camera (up to the latest horizon, that of no pre-roll), then each
    camera's own horizon; the deletion itself is ``removal.delete_segments``, which spares
    held footage and leaves tiers that cannot delete yet alone.
    """
    if not plans:
        return 0
    horizons = {plan.camera_id: windows.buffer_horizon(now, plan.pre_roll) for plan in plans}
    rows = index.buffer_rows_before(list(horizons), max(horizons.values()))
    stale = [segment.pk for segment in rows if segment.end < horizons[segment.camera_id] and not segment.held]
    return removal.delete_segments(stale).segments if stale else 0


def settle_all(plans: list[Plan], now: datetime) -> None:
    """Motion marks and the buffer of several cameras (a recorder's), with two queries when nothing happens."""
    events = recent_events(plans, now)
    marked = sum(mark_motion(plan, now, events[plan.camera_id]) for plan in plans if plan.camera_id in events)
    dropped = drop_unclaimed_buffer(plans, now)
    if marked or dropped:
        logger.debug("%d segment(s) marked with motion, %d buffer segment(s) dropped", marked, dropped)


def settle(plan: Plan, now: datetime) -> None:
    settle_all([plan], now)
