"""Builders for clip rows (and their files) in tests that do not record for real."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from cameras.models import Camera
from recordings import storage
from recordings.models import Clip, ClipStatus

MP4_BYTES = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 40


def make_clip(camera: Camera, *, status: str = ClipStatus.READY, content: bytes | None = MP4_BYTES,
              duration: int = 10, **fields: Any) -> Clip:
    """A clip row of ``camera``; a ready one gets a real file in clip storage."""
    now = timezone.now()
    clip = Clip(
        organization_id=camera.site.organization_id, camera=camera, camera_name=camera.name, duration=duration,
        status=status, requested_by_label="test", expires_at=now + timedelta(days=30),
    )
    if status in (ClipStatus.RECORDING, ClipStatus.READY, ClipStatus.FAILED):
        clip.started_at = now
    if status == ClipStatus.FAILED:
        clip.reason = "The camera sent no video."
    if status == ClipStatus.READY and content is not None:
        name = storage.clip_name(clip.organization_id, clip.public_id)
        clip.file.name = storage.clip_storage().save(name, ContentFile(content))
        clip.size, clip.sha256 = len(content), hashlib.sha256(content).hexdigest()
    for field, value in fields.items():
        setattr(clip, field, value)
    clip.save()
    return clip


def stored(clip: Clip) -> bool:
    return bool(clip.file.name) and storage.clip_storage().exists(clip.file.name)
