"""What the timeline page needs to start: the camera, its site's time zone, the API addresses, where to play.

``?event=<id>`` (the alerts list's "Play" links) starts at that motion
event's start minus the camera's pre-roll, if the event is the camera's and
the person may see it; ``?at=<ISO 8601>`` starts at that moment.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from accounts.roles import Action
from cameras.models import Camera
from recordings.footage import services
from recordings.models import MotionEvent

SPEEDS = (1, 2, 4, 8, 16)


def _moment(value: str | None) -> datetime | None:
    """``?at=`` (ISO 8601, e.g. from a motion alert): where to start playing; ignored when unreadable."""
    if not value:
        return None
    try:
        moment = parse_datetime(value.replace(" ", "+"))
    except ValueError:
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _event_start(user: Any, camera: Camera, event_id: str) -> datetime | None:
    try:
        event = (MotionEvent.objects.for_user(user, Action.VIEW)
                 .filter(public_id=event_id, camera_id=camera.pk).only("started_at").first())
    except ValidationError:  # not a UUID
        return None
    if event is None:
        return None
    return event.started_at - timedelta(seconds=services.settings_for(camera).pre_roll_seconds)


def start_moment(user: Any, camera: Camera, query: QueryDict) -> datetime | None:
    """Where the page starts playing: an event's pre-roll, a given moment, or nowhere (the person clicks)."""
    if query.get("event"):
        return _event_start(user, camera, query["event"])
    return _moment(query.get("at"))


def timeline_context(camera: Camera, moment: datetime | None) -> dict[str, Any]:
    config = {
        "camera": str(camera.public_id),
        "timeZone": camera.site.timezone,
        "timelineUrl": reverse("camera-playback-timeline", kwargs={"id": camera.public_id}),
        "playbackUrl": reverse("camera-playback-playback", kwargs={"id": camera.public_id}),
        "liveUrl": reverse("live_camera", args=[camera.public_id]),
        "at": moment.isoformat() if moment else None,
    }
    return {"camera": camera, "playback_config": config, "speeds": SPEEDS}
