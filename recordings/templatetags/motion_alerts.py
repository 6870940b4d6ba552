"""Template helpers for motion alerts: the navigation badge, durations, scores, local times."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.templatetags.tz import do_timezone

from recordings import alerts, schedules
from recordings.models import MotionEvent

register = template.Library()


@register.simple_tag(takes_context=True)
def alert_badge_count(context: dict[str, Any]) -> int:
    """Unacknowledged alerts of the last 24 hours for the signed-in user (one capped count)."""
    request = context.get("request")
    return alerts.unacknowledged_count(getattr(request, "user", None))


@register.filter
def badge_label(count: int) -> str:
    return f"{alerts.BADGE_CAP}+" if count > alerts.BADGE_CAP else str(count)


def _seconds_label(seconds: float) -> str:
    seconds = max(int(round(seconds)), 0)
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {rest} s" if rest else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


@register.filter
def event_duration(event: MotionEvent) -> str:
    if event.ended_at is None:
        return "ongoing"
    return _seconds_label((event.ended_at - event.started_at).total_seconds())


@register.filter
def percent(score: float) -> str:
    """A 0..1 share as a percentage of the picture."""
    return f"{score * 100:.1f} %"


@register.filter
def site_time(moment: datetime | None, event: MotionEvent) -> datetime | None:
    """``moment`` in the time zone of the event's site (UTC once the camera is gone)."""
    if moment is None:
        return None
    camera = event.camera
    # do_timezone marks the value so later filters (``date``) keep this zone.
    return do_timezone(moment, schedules.zone(camera.site.timezone if camera is not None else "UTC"))
