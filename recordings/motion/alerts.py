"""Read-side helpers of the alert pages: the navigation badge and where an event sits in a list.

Everything starts from ``MotionEvent.objects.for_user`` (the access gate).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.callers import Visitor
from accounts.roles import Action
from accounts.scoping import is_signed_in
from recordings.models import MotionEvent

if TYPE_CHECKING:
    from recordings.motion.services import BulkAcknowledgement

BADGE_WINDOW = timedelta(hours=24)
BADGE_CAP = 99  # the badge shows "99+" beyond this; counting further is wasted work


def badge_since() -> datetime:
    return timezone.now() - BADGE_WINDOW


def badge_events(user: Visitor | None) -> QuerySet:
    """The alerts the badge counts: raised (not in a cooldown) in the last 24 hours on a camera the
    user may view that still exists, and acknowledged by nobody yet. Through the access gate."""
    if not is_signed_in(user):
        return MotionEvent.objects.none()
    return MotionEvent.objects.for_user(user, Action.VIEW).filter(
        alerted=True, acknowledged_at__isnull=True, started_at__gte=badge_since(), camera__isnull=False
    )


def in_badge(event: MotionEvent, since: datetime) -> bool:
    """Whether the badge counts this event (the rule of ``badge_events``, for rows already loaded)."""
    return event.alerted and event.acknowledged_at is None and event.started_at >= since and event.camera_id is not None


def unacknowledged_count(user: Visitor | None) -> int:
    """The badge's number (``badge_events``), capped at ``BADGE_CAP + 1``: a busy organization
    does not count thousands of rows on every page."""
    return badge_events(user).order_by()[: BADGE_CAP + 1].count()


def position_of(events: QuerySet, event: MotionEvent) -> int:
    """How many events come before ``event`` in the newest-first list ``events``."""
    newer = Q(started_at__gt=event.started_at) | Q(started_at=event.started_at, pk__gt=event.pk)
    return events.filter(newer).count()


def _alerts(count: int) -> str:
    return f"{count} alert{'' if count == 1 else 's'}"


def bulk_summary(result: BulkAcknowledgement) -> list[tuple[int, str]]:
    """What to tell the person after a bulk acknowledgement: (message level, sentence) pairs."""
    said = []
    if result.acknowledged:
        said.append((messages.SUCCESS, f"{_alerts(len(result.acknowledged))} acknowledged."))
    if result.already:
        said.append((messages.INFO, f"{_alerts(len(result.already))} had been acknowledged by someone else already."))
    if result.refused:
        said.append((messages.WARNING, f"{_alerts(len(result.refused))} could not be acknowledged: "
                                       "they are gone or your role does not allow it."))
    return said
