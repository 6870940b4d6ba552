"""Which footage motion events claim: pure decisions for "events" cameras and motion marks.

An event claims every segment that overlaps it widened by the camera's
pre-roll before and post-roll after; an event still open claims everything
from its start minus the pre-roll on. An "events" camera records all the
time into a rolling buffer; a buffer segment that no event has claimed once
no future event could still claim it is dropped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

# Motion workers write an event within a second or two of its start; this
# leaves room for a slow one before buffer footage is given up.
CLAIM_MARGIN = timedelta(seconds=10)


@dataclass(frozen=True)
class EventSpan:
    event_id: int
    start: datetime
    end: datetime | None  # None while the event is still open


def window(event: EventSpan, pre_roll: timedelta, post_roll: timedelta) -> tuple[datetime, datetime | None]:
    return event.start - pre_roll, (event.end + post_roll) if event.end is not None else None


def claiming_event(start: datetime, end: datetime, events: Iterable[EventSpan], pre_roll: timedelta,
                   post_roll: timedelta) -> int | None:
    """The first event (by start) whose widened window overlaps [start, end), if any."""
    for event in sorted(events, key=lambda e: e.start):
        window_start, window_end = window(event, pre_roll, post_roll)
        if window_start < end and (window_end is None or window_end > start):
            return event.event_id
    return None


def buffer_horizon(now: datetime, pre_roll: timedelta) -> datetime:
    """Buffer segments that ended before this can no longer be claimed by an event yet to start."""
    return now - pre_roll - CLAIM_MARGIN
