"""What the timeline page needs to start: the camera, its site's time zone and the API addresses."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.urls import reverse
from django.utils.dateparse import parse_datetime

from cameras.models import Camera

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


def timeline_context(camera: Camera, at: str | None) -> dict[str, Any]:
    moment = _moment(at)
    config = {
        "camera": str(camera.public_id),
        "timeZone": camera.site.timezone,
        "timelineUrl": reverse("camera-playback-timeline", kwargs={"id": camera.public_id}),
        "playbackUrl": reverse("camera-playback-playback", kwargs={"id": camera.public_id}),
        "liveUrl": reverse("live_camera", args=[camera.public_id]),
        "at": moment.isoformat() if moment else None,
    }
    return {"camera": camera, "playback_config": config, "speeds": SPEEDS}
