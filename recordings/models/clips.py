"""Exported clips: MP4 files recorded from a camera's gateway without re-encoding."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.scoping import Scope, ScopedQuerySet
from portal.models import TimeStampedModel
from recordings.storage import clip_storage, range_filename, safe_filename


class ClipStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RECORDING = "recording", "Recording"
    READY = "ready", "Ready"
    FAILED = "failed", "Failed"


class ClipLifecycleQuerySet(ScopedQuerySet):
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
    # A range export (``recordings.clips.range_exports``) is cut from recorded footage; these stay empty for
    # a clip recorded live from the gateway ("the next N seconds").
    range_start = models.DateTimeField(null=True, blank=True, help_text="Requested start of a range export.")
    range_end = models.DateTimeField(null=True, blank=True, help_text="Requested end of a range export.")
    stream = models.CharField(max_length=8, blank=True, help_text="Recorded stream a range export is cut from.")
    cut_start = models.DateTimeField(
        null=True, blank=True, help_text="Where the file really starts: the keyframe at or before range_start."
    )
    cut_end = models.DateTimeField(null=True, blank=True, help_text="Where the file really ends.")
    gap_seconds = models.FloatField(default=0, help_text="Seconds without footage left out of the file.")
    estimated_bytes = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="Range exports: the size expected (for the quota while pending)."
    )
    bundle = models.ForeignKey(
        "recordings.ExportBundle", null=True, blank=True, on_delete=models.SET_NULL, related_name="clips",
        help_text="The multi-camera export this clip is part of.",
    )
    # Given by the service (not auto_now_add) so the expiry is computed from the very same instant.
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()

    objects = ClipLifecycleQuerySet.as_manager()
    scope = Scope(organization="organization", site="camera__site", camera="camera")

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
            models.CheckConstraint(
                condition=Q(range_start__isnull=True, range_end__isnull=True)
                | Q(range_end__gt=models.F("range_start")),
                name="clip_range_ends_after_start",
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
    def is_range(self) -> bool:
        return self.range_start is not None

    @property
    def download_filename(self) -> str:
        """A safe attachment name: ASCII letters, digits and dashes only.

        A range export is named by where it really starts and ends, and says
        that its start was moved to a keyframe.
        """
        if self.is_range and self.cut_start is not None and self.cut_end is not None:
            return range_filename(self.camera_name, self.cut_start, self.cut_end)
        return safe_filename(self.camera_name, self.started_at or self.created_at)
