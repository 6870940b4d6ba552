"""Pure decisions of footage housekeeping: retention, quota levels, the disk's floor, stopped recording.

No database and no clock: every function takes the values it decides on
(``now`` included), so the rules are tested without a database and the
queries in ``recordings.footage.housekeeping`` only apply them.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from datetime import datetime, timedelta
from enum import Enum

# StoragePolicy's defaults, for organizations that never saved one.
DEFAULT_CONTINUOUS_DAYS = 7
DEFAULT_EVENT_DAYS = 30

# Owners and admins are told when usage reaches this share of the quota, once;
# the notice is armed again only after usage fell below the second share, so
# usage that hovers around 90 % does not send a notice every minute.
QUOTA_WARN_SHARE = 0.9
QUOTA_REARM_SHARE = 0.85


def keep_days(kind: str, has_motion: bool, continuous_days: int, event_days: int) -> int:
    """Days a segment is kept: event footage by the event days, continuous by the continuous days.

    Continuous footage that overlaps a motion event is event footage too and
    stays for the longer of the two; the events-mode buffer (footage no event
    claimed, left by a recorder that stopped) goes with continuous footage.
    ``housekeeping.RULES`` is the same decision in SQL.
    """
    if kind == "event":
        return event_days
    if kind == "continuous" and has_motion:
        return max(continuous_days, event_days)
    return continuous_days


def expired_if_ended_by(now: datetime, days: int) -> datetime:
    """A segment that ended at or before this is no longer covered by ``days`` of retention at ``now``."""
    return now - timedelta(days=days)


def quota_excess(used: int, quota: int | None) -> int:
    """Bytes to delete so that ``used`` fits the quota (0 without a quota)."""
    return max(0, used - quota) if quota else 0


class QuotaNotice(Enum):
    WARN = "warn"  # tell owners and admins now
    REARM = "rearm"  # usage fell back: the next crossing is told again


def quota_notice(used: int, quota: int | None, *, noticed: bool) -> QuotaNotice | None:
    """What to do about the 90 % notice, given usage and whether the current crossing was told."""
    if not quota:
        return QuotaNotice.REARM if noticed else None
    share = used / quota
    if share >= QUOTA_WARN_SHARE and not noticed:
        return QuotaNotice.WARN
    if share < QUOTA_REARM_SHARE and noticed:
        return QuotaNotice.REARM
    return None


def floor_bytes(total: int, min_free_bytes: int, min_free_percent: float) -> int:
    """The free space to keep on the recordings disk: the larger of the two settings (0 turns one off)."""
    return max(min_free_bytes, math.ceil(total * min_free_percent / 100))


def shortfall(free: int, floor: int) -> int:
    """Bytes to free so that ``free`` reaches ``floor``."""
    return max(0, floor - free)


def oldest_first(queues: Iterable[list[tuple[datetime, int, int]]], need: int, limit: int) -> list[int]:
    """Ids of the oldest segments across queues until their bytes reach ``need`` (at most ``limit``).

    Each queue holds one organization's ``(start, id, bytes)``, oldest first.
    """
    chosen, freed = [], 0
    for _start, segment_id, size in heapq.merge(*queues):
        if freed >= need or len(chosen) >= limit:
            break
        chosen.append(segment_id)
        freed += size
    return chosen


def smallest_prefix(rows: Iterable[tuple[int, int]], need: int) -> list[int]:
    """Ids from the start of ``(id, bytes)`` rows (oldest first) until their bytes reach ``need``."""
    chosen, freed = [], 0
    for segment_id, size in rows:
        if freed >= need:
            break
        chosen.append(segment_id)
        freed += size
    return chosen


def stopped_since(last_segment_at: datetime | None, switched_on_at: datetime) -> datetime:
    """Since when a camera that should record has recorded nothing new.

    The newest footage, unless the recording settings changed after it (a
    camera switched on a week after its last footage has not been stopped
    for a week).
    """
    return max(last_segment_at, switched_on_at) if last_segment_at else switched_on_at


def stop_notice_due(since: datetime, now: datetime, minutes: int, noticed_at: datetime | None) -> bool:
    """Recording stopped longer than ``minutes`` ago and nobody was told about this stop yet.

    A notice given after ``since`` was about this very stop; footage newer
    than the last notice means recording resumed, so the next stop is told.
    """
    if now - since < timedelta(minutes=minutes):
        return False
    return noticed_at is None or noticed_at < since
