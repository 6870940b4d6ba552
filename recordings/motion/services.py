"""Motion detection services: settings, the event lifecycle, alerts and acknowledgements.

Pages, the API and the admin change settings and acknowledge through here;
the motion workers (``recordings.motion.watch``) open, raise and close events
through here, and footage is told each event's span in the same transaction
(``recordings.footage.motion_spans``: the recorder keeps footage around
motion). Every alert goes to the camera's event group, which only users
the gate lets view the camera have joined, and to the notification rules.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import Http404
from django.utils import timezone

from accounts import audit
from accounts.audit import actor_label
from accounts.callers import Visitor, person_of
from accounts.roles import Action
from accounts.scoping import access, require_visible
from cameras.models import Camera
from portal.events import camera_group, send_on_commit
from portal.work import enqueue
from recordings import schedules, storage
from recordings.footage import motion_spans
from recordings.models import MotionEvent, MotionSettings
from recordings.motion.payload import alert_payload

if TYPE_CHECKING:
    from recordings.motion.detector import DetectorSettings

logger = logging.getLogger(__name__)

MAX_POLYGONS = 16
MAX_POINTS = 64
MAX_NOTE_LENGTH = 500
MAX_BULK = 100  # one page of alerts is 25; "acknowledge all shown" never needs more
SETTING_FIELDS = ("enabled", "sensitivity", "min_area", "analysis_fps", "cooldown_seconds", "masks", "schedule")


class AlreadyAcknowledged(Exception):
    """Someone acknowledged the alert first; the message says who and when."""


# --- settings -------------------------------------------------------------------------


def _point(value: Any) -> list[float]:
    if (not isinstance(value, list | tuple) or len(value) != 2
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
            or not all(0 <= v <= 1 for v in value)):
        raise ValidationError("Each mask point is [x, y] with both numbers from 0 to 1.")
    return [round(float(value[0]), 4), round(float(value[1]), 4)]


def clean_masks(value: Any) -> list[list[list[float]]]:
    """Check mask polygons from a form or the API; return them in stored form."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError("Masks are a list of polygons.")
    if len(value) > MAX_POLYGONS:
        raise ValidationError(f"Draw at most {MAX_POLYGONS} masks.")
    masks = []
    for polygon in value:
        if not isinstance(polygon, list) or not 3 <= len(polygon) <= MAX_POINTS:
            raise ValidationError(f"A mask is a polygon of 3 to {MAX_POINTS} points.")
        masks.append([_point(point) for point in polygon])
    return masks


def settings_for(camera: Camera) -> MotionSettings:
    """The camera's motion settings, or unsaved defaults (detection off) if it has none."""
    try:
        return camera.motion_settings
    except MotionSettings.DoesNotExist:
        return MotionSettings(camera=camera)


@transaction.atomic
def update_settings(user: Visitor, camera_public_id: Any, *, ip: str | None = None, **values: Any) -> MotionSettings:
    """Change a camera's motion settings (``manage`` on the camera). Audit: ``motion.settings``."""
    unknown = set(values) - set(SETTING_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown motion settings: {', '.join(sorted(unknown))}.")
    camera = access(Camera, user, camera_public_id, Action.MANAGE)
    require_visible(user, camera, Action.MANAGE)
    current = MotionSettings.objects.select_for_update().filter(camera=camera).first() or MotionSettings(camera=camera)
    errors: dict[str, list[str]] = {}
    for name, cleaner in (("masks", clean_masks), ("schedule", schedules.clean_schedule)):
        if name in values:
            try:
                values[name] = cleaner(values[name])
            except ValidationError as error:
                errors[name] = error.messages
    for name, value in values.items():
        setattr(current, name, value)
    try:
        current.full_clean(exclude=["camera", *errors])
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    current.save()
    audit.record(user, "motion.settings", organization=camera.site.organization_id, target=camera, ip=ip,
                 changed=sorted(values))
    return current


def detector_settings(motion: MotionSettings) -> DetectorSettings:
    # Imported here: web processes use this module too and never need OpenCV.
    from recordings.motion.detector import DetectorSettings

    masks = tuple(tuple((float(x), float(y)) for x, y in polygon) for polygon in motion.masks or [])
    return DetectorSettings(sensitivity=motion.sensitivity, min_area=motion.min_area, masks=masks)


def is_armed(motion: MotionSettings, site_timezone: str, now: datetime) -> bool:
    """Whether detection should run now: switched on and inside its schedule."""
    return motion.enabled and schedules.is_active(motion.schedule or [], site_timezone, now)


def watched_camera_ids() -> list[int]:
    """Enabled cameras with motion detection switched on (schedules are applied by the watcher)."""
    return list(
        MotionSettings.objects.filter(enabled=True, camera__enabled=True).values_list("camera_id", flat=True)
    )


# --- events (motion workers) -----------------------------------------------------------


def snapshot_name(organization_id: int, event: MotionEvent) -> str:
    return f"motion/{organization_id}/{event.public_id.hex}.jpg"


def _save_snapshot(event: MotionEvent, jpeg: bytes | None) -> None:
    if not jpeg:
        return
    name = snapshot_name(event.organization_id, event)
    storage.delete(name)  # keep the id-built name: a storage must not pick another one
    event.snapshot.name = storage.clip_storage().save(name, ContentFile(jpeg))


def _should_alert(camera: Camera, cooldown_seconds: int, at: datetime) -> bool:
    if cooldown_seconds <= 0:
        return True
    since = at - timedelta(seconds=cooldown_seconds)
    return not MotionEvent.objects.filter(camera=camera, alerted=True, started_at__gt=since).exists()


def open_event(camera: Camera, *, at: datetime, score: float, boxes: list[list[float]],
               snapshot: bytes | None, cooldown_seconds: int) -> MotionEvent:
    """Record the start of motion and, unless a recent alert covers it, raise an alert."""
    event = MotionEvent(
        organization_id=camera.site.organization_id, camera=camera, camera_name=camera.name,
        started_at=at, peak_at=at, peak_score=score, boxes=boxes,
        alerted=_should_alert(camera, cooldown_seconds, at),
    )
    _save_snapshot(event, snapshot)
    with transaction.atomic():  # the recorder keeps footage around motion it is told of (footage.motion_spans)
        event.save()
        motion_spans.opened(event.pk, camera.pk, event.started_at)
    if event.alerted:
        publish_alert(event)
        enqueue("recordings.tasks.notify_motion_event", event.pk)
    return event


def raise_peak(event: MotionEvent, *, at: datetime, score: float, boxes: list[list[float]],
               snapshot: bytes | None) -> None:
    """Keep the strongest moment of the event (its score, boxes and snapshot)."""
    if score <= event.peak_score:
        return
    _save_snapshot(event, snapshot)
    event.peak_score, event.peak_at, event.boxes = score, at, boxes
    MotionEvent.objects.filter(pk=event.pk).update(
        peak_score=score, peak_at=at, boxes=boxes, snapshot=event.snapshot.name
    )


def close_event(event: MotionEvent, *, at: datetime) -> None:
    event.ended_at = max(at, event.started_at)
    with transaction.atomic():
        if MotionEvent.objects.filter(pk=event.pk, ended_at__isnull=True).update(ended_at=event.ended_at):
            motion_spans.ended(event.pk, event.ended_at)
    if event.camera is not None:
        send_on_commit(camera_group(event.camera.public_id), {
            "type": "motion.ended", "event": str(event.public_id), "camera": str(event.camera.public_id),
            "ended_at": event.ended_at.isoformat(),
        })


def close_abandoned(camera_id: int) -> int:
    """Close events a dead worker left open on this camera, at their last known moment."""
    count = 0
    for event in MotionEvent.objects.filter(camera_id=camera_id, ended_at__isnull=True):
        ended_at = event.peak_at or event.started_at
        with transaction.atomic():
            closed = MotionEvent.objects.filter(pk=event.pk, ended_at__isnull=True).update(ended_at=ended_at)
            if closed:
                motion_spans.ended(event.pk, ended_at)
        count += closed
    return count


def publish_alert(event: MotionEvent) -> None:
    """Push the alert to the camera's event group (the event stream's shape, ``payload.STREAM_FIELDS``)."""
    if event.camera is not None:
        send_on_commit(camera_group(event.camera.public_id), alert_payload(event))


# --- acknowledging ---------------------------------------------------------------------


def _clean_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ValidationError({"note": [f"Keep the note under {MAX_NOTE_LENGTH} characters."]})
    return note


@transaction.atomic
def acknowledge(user: Visitor, event_public_id: Any, note: str = "", *, ip: str | None = None) -> MotionEvent:
    """Mark an alert as handled (``acknowledge`` on its camera). Audit: ``motion.acknowledge``."""
    note = _clean_note(note)
    event = access(MotionEvent, user, event_public_id, Action.ACKNOWLEDGE)
    event = MotionEvent.objects.select_for_update(of=("self",)).select_related("camera", "camera__site").get(
        pk=event.pk
    )
    if event.acknowledged_at is not None:
        when = timezone.localtime(event.acknowledged_at)
        raise AlreadyAcknowledged(
            f"{event.acknowledged_by_label or 'Someone'} acknowledged this alert at {when:%Y-%m-%d %H:%M:%S %Z}."
        )
    event.acknowledged_at = timezone.now()
    event.acknowledged_by = person_of(user)
    event.acknowledged_by_label = actor_label(user)[:200]
    event.acknowledgement_note = note
    event.save(update_fields=["acknowledged_at", "acknowledged_by", "acknowledged_by_label", "acknowledgement_note"])
    audit.record(user, "motion.acknowledge", organization=event.organization_id, target=event, ip=ip,
                 camera=event.camera_name, note=note)
    if event.camera is not None:
        send_on_commit(camera_group(event.camera.public_id), {
            "type": "motion.acknowledged", "event": str(event.public_id), "camera": str(event.camera.public_id),
            "by": event.acknowledged_by_label, "at": event.acknowledged_at.isoformat(),
        })
    return event


@dataclass
class BulkAcknowledgement:
    """What ``acknowledge_many`` did with each id it was given (public ids as text)."""

    acknowledged: list[MotionEvent] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


@transaction.atomic
def acknowledge_many(user: Visitor, event_public_ids: Iterable[Any], note: str = "", *,
                     ip: str | None = None) -> BulkAcknowledgement:
    """Acknowledge several alerts with one note, each exactly as ``acknowledge`` does (gate, audit, event).

    Ids the user may not acknowledge (missing, foreign, or no acknowledge
    right) are listed in ``refused`` and change nothing; alerts someone
    acknowledged first are listed in ``already``. At most ``MAX_BULK`` ids.
    """
    note = _clean_note(note)
    ids = list(dict.fromkeys(str(value).strip() for value in event_public_ids if str(value).strip()))
    if not ids:
        raise ValidationError({"events": ["Choose the alerts to acknowledge."]})
    if len(ids) > MAX_BULK:
        raise ValidationError({"events": [f"Acknowledge at most {MAX_BULK} alerts at once."]})
    result = BulkAcknowledgement()
    for public_id in ids:
        try:
            result.acknowledged.append(acknowledge(user, public_id, note, ip=ip))
        except AlreadyAcknowledged:
            result.already.append(public_id)
        except (Http404, PermissionDenied):
            result.refused.append(public_id)
    return result
