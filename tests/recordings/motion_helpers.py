"""Builders for motion event rows (and their snapshots) in tests that run no motion worker."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.core.files.base import ContentFile
from django.utils import timezone

from cameras.models import Camera
from recordings import storage
from recordings.models import MotionEvent
from recordings.motion import services as motion

JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\xff\xd9"


def make_event(camera: Camera, *, started_at: datetime | None = None, seconds: float | None = 12,
               snapshot: bytes | None = JPEG_BYTES, **fields: Any) -> MotionEvent:
    """A motion event of ``camera``; its snapshot is saved through clip storage like the workers do."""
    start = started_at or timezone.now() - timedelta(minutes=5)
    event = MotionEvent(
        organization_id=camera.site.organization_id, camera=camera, camera_name=camera.name,
        started_at=start, ended_at=start + timedelta(seconds=seconds) if seconds is not None else None,
        peak_at=start, peak_score=0.123, boxes=[[0.1, 0.2, 0.3, 0.4]],
    )
    if snapshot is not None:
        name = motion.snapshot_name(event.organization_id, event)
        event.snapshot.name = storage.clip_storage().save(name, ContentFile(snapshot))
    for field, value in fields.items():
        setattr(event, field, value)
    event.save()
    return event


def acknowledged(event: MotionEvent, by: str = "someone@a.example.test", note: str = "") -> MotionEvent:
    event.acknowledged_at, event.acknowledged_by_label, event.acknowledgement_note = timezone.now(), by, note
    event.save()
    return event


def schedule_rows(*windows: dict[str, Any], saved: int = 0) -> dict[str, Any]:
    """POST data for a schedule's window rows (``recordings.schedule_forms``).

    Each window is ``{"days": [...], "start": ..., "end": ..., "DELETE": "on"}`` (any key may be left
    out); ``saved`` is how many rows the page showed for windows already stored.
    """
    data: dict[str, Any] = {"window-TOTAL_FORMS": str(len(windows)), "window-INITIAL_FORMS": str(saved)}
    for number, window in enumerate(windows):
        data.update({f"window-{number}-{key}": value for key, value in window.items()})
    return data
