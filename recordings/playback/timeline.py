"""A camera's timeline for a range: covered time, gaps, motion events with their pre-roll, preview thumbnails.

Coverage and gaps come from the segment index (``footage.index``), computed
by the database. Motion events are read through the access gate's own
queryset (``MotionEvent.objects.for_user``), as the motion API reads them;
each carries the moment to play it from: its start minus the camera's
pre-roll. Thumbnails (``footage.thumbnails``) are the interval starts that
have a preview picture; a range longer than ``MAX_THUMBNAILS`` intervals
lists every n-th one (a bar a few hundred pixels wide shows no more).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from rest_framework.exceptions import NotFound, ValidationError

from accounts.callers import Visitor
from accounts.roles import Action
from cameras.models import Camera
from recordings.footage import index, services, thumbnails
from recordings.footage.models import Thumbnail
from recordings.footage.timeline import Interval
from recordings.models import MotionEvent

MAX_RANGE = timedelta(days=7)
MAX_EVENTS = 2000
MAX_THUMBNAILS = 1440


@dataclass
class Timeline:
    camera: Camera
    stream: str
    start: datetime
    end: datetime
    covered: list[Interval]
    gaps: list[Interval]
    pre_roll_seconds: int
    events: list[dict]
    events_truncated: bool
    thumbnails: list  # interval starts (datetimes); the API view makes them {at, url}
    thumbnail_seconds: int


def check_range(start: datetime, end: datetime) -> None:
    if end <= start:
        raise ValidationError({"end": ["The end must come after the start."]})
    if end - start > MAX_RANGE:
        raise ValidationError({"end": ["Ask for at most 7 days at a time."]})


def _events(user: Visitor, camera: Camera, start: datetime, end: datetime, pre_roll: timedelta) -> list[dict]:
    """Events overlapping [start, end), oldest first (at most ``MAX_EVENTS`` + 1, to tell truncation)."""
    rows = (MotionEvent.objects.for_user(user, Action.VIEW)
            .filter(camera_id=camera.pk, started_at__lt=end)
            .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
            .order_by("started_at", "pk")
            .values("public_id", "started_at", "ended_at", "peak_at", "peak_score")[:MAX_EVENTS + 1])
    return [{**row, "play_from": row["started_at"] - pre_roll} for row in rows]


def timeline_for(user: Visitor, camera: Camera, start: datetime, end: datetime, stream: str | None = None) -> Timeline:
    """Coverage, gaps and events of a camera the caller already reached through the gate (view right)."""
    check_range(start, end)
    stream = stream or services.preferred_stream(camera)
    answer = index.footage_in_range(camera.pk, stream, start, end, with_segments=False)
    pre_roll = services.settings_for(camera).pre_roll_seconds
    events = _events(user, camera, start, end, timedelta(seconds=pre_roll))
    pictures, every = thinned(thumbnails.minutes_in_range(camera.pk, start, end))
    return Timeline(camera, stream, start, end, answer.covered, answer.gaps, pre_roll, events[:MAX_EVENTS],
                    len(events) > MAX_EVENTS, pictures, every * int(thumbnails.interval().total_seconds()))


def thinned(minutes: list[datetime]) -> tuple[list[datetime], int]:
    """At most ``MAX_THUMBNAILS`` of ``minutes``, every n-th; and n."""
    every = -(-len(minutes) // MAX_THUMBNAILS) or 1
    return minutes[::every], every


NO_THUMBNAIL = "This minute has no preview picture (none was taken, or retention removed its footage)."


def thumbnail_of(camera: Camera, at: str) -> Thumbnail:
    """The preview picture of a camera the caller already reached through the gate; 404 when there is none."""
    minute = thumbnails.parse_stamp(at)
    thumbnail = Thumbnail.objects.filter(camera_id=camera.pk, minute=minute).first() if minute else None
    if thumbnail is None:
        raise NotFound(NO_THUMBNAIL)
    return thumbnail
