"""What the playback pages need to start: cameras, time zones, the API addresses, where to play.

The timeline page plays one camera: ``?event=<id>`` (the alerts list's
"Play" links) starts at that motion event's start minus the camera's
pre-roll, if the event is the camera's and the person may see it;
``?at=<ISO 8601>`` starts at that moment. The synchronized page plays up to
nine cameras (a site's, or a saved view's) at the same moment, ``?at=`` too.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from accounts.callers import Visitor
from accounts.roles import Action
from accounts.scoping import can
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


def _event_start(user: Visitor, camera: Camera, event_id: str) -> datetime | None:
    try:
        event = (MotionEvent.objects.for_user(user, Action.VIEW)
                 .filter(public_id=event_id, camera_id=camera.pk).only("started_at").first())
    except ValidationError:  # not a UUID
        return None
    if event is None:
        return None
    return event.started_at - timedelta(seconds=services.settings_for(camera).pre_roll_seconds)


def start_moment(user: Visitor, camera: Camera, query: QueryDict) -> datetime | None:
    """Where the page starts playing: an event's pre-roll, a given moment, or nowhere (the person clicks)."""
    if query.get("event"):
        return _event_start(user, camera, query["event"])
    return _moment(query.get("at"))


def start_moment_of(query: QueryDict) -> datetime | None:
    """``?at=`` of the synchronized page (no event there: the cameras differ)."""
    return _moment(query.get("at"))


def export_target(user: Any, cameras: list[Camera]) -> dict[str, Any] | None:
    """Where the page's "Export a range" panel sends its request, or None when the panel is not shown.

    Shown only to whoever may export from every camera of the page (the API
    refuses the rest anyway): one camera asks for a range clip, several for
    a multi-camera export (one zip).
    """
    if not cameras or not all(can(user, Action.EXPORT, camera) for camera in cameras):
        return None
    several = len(cameras) > 1
    return {
        "kind": "bundle" if several else "clip",
        "url": reverse("export-list") if several else reverse("clip-export-range"),
        "cameras": [str(camera.public_id) for camera in cameras],
        "clipsUrl": reverse("clip_list"),
    }


def timeline_context(user: Any, camera: Camera, moment: datetime | None) -> dict[str, Any]:
    config = {
        "camera": str(camera.public_id),
        "timeZone": camera.site.timezone,
        "timelineUrl": reverse("camera-playback-timeline", kwargs={"id": camera.public_id}),
        "playbackUrl": reverse("camera-playback-playback", kwargs={"id": camera.public_id}),
        "liveUrl": reverse("live_camera", args=[camera.public_id]),
        "at": moment.isoformat() if moment else None,
        "export": export_target(user, [camera]),
    }
    return {"camera": camera, "playback_config": config, "speeds": SPEEDS}


SYNC_MAX_CAMERAS = 9


def _camera_urls(camera: Camera) -> dict[str, str]:
    return {
        "id": str(camera.public_id),
        "name": camera.name,
        "site": camera.site.name,
        "timelineUrl": reverse("camera-playback-timeline", kwargs={"id": camera.public_id}),
        "playbackUrl": reverse("camera-playback-playback", kwargs={"id": camera.public_id}),
        "cameraTimelineUrl": reverse("camera_timeline", args=[camera.public_id]),
    }


def sync_context(user: Any, title: str, cameras: list[Camera], moment: datetime | None, *,
                 more: int = 0) -> dict[str, Any]:
    """The synchronized page: the first ``SYNC_MAX_CAMERAS`` cameras, 2x2 up to four, else 3x3.

    Times are shown in the first camera's site's time zone (a saved view may span sites).
    """
    shown = cameras[:SYNC_MAX_CAMERAS]
    config = {
        "cameras": [_camera_urls(camera) for camera in shown],
        "timeZone": shown[0].site.timezone if shown else "UTC",
        "at": moment.isoformat() if moment else None,
        "export": export_target(user, shown),
    }
    return {
        "title": title, "cameras": shown, "left_out": more + len(cameras) - len(shown),
        "layout": "2x2" if len(shown) <= 4 else "3x3", "sync_config": config, "speeds": SPEEDS,
    }
