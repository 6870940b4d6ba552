"""Clip exports: request, record, delete, download. Pages, the API, the admin and tasks call these.

Lifecycle: ``request_clip`` checks the right (``export`` on the camera) and
the organization's quota, creates a ``queued`` row and queues ``export_clip``
after commit. ``record_clip`` (the task's body) claims the row with a
conditional UPDATE, records with ffmpeg stream copy into a temporary file,
streams that into storage and marks the row ``ready`` or ``failed`` with a
reason a person understands. Every status change is pushed to the camera's
event group (``clip.status``).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import timedelta
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
from accounts.scoping import access, require_visible
from cameras.gateways import client_for, restream_url
from cameras.go2rtc import Go2RTCError
from cameras.models import Camera
from cameras.streams import stream_name
from portal.events import camera_group, send_on_commit
from portal.work import enqueue
from recordings import storage
from recordings.clips import recorder, retention
from recordings.footage.restream import Failure, restream_source
from recordings.models import Clip, ClipStatus

logger = logging.getLogger(__name__)

DURATION_CHOICES = (10, 30, 60, 300, 600, 1800)


class RetryLater(Exception):
    """The gateway could not be reached; the claim was released so a retry can take the row again."""


@dataclass(frozen=True)
class Outcome:
    """What went wrong with a recording, in words for people, and whether trying again can help."""

    reason: str
    retryable: bool = False


# --- requesting --------------------------------------------------------------------


def check_duration(duration: Any) -> int:
    limit = settings.CCTV_CLIP_MAX_SECONDS
    if isinstance(duration, bool) or not isinstance(duration, int) or not 1 <= duration <= limit:
        raise ValidationError({"duration": [f"Choose a length from 1 to {limit} seconds."]})
    return duration


def duration_choices() -> list[tuple[int, str]]:
    limit = settings.CCTV_CLIP_MAX_SECONDS
    return [(seconds, label_seconds(seconds)) for seconds in DURATION_CHOICES if seconds <= limit]


def label_seconds(seconds: int) -> str:
    if seconds < 60 or seconds % 60:
        return f"{seconds} s"
    return f"{seconds // 60} min"


def _check_quota(organization: Organization, duration: int) -> None:
    check_quota_bytes(organization, retention.estimate_bytes(duration, settings.CCTV_CLIP_ESTIMATE_BYTES_PER_SECOND))


def check_quota_bytes(organization: Organization, requested: int) -> None:
    """Refuse (``ValidationError``, code ``quota``) a clip of about ``requested`` bytes that would pass the cap.

    Clips still pending count with their estimate: a range export's own
    (``estimated_bytes``, from the footage it cuts), else length times rate.
    """
    rate = settings.CCTV_CLIP_ESTIMATE_BYTES_PER_SECOND
    clips = Clip.objects.filter(organization=organization)
    used = clips.filter(status=ClipStatus.READY).aggregate(total=Sum("size"))["total"] or 0
    pending = clips.pending()
    estimated = pending.aggregate(total=Sum("estimated_bytes"))["total"] or 0
    unestimated_seconds = pending.filter(estimated_bytes__isnull=True).aggregate(total=Sum("duration"))["total"] or 0
    decision = retention.check_quota(
        used=used, pending=estimated + retention.estimate_bytes(unestimated_seconds, rate), requested=requested,
        cap=organization.clip_storage_quota_bytes,
    )
    if not decision.allowed:
        raise ValidationError(decision.message, code="quota")


@transaction.atomic
def request_clip(user: Visitor, camera_public_id: Any, duration: Any, *, ip: str | None = None) -> Clip:
    """Queue a clip of the next ``duration`` seconds of a camera. Audit: ``clip.request``.

    When the camera's main stream is being recorded right now, this is a range
    export of [now, now + duration) (cut from the recorder's footage once it
    is there); otherwise the export task records from the gateway.

    Needs ``export`` on the camera (404 if not visible, 403 if visible only).
    The organization row is locked while the quota is checked, so two
    requests cannot both take the last free space.
    """
    duration = check_duration(duration)
    camera = access(Camera, user, camera_public_id, Action.EXPORT)
    from recordings.clips import range_exports  # it builds on this module

    now = timezone.now()
    if range_exports.is_recording(camera, "main", now):
        # The recorder has the camera's main stream already: the next N seconds are a range of its footage.
        return range_exports.request_range_clip(user, camera.public_id, now, now + timedelta(seconds=duration),
                                                "main", ip=ip, now=now)
    if not camera.enabled:
        raise ValidationError("This camera is switched off in the portal; enable it to record clips.")
    organization = Organization.objects.select_for_update().get(pk=camera.site.organization_id)
    _check_quota(organization, duration)
    clip = Clip.objects.create(
        organization=organization, camera=camera, camera_name=camera.name, duration=duration,
        requested_by=person_of(user),
        requested_by_label=actor_label(user)[:200], task_id=str(uuid.uuid4()), created_at=now,
        expires_at=retention.expiry(now, organization.clip_retention_days),
    )
    audit.record(user, "clip.request", organization=organization, target=clip, ip=ip,
                 camera=str(camera.public_id), duration=duration)
    enqueue("recordings.tasks.export_clip", clip.pk, task_id=clip.task_id)
    publish_status(clip)
    return clip


# --- recording (the export task) ------------------------------------------------------


def publish_status(clip: Clip) -> None:
    """Tell the camera's event group (users who may view the camera) about the clip's status."""
    if clip.camera is None:
        return
    event = {"type": "clip.status", "clip": str(clip.public_id), "camera": str(clip.camera.public_id),
             "status": clip.status, "reason": clip.reason}
    send_on_commit(camera_group(clip.camera.public_id), event)


def _claim(clip_id: int, task_id: str) -> Clip | None:
    """Take a queued clip for this task: exactly one task ever records a row."""
    claimed = Clip.objects.filter(pk=clip_id, status=ClipStatus.QUEUED).update(
        status=ClipStatus.RECORDING, started_at=timezone.now(), task_id=task_id, reason="", updated_at=timezone.now()
    )
    if not claimed:
        return None
    return Clip.objects.select_related("camera", "camera__gateway").get(pk=clip_id)


def _finish(clip: Clip, **changes: Any) -> bool:
    """Move a clip this task holds on from ``recording``; False if it was deleted or swept meanwhile."""
    now = timezone.now()
    done = Clip.objects.filter(pk=clip.pk, status=ClipStatus.RECORDING, task_id=clip.task_id).update(
        finished_at=now, updated_at=now, **changes
    )
    for field, value in changes.items():
        setattr(clip, field, value)
    if done:
        publish_status(clip)
    return bool(done)


def _fail(clip: Clip, reason: str) -> None:
    logger.info("clip %s failed: %s", clip.public_id, reason)
    _finish(clip, status=ClipStatus.FAILED, reason=reason[:300])


def _release(clip: Clip, reason: str) -> None:
    """Give the row back to the queue for a retry of the same task."""
    released = Clip.objects.filter(pk=clip.pk, status=ClipStatus.RECORDING, task_id=clip.task_id).update(
        status=ClipStatus.QUEUED, started_at=None, reason=reason[:300], updated_at=timezone.now()
    )
    if released:
        clip.status, clip.reason = ClipStatus.QUEUED, reason[:300]
        publish_status(clip)


def _precheck(camera: Camera | None) -> Outcome | None:
    if camera is None:
        return Outcome("The camera was deleted before the clip could be recorded.")
    if not camera.enabled:
        return Outcome("The camera is switched off in the portal.")
    if camera.gateway is None or not camera.gateway.rtsp_url:
        return Outcome("The camera has no video gateway to record from; ask the platform operator.")
    return None


def diagnose(camera: Camera, error: recorder.RecordingError) -> Outcome:
    """Turn an ffmpeg failure into a reason, asking the gateway's API what it knows."""
    if error.failure is Failure.REFUSED:
        return Outcome("The video gateway refused the recording; ask the platform operator.")
    if error.failure is Failure.OTHER and "not installed" in error.detail:
        return Outcome("The recording worker cannot record (ffmpeg is missing); ask the platform operator.")
    name = stream_name(camera.public_id, "main")
    try:
        with client_for(camera.gateway) as client:
            streams = client.streams()
    except Go2RTCError as exc:
        if exc.retryable:
            return Outcome("The video gateway is not reachable.", retryable=True)
        return Outcome("The video gateway refused the portal's request; ask the platform operator.")
    if name not in streams:
        return Outcome("The camera is not set up on its video gateway yet.", retryable=True)
    if error.failure is Failure.UNREACHABLE:
        return Outcome("The video gateway's restream port is not reachable.", retryable=True)
    if error.failure is Failure.STALLED:
        return Outcome("The camera stopped sending video before the clip was complete.")
    return Outcome("The camera sent no video: it is offline, or its address or login is wrong.")


def _record_into_storage(clip: Clip, camera: Camera) -> storage.StoredFile:
    temp = storage.temp_path(clip.public_id)
    source = restream_source(restream_url(camera.gateway, stream_name(camera.public_id, "main")))
    try:
        temp.unlink(missing_ok=True)
        recorder.record(source, clip.duration, temp)
        return storage.store(temp, storage.clip_name(clip.organization_id, clip.public_id))
    finally:
        temp.unlink(missing_ok=True)


def record_clip(clip_id: int, *, task_id: str, last_try: bool) -> None:
    """The export task's body: claim, record, store, mark ready or failed.

    Idempotent: a clip not ``queued`` any more (done, failed, deleted, or
    held by another delivery of the task) is left alone. A gateway that
    cannot be reached releases the claim and raises ``RetryLater`` unless
    this is the last try, which fails the clip instead.
    """
    clip = _claim(clip_id, task_id)
    if clip is None:
        logger.info("clip %s is not queued any more; nothing to do", clip_id)
        return
    publish_status(clip)
    camera = clip.camera
    outcome = _precheck(camera)
    if outcome is None:
        outcome = _record(clip, camera)
    if outcome is None:
        return
    if outcome.retryable and not last_try:
        _release(clip, f"Waiting to retry: {outcome.reason}")
        raise RetryLater(outcome.reason)
    _fail(clip, outcome.reason)


def _record(clip: Clip, camera: Camera) -> Outcome | None:
    try:
        stored = _record_into_storage(clip, camera)
    except recorder.RecordingError as exc:
        logger.warning("recording clip %s failed: %s", clip.public_id, exc)
        return diagnose(camera, exc)
    except storage.StorageFailed as exc:
        logger.error("storing clip %s failed: %s", clip.public_id, exc)
        return Outcome("The clip could not be saved to storage.", retryable=True)
    if not _finish(clip, status=ClipStatus.READY, file=stored.name, size=stored.size, sha256=stored.sha256):
        storage.delete(stored.name)  # deleted while recording: keep no file without a row
        logger.info("clip %s went away while recording; its file was removed", clip.public_id)
    return None


# --- deleting and downloading --------------------------------------------------------------------


@transaction.atomic
def delete_clip(user: Visitor, clip: Clip, *, ip: str | None = None) -> None:
    """Delete a clip and, after commit, its file. Needs ``manage``. Audit: ``clip.delete``."""
    clip = Clip.objects.select_for_update(of=("self",)).select_related("camera").get(pk=clip.pk)
    require_visible(user, clip, Action.MANAGE)
    audit.record(user, "clip.delete", organization=clip.organization_id, target=clip, ip=ip,
                 camera=clip.camera_name, status=clip.status)
    name = clip.file.name
    clip.delete()
    clip.status = "deleted"
    publish_status(clip)
    transaction.on_commit(lambda: storage.delete(name))


def record_download(user: Visitor, clip: Clip, *, ip: str | None, mode: str) -> None:
    """Audit: ``clip.download`` (``mode`` is attachment, inline or link)."""
    audit.record(user, "clip.download", organization=clip.organization_id, target=clip, ip=ip, mode=mode)


def check_downloadable(clip: Clip) -> None:
    if not clip.is_ready or not clip.file.name:
        raise ValidationError("This clip has no file yet (it is not ready).", code="not_ready")
