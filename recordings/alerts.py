"""Read-side helpers of the alert pages: the navigation badge and where an event sits in a list.

Everything starts from ``MotionEvent.objects.for_user`` (the access gate).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.roles import Action
from accounts.scoping import is_signed_in
from recordings.models import MotionEvent

BADGE_WINDOW = timedelta(hours=24)
BADGE_CAP = 99  # the badge shows "99+" beyond this; counting further is wasted work


def badge_since() -> datetime:
    return timezone.now() - BADGE_WINDOW


def unacknowledged_count(user: Any) -> int:
    """Alerts of the last 24 hours, on cameras the user may view, that nobody acknowledged yet.

    Capped at ``BADGE_CAP + 1`` so a busy organization does not count thousands of rows per page.
    """
    if not is_signed_in(user):
        return 0
    events = MotionEvent.objects.for_user(user, Action.VIEW).filter(
        alerted=True, acknowledged_at__isnull=True, started_at__gte=badge_since()
    )
    return events.order_by()[: BADGE_CAP + 1].count()


def position_of(events: QuerySet, event: MotionEvent) -> int:
    """How many events come before ``event`` in the newest-first list ``events``."""
    newer = Q(started_at__gt=event.started_at) | Q(started_at=event.started_at, pk__gt=event.pk)
    return events.filter(newer).count()
