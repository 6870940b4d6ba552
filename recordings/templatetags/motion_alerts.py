"""Template helpers for motion alerts: the navigation badge, durations, scores, a camera's recent events."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django import template
from django.urls import reverse

from accounts.callers import Visitor
from accounts.roles import Action
from recordings.models import MotionEvent
from recordings.motion import alerts, payload

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
def camera_page(event: MotionEvent) -> str:
    """Where an alert's camera link leads: the camera's page with this event shown ("" once deleted)."""
    return payload.camera_page_url(event)


@register.filter
def as_json(value: Any) -> str:
    """A value as JSON text, for a data attribute (autoescaping quotes it there)."""
    return json.dumps(value, separators=(",", ":"))


def _highlighted_event(request: Any, camera: Any) -> MotionEvent | None:
    """The event named by ``?event=`` on the camera page, if the user may see it and it is this camera's
    (read once per request: the side card and the event list both ask)."""
    if request is None:
        return None
    if not hasattr(request, "_camera_page_event"):
        request._camera_page_event = _read_highlighted_event(request, camera)
    return request._camera_page_event


def _read_highlighted_event(request: Any, camera: Any) -> MotionEvent | None:
    raw = request.GET.get("event", "")
    try:
        public_id = uuid.UUID(raw)
    except ValueError:
        return None
    events = MotionEvent.objects.for_user(request.user, Action.VIEW).select_related("camera__site")
    return events.filter(camera=camera, public_id=public_id).first()


def _with_acknowledge_right(user: Visitor | None, events: list[MotionEvent]) -> list[MotionEvent]:
    may_acknowledge = set(
        MotionEvent.objects.for_user(user, Action.ACKNOWLEDGE).filter(pk__in=[e.pk for e in events])
        .values_list("pk", flat=True)
    )
    for event in events:
        event.can_acknowledge = event.pk in may_acknowledge  # type: ignore[attr-defined]  # for the template
    return events


@register.inclusion_tag("recordings/_camera_alert.html", takes_context=True)
def camera_alert(context: dict[str, Any], camera: Any) -> dict[str, Any]:
    """The event an alert link names (``?event=``), shown beside the live picture; nothing without one."""
    request = context.get("request")
    highlighted = _highlighted_event(request, camera)
    if highlighted is not None and request is not None:  # there is none without a request
        _with_acknowledge_right(request.user, [highlighted])
    return {"event": highlighted, "request": request, "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("recordings/_camera_events.html", takes_context=True)
def camera_events(context: dict[str, Any], camera: Any, limit: int = 8) -> dict[str, Any]:
    """The camera page's recent motion: its newest events (through the gate), the alert's one marked."""
    request = context.get("request")
    user = getattr(request, "user", None)
    visible = MotionEvent.objects.for_user(user, Action.VIEW).filter(camera=camera).select_related("camera__site")
    events = _with_acknowledge_right(user, list(visible[:limit]))
    return {
        "camera": camera,
        "events": events,
        "highlighted": _highlighted_event(request, camera),
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "more_url": reverse("alert_list") + f"?camera={camera.public_id}",
    }
