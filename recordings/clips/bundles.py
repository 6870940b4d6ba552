"""Multi-camera exports: the same range of several cameras, delivered as one zip with a manifest.

``request_bundle`` queues one range clip per camera (``range_exports``,
each checked, audited and counted against the quota like a single export)
and an ``ExportBundle`` row that ties them together. Each clip, once done,
queues ``assemble_bundle``; the call that finds every clip done claims the
bundle and writes ``<range>.zip``: the ready clips' MP4 files (stored, not
compressed: video does not shrink) and ``manifest.json`` with each camera,
its requested and real range, gaps, size and SHA-256. Cameras whose clip
failed are listed in the manifest with the reason.
"""

from __future__ import annotations

import hashlib
import json
import logging
import zipfile
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from accounts import audit
from accounts.audit import actor_label
from accounts.callers import Visitor, person_of
from accounts.roles import Action
from accounts.scoping import access
from cameras.models import Camera
from recordings import storage
from recordings.clips import range_exports, retention
from recordings.models import Clip, ClipStatus, ExportBundle

logger = logging.getLogger(__name__)

MAX_CAMERAS = 16
COPY_CHUNK = 1024 * 1024


def _check_cameras(camera_ids: Any) -> list[Any]:
    if not isinstance(camera_ids, list | tuple) or not camera_ids:
        raise ValidationError({"cameras": ["Choose at least one camera."]})
    if len(camera_ids) > MAX_CAMERAS:
        raise ValidationError({"cameras": [f"Export at most {MAX_CAMERAS} cameras at once."]})
    if len({str(camera_id) for camera_id in camera_ids}) != len(camera_ids):
        raise ValidationError({"cameras": ["Each camera may appear only once."]})
    return list(camera_ids)


@transaction.atomic
def request_bundle(user: Visitor, camera_ids: Any, start: Any, end: Any, stream: Any = "main", *,
                   ip: str | None = None) -> ExportBundle:
    """Queue a range export of several cameras of one organization. Audit: ``export.request``.

    All or nothing: a camera that is not visible answers 404 and one without
    footage (or over the quota) 400, and then no clip and no bundle is kept.
    """
    now = timezone.now()
    camera_ids = _check_cameras(camera_ids)
    wanted = range_exports.check_range(start, end, stream, now)
    cameras = [access(Camera, user, camera_id, Action.EXPORT) for camera_id in camera_ids]
    organizations = {camera.site.organization_id for camera in cameras}
    if len(organizations) != 1:
        raise ValidationError({"cameras": ["Export cameras of one organization at a time."]})
    organization = cameras[0].site.organization
    bundle = ExportBundle.objects.create(
        organization=organization, range_start=wanted.start, range_end=wanted.end, stream=wanted.stream,
        requested_by=person_of(user),
        requested_by_label=actor_label(user)[:200], created_at=now,
        expires_at=retention.expiry(now, organization.clip_retention_days),
    )
    for camera in cameras:
        try:
            range_exports.request_range_clip(user, camera.public_id, wanted.start, wanted.end, wanted.stream,
                                             ip=ip, bundle=bundle, now=now)
        except ValidationError as exc:
            message = f"{camera.name}: {' '.join(_messages(exc))}"
            raise ValidationError(message, code=getattr(exc, "code", None)) from None
    audit.record(user, "export.request", organization=organization, target=bundle, ip=ip,
                 cameras=[str(camera.public_id) for camera in cameras], start=wanted.start.isoformat(),
                 end=wanted.end.isoformat(), stream=wanted.stream)
    return bundle


def _messages(error: ValidationError) -> list[str]:
    if hasattr(error, "message_dict"):
        return [message for messages in error.message_dict.values() for message in messages]
    return list(error.messages)


# --- assembling (the task) --------------------------------------------------------------


def _claim(bundle_id: int) -> ExportBundle | None:
    """Take a bundle whose clips are all done; exactly one assembly ever writes its zip."""
    if Clip.objects.filter(bundle_id=bundle_id).pending().exists():
        return None
    claimed = ExportBundle.objects.filter(pk=bundle_id, status=ClipStatus.QUEUED).update(
        status=ClipStatus.RECORDING, updated_at=timezone.now()
    )
    return ExportBundle.objects.get(pk=bundle_id) if claimed else None


def assemble(bundle_id: int) -> None:
    """Write the zip of a bundle whose clips are all ready or failed; nothing to do otherwise."""
    bundle = _claim(bundle_id)
    if bundle is None:
        return
    clips = list(Clip.objects.filter(bundle=bundle).select_related("camera").order_by("camera_name", "pk"))
    ready = [clip for clip in clips if clip.is_ready]
    if not ready:
        _finish(bundle, status=ClipStatus.FAILED, reason="No camera had footage to export; see each clip.")
        return
    temp = storage.temp_dir() / f"{bundle.public_id.hex}.partial.zip"
    try:
        write_zip(temp, bundle, clips)
        stored = storage.store(temp, storage.bundle_name(bundle.organization_id, bundle.public_id))
    except (storage.StorageFailed, OSError) as exc:
        logger.error("assembling export %s failed: %s", bundle.public_id, exc)
        _finish(bundle, status=ClipStatus.FAILED, reason="The export could not be saved to storage.")
        return
    finally:
        temp.unlink(missing_ok=True)
    _finish(bundle, status=ClipStatus.READY, file=stored.name, size=stored.size, sha256=stored.sha256)


def _finish(bundle: ExportBundle, **changes: Any) -> None:
    now = timezone.now()
    ExportBundle.objects.filter(pk=bundle.pk, status=ClipStatus.RECORDING).update(
        finished_at=now, updated_at=now, **changes
    )


def member_name(index: int, clip: Clip) -> str:
    """The clip's name inside the zip: numbered, so two cameras of one name never collide."""
    return f"{index:02d}-{clip.download_filename}"


def manifest(bundle: ExportBundle, clips: list[Clip]) -> dict[str, Any]:
    entries = []
    for index, clip in enumerate(clips, start=1):
        entry: dict[str, Any] = {
            "camera": clip.camera_name, "camera_id": str(clip.camera.public_id) if clip.camera else None,
            "stream": clip.stream, "requested": {"start": _iso(clip.range_start), "end": _iso(clip.range_end)},
            "status": clip.status,
        }
        if clip.is_ready:
            entry |= {"file": member_name(index, clip), "start": _iso(clip.cut_start), "end": _iso(clip.cut_end),
                      "gap_seconds": clip.gap_seconds, "size": clip.size, "sha256": clip.sha256}
        else:
            entry["reason"] = clip.reason
        entries.append(entry)
    return {
        "export": str(bundle.public_id), "range": {"start": _iso(bundle.range_start), "end": _iso(bundle.range_end)},
        "stream": bundle.stream, "requested_by": bundle.requested_by_label, "created_at": _iso(bundle.created_at),
        "note": "Each file is cut by stream copy: it starts on the keyframe at or before the requested start; "
                "stretches without footage are left out (gap_seconds).",
        "cameras": entries,
    }  # fmt: skip


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if moment is not None else None


def write_zip(path: Path, bundle: ExportBundle, clips: list[Clip]) -> None:
    """The zip: each ready clip's file, checked against its SHA-256 while copied, and the manifest."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED, allowZip64=True) as archive:
        for index, clip in enumerate(clips, start=1):
            if clip.is_ready:
                _add_clip(archive, member_name(index, clip), clip)
        archive.writestr("manifest.json", json.dumps(manifest(bundle, clips), indent=2))


def _add_clip(archive: zipfile.ZipFile, name: str, clip: Clip) -> None:
    digest = hashlib.sha256()
    with storage.open_clip(clip.file.name) as source, archive.open(name, "w", force_zip64=True) as target:
        while chunk := source.read(COPY_CHUNK):
            digest.update(chunk)
            target.write(chunk)
    if digest.hexdigest() != clip.sha256:
        raise OSError(f"clip {clip.public_id} does not match its SHA-256 any more")


# --- sweeping ------------------------------------------------------------------------


# An assembly copies files already cut: one holding a bundle longer than this has died.
ASSEMBLY_STUCK = timedelta(minutes=30)
# A bundle whose clips are all done but that nobody assembled (a lost message) waits this long first.
ASSEMBLY_LATE = timedelta(minutes=2)


def bundles_to_assemble(now: datetime, batch_size: int) -> list[int]:
    """Bundles whose assembly was lost: stuck mid-way (given back to the queue) or never started.

    Returns their ids for the caller to queue ``assemble_bundle`` (idempotent) again.
    """
    stuck = ExportBundle.objects.filter(status=ClipStatus.RECORDING, updated_at__lt=now - ASSEMBLY_STUCK)
    given_back = [
        pk for pk in stuck.order_by("pk").values_list("pk", flat=True)[:batch_size]
        if ExportBundle.objects.filter(pk=pk, status=ClipStatus.RECORDING).update(status=ClipStatus.QUEUED,
                                                                                  updated_at=now)
    ]
    waiting = (ExportBundle.objects.filter(status=ClipStatus.QUEUED, updated_at__lt=now - ASSEMBLY_LATE)
               .exclude(clips__status__in=(ClipStatus.QUEUED, ClipStatus.RECORDING)))
    ids = given_back + list(waiting.order_by("pk").values_list("pk", flat=True).distinct()[:batch_size])
    for path in storage.temp_dir().glob("*.partial.zip"):
        if path.stat().st_mtime < (now - ASSEMBLY_STUCK).timestamp():
            path.unlink(missing_ok=True)
    return ids


# --- downloading ------------------------------------------------------------------


def record_download(user: Visitor, bundle: ExportBundle, *, ip: str | None) -> None:
    """Audit: ``export.download``."""
    audit.record(user, "export.download", organization=bundle.organization_id, target=bundle, ip=ip)


