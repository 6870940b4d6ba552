"""Exported clips: MP4 files recorded from a camera's gateway without re-encoding."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.scoping import ClipQuerySet
from portal.models import TimeStampedModel
from recordings.storage import clip_storage, safe_filename


class ClipStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RECORDING = "recording", "Recording"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ClipLifecycleQuerySet(ClipQuerySet):
    def expired(self, now: datetime) -> ClipLifecycleQuerySet:
        return self.filter(expires_at__lte=now)

    def pending(self) -> ClipLifecycleQuerySet:
        return self.filter(status__in=(ClipStatus.QUEUED, ClipStatus.RECORDING))


class Clip(TimeStampedModel):
    """One clip request and, once ready, its MP4 file.

    The row is claimed by exactly one export task (``queued`` -> ``recording``
    with a conditional UPDATE); only that task moves it on to ``ready`` or
    ``failed``, and the sweeper fails rows whose task died. ``organization``
    is the camera's, copied so quotas and retention need no join and a clip
    outlives its camera until it expires. The file name is built from ids
    only (``recordings.storage.clip_name``).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="clips")
    camera = models.ForeignKey(
        "cameras.Camera", null=True, blank=True, on_delete=models.SET_NULL, related_name="clips"
    )
    camera_name = models.CharField(max_length=120, help_text="The camera's name when the clip was requested.")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_label = models.CharField(max_length=200, blank=True)
    duration = models.PositiveIntegerField(help_text="Requested length in seconds.")
    status = models.CharField(max_length=16, choices=ClipStatus.choices, default=ClipStatus.QUEUED)
    reason = models.CharField(max_length=300, blank=True, help_text="Why the clip failed, in plain words.")
    started_at = models.DateTimeField(null=True, blank=True, help_text="When recording began.")
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(storage=clip_storage, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="Bytes.")
    sha256 = models.CharField(max_length=64, blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    # Given by the service (not auto_now_add) so the expiry is computed from the very same instant.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()

    objects = ClipLifecycleQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "-created_at"]),
            models.Index(fields=["status", "started_at"]),
            models.Index(fields=["expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(duration__gte=1), name="clip_duration_positive"),
            models.CheckConstraint(
                condition=~Q(status=ClipStatus.READY) | (~Q(file="") & Q(size__isnull=False) & ~Q(sha256="")),
                name="clip_ready_has_file",
            ),
            models.CheckConstraint(
                condition=~Q(status=ClipStatus.FAILED) | ~Q(reason=""), name="clip_failed_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status=ClipStatus.RECORDING) | Q(started_at__isnull=False),
                name="clip_recording_has_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.camera_name} · {self.duration} s · {self.created_at:%Y-%m-%d %H:%M:%S}"

    @property
    def is_ready(self) -> bool:
        return self.status == ClipStatus.READY

    @property
    def is_pending(self) -> bool:
        return self.status in (ClipStatus.QUEUED, ClipStatus.RECORDING)

    @property
    def download_filename(self) -> str:
        """A safe attachment name: ASCII letters, digits and dashes only."""
        return safe_filename(self.camera_name, self.started_at or self.created_at)
