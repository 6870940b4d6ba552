"""Range exports: a clip cut from recorded footage, for any [start, end) of one camera's stream.

Lifecycle, beside the live clips of ``recordings.clips.services`` (same ``Clip``
rows, storage, checksums, downloads, quota, audit and retention):
``request_range_clip`` checks the camera through the gate (``export``), the
range and the quota, creates a ``queued`` row with the range and queues
``export_range_clip`` after commit, to run once the range's end has been
recorded (``ready_at``). ``cut_range_clip`` (the task's body) claims the row,
waits (by retrying) while the recorder has not indexed the range's end yet,
then cuts the footage by stream copy (``recordings.clips.cutting``) and stores it.

A range that reaches into the future is thus exported once recording gets
there, as far as ``CCTV_CLIP_MAX_SECONDS`` ahead (the "next N seconds" cap).
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from accounts import audit
from accounts.audit import actor_label
from accounts.callers import Visitor, person_of
from accounts.models import Organization
from accounts.roles import Action
from accounts.scoping import access
from cameras.models import Camera
from portal.work import enqueue
from recordings import storage
from recordings.clips import cutting, retention
from recordings.clips.services import (
    RetryLater,
    _claim,
    _fail,
    _finish,
    _release,
    check_quota_bytes,
    label_seconds,
    publish_status,
)
from recordings.footage.index import covered_intervals
from recordings.footage.models import (
    MAX_RETENTION_DAYS,
    RecordingSettings,
    Segment,
    StreamVariant,
)
from recordings.footage.reading import SegmentUnavailable
from recordings.footage.services import variants
from recordings.models import Clip, ClipStatus, ExportBundle, MotionEvent

logger = logging.getLogger(__name__)

# After a range's end: time for the recorder to close the segment holding it and index it.
SETTLE = timedelta(seconds=15)
# No retention keeps footage longer; also keeps date arithmetic far from year 1.
OLDEST = timedelta(days=MAX_RETENTION_DAYS)
# How long past the range's end the export keeps waiting for the index to reach it.
WAIT_FOR_RECORDING = timedelta(minutes=2)


@dataclass(frozen=True)
class Range:
    start: datetime
    end: datetime
    stream: str

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


# --- checking a request -------------------------------------------------------------


def check_range(start: Any, end: Any, stream: Any, now: datetime) -> Range:
    """The range as asked, or ``ValidationError`` with a message per field a person understands."""
    if not isinstance(start, datetime) or not isinstance(end, datetime) or start.tzinfo is None \
            or end.tzinfo is None:
        raise ValidationError({"start": ["Give start and end as dates and times with a time zone (ISO 8601)."]})
    if stream not in StreamVariant.values:
        raise ValidationError({"stream": ["Choose the main or the sub stream."]})
    if end <= start:
        raise ValidationError({"end": ["The end must come after the start."]})
    if start < now - OLDEST:
        raise ValidationError({"start": [f"No footage is kept longer than {OLDEST.days} days; "
                                         "choose a later start."]})
    longest = settings.CCTV_EXPORT_MAX_SECONDS
    if (end - start).total_seconds() > longest:
        raise ValidationError({"end": [f"A range export may be at most {_length(longest)} long; "
                                       "export a shorter range or several ranges."]})
    ahead = settings.CCTV_CLIP_MAX_SECONDS
    if (end - now).total_seconds() > ahead:
        raise ValidationError({"end": [f"The end may be at most {_length(ahead)} from now: "
                                       "footage further ahead is not recorded yet."]})
    return Range(start, end, stream)


def _length(seconds: int) -> str:
    return f"{seconds // 3600} h" if seconds >= 3600 and not seconds % 3600 else label_seconds(seconds)


def records(camera: Camera, stream: str) -> bool:
    """Whether the camera's ``stream`` is set to be recorded (so a range reaching ahead will have footage)."""
    settings_row = RecordingSettings.objects.filter(camera=camera).first()
    return settings_row is not None and stream in variants(settings_row, camera)


# A recorder that indexed a segment this recently is recording the camera now.
RECORDING_NOW = timedelta(seconds=30)


def is_recording(camera: Camera, stream: str, now: datetime) -> bool:
    """Whether the camera's ``stream`` is being recorded: set to record and a segment ended lately."""
    recent = Segment.objects.of_stream(camera.pk, stream).filter(end__gte=now - RECORDING_NOW)
    return records(camera, stream) and recent.exists()


def check_footage(camera: Camera, wanted: Range, now: datetime) -> None:
    """Refuse a range with no footage now and none to come (the part in the future needs a recording camera)."""
    past_end = min(wanted.end, now)
    if wanted.start < past_end and covered_intervals(camera.pk, wanted.stream, wanted.start, past_end):
        return
    if wanted.end > now and records(camera, wanted.stream):
        return
    raise ValidationError(
        {"start": [f"There is no recorded footage of this camera's {wanted.stream} stream in that range."]},
        code="no_footage",
    )


def _estimate_bytes(camera: Camera, wanted: Range, now: datetime) -> int:
    """What the file will weigh: the recorded segments' bytes, plus an estimate for the part not recorded yet."""
    recorded = (Segment.objects.of_stream(camera.pk, wanted.stream).overlapping(wanted.start, wanted.end)
                .aggregate(total=Sum("bytes"))["total"] or 0)
    ahead = max((wanted.end - max(wanted.start, now)).total_seconds(), 0)
    return recorded + retention.estimate_bytes(math.ceil(ahead), settings.CCTV_CLIP_ESTIMATE_BYTES_PER_SECOND)


def ready_at(wanted_end: datetime) -> datetime:
    """When the footage up to ``wanted_end`` should be indexed (the export task's ETA)."""
    return wanted_end + SETTLE


# --- requesting ---------------------------------------------------------------------


@transaction.atomic
def request_range_clip(user: Visitor, camera_public_id: Any, start: Any, end: Any, stream: Any = "main", *,
                       ip: str | None = None, bundle: ExportBundle | None = None,
                       now: datetime | None = None) -> Clip:
    """Queue a clip cut from the camera's recorded ``stream`` over [start, end). Audit: ``clip.request``.

    Needs ``export`` on the camera (404 if not visible, 403 if visible only).
    ``ValidationError`` (400) for a bad range, no footage, or a full quota;
    nothing is written then. The organization row is locked during the quota check.
    """
    now = now or timezone.now()
    wanted = check_range(start, end, stream, now)
    camera = access(Camera, user, camera_public_id, Action.EXPORT)
    check_footage(camera, wanted, now)
    organization = Organization.objects.select_for_update().get(pk=camera.site.organization_id)
    estimate = _estimate_bytes(camera, wanted, now)
    check_quota_bytes(organization, estimate)
    clip = Clip.objects.create(
        organization=organization, camera=camera, camera_name=camera.name, duration=math.ceil(wanted.seconds),
        estimated_bytes=estimate,
        range_start=wanted.start, range_end=wanted.end, stream=wanted.stream, bundle=bundle,
        requested_by=person_of(user),
        requested_by_label=actor_label(user)[:200], task_id=str(uuid.uuid4()), created_at=now,
        expires_at=retention.expiry(now, organization.clip_retention_days),
    )
    audit.record(user, "clip.request", organization=organization, target=clip, ip=ip,
                 camera=str(camera.public_id), start=wanted.start.isoformat(), end=wanted.end.isoformat(),
                 stream=wanted.stream, duration=clip.duration)
    enqueue("recordings.tasks.export_range_clip", clip.pk, task_id=clip.task_id, eta=max(ready_at(wanted.end), now))
    publish_status(clip)
    return clip


# --- a motion event's footage ----------------------------------------------------------------


DEFAULT_ROLL_SECONDS = 10


def event_range(event: MotionEvent, now: datetime) -> tuple[datetime, datetime]:
    """The event's footage: its start less the camera's pre-roll to its end plus the post-roll.

    An event still open runs to ``now`` (plus the post-roll): that end lies
    ahead, so the export waits for it like any range reaching into the future.
    """
    rolls = RecordingSettings.objects.filter(camera_id=event.camera_id).values_list(
        "pre_roll_seconds", "post_roll_seconds").first() or (DEFAULT_ROLL_SECONDS, DEFAULT_ROLL_SECONDS)
    end = event.ended_at or now
    return event.started_at - timedelta(seconds=rolls[0]), end + timedelta(seconds=rolls[1])


def _stream_with_footage(camera_id: int, start: datetime, end: datetime) -> str:
    """The main stream, unless only the sub stream was recorded then."""
    for stream in (StreamVariant.MAIN, StreamVariant.SUB):
        if covered_intervals(camera_id, stream, start, end):
            return stream
    return StreamVariant.MAIN


def export_motion_event(user: Visitor, event_public_id: Any, *, ip: str | None = None) -> Clip:
    """Queue a range clip of a motion event with its pre- and post-roll (``request_range_clip`` rules apply).

    The event is reached through the gate (404 if not visible); the camera
    then needs ``export``. An event whose camera was deleted has no footage to cut.
    """
    event = access(MotionEvent, user, event_public_id, Action.VIEW)
    if event.camera is None:
        raise ValidationError("This alert's camera was deleted; its footage cannot be exported.")
    now = timezone.now()
    start, end = event_range(event, now)
    stream = _stream_with_footage(event.camera_id, start, min(end, now))
    return request_range_clip(user, event.camera.public_id, start, end, stream, ip=ip, now=now)


# --- cutting (the export task) --------------------------------------------------------------


def _still_recording_towards(clip: Clip, now: datetime) -> bool:
    """The recorder has not indexed the range's end yet, and may still: keep waiting a while."""
    if now > clip.range_end + WAIT_FOR_RECORDING or clip.camera is None or not records(clip.camera, clip.stream):
        return False
    latest = (Segment.objects.of_stream(clip.camera_id, clip.stream).order_by("-end")
              .values_list("end", flat=True).first())
    return latest is None or latest < clip.range_end


def cut_range_clip(clip_id: int, *, task_id: str, last_try: bool, now: datetime | None = None) -> None:
    """The range export task's body: claim, wait for the recording if needed, cut, store, ready or failed.

    Idempotent like ``exports.record_clip``. While the range's end is not
    recorded yet (and may still be), the claim is released and
    ``RetryLater`` raised. Once the clip is done, a multi-camera export it
    belongs to is told (its assembly task is queued after commit).
    """
    clip = _claim(clip_id, task_id)
    if clip is None:
        logger.info("range clip %s is not queued any more; nothing to do", clip_id)
        return
    publish_status(clip)
    if not last_try and _still_recording_towards(clip, now or timezone.now()):
        _release(clip, "Waiting for the recording to reach the end of the range.")
        raise RetryLater("the range's end is not recorded yet")
    reason = _cut_and_store(clip)
    if reason is not None:
        _fail(clip, reason)
    if clip.bundle_id is not None:
        enqueue("recordings.tasks.assemble_bundle", clip.bundle_id)


def _cut_and_store(clip: Clip) -> str | None:
    """Cut and store the clip's file and mark it ready; the reason it failed otherwise."""
    if clip.camera_id is None:
        return "The camera was deleted before the footage could be exported."
    # The clip's own organization as well as its camera: footage of no other tenant can ever be cut into it.
    segments = (Segment.objects.filter(organization_id=clip.organization_id)
                .of_stream(clip.camera_id, clip.stream).overlapping(clip.range_start, clip.range_end))
    temp = storage.temp_path(clip.public_id)
    try:
        temp.unlink(missing_ok=True)
        plan = cutting.plan_cut(segments.order_by("start"), clip.range_start, clip.range_end)
        cutting.cut(plan, temp, camera_name=clip.camera_name)
        stored = storage.store(temp, storage.clip_name(clip.organization_id, clip.public_id))
    except (cutting.CannotCut, SegmentUnavailable) as exc:
        return str(exc)
    except storage.StorageFailed as exc:
        logger.error("storing range clip %s failed: %s", clip.public_id, exc)
        return "The clip could not be saved to storage."
    finally:
        temp.unlink(missing_ok=True)
    done = _finish(clip, status=ClipStatus.READY, file=stored.name, size=stored.size, sha256=stored.sha256,
                   cut_start=plan.start, cut_end=plan.end, gap_seconds=round(plan.gap_seconds, 3))
    if not done:
        storage.delete(stored.name)  # deleted meanwhile: keep no file without a row
    return None
