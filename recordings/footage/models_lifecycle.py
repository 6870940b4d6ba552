"""Models of footage's lifecycle: legal holds, notices (recording stopped, quota nearly full), volume guard runs.

Kept apart from ``models.py`` (which re-exports them) so that module stays
the segment index and its settings. Holds and notices are tenant data that
follow their camera's scope (``FootageQuerySet``: the organization is
denormalised, so a deleted camera's rows stay visible to unrestricted
members); guard runs are platform infrastructure, for superusers only.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.callers import Visitor
from accounts.scoping import Scope, ScopedQuerySet
from recordings.footage.notice_kinds import NoticeKind

HOLD_REASON_MAX = 500


class LegalHold(models.Model):
    """A camera's footage between ``start`` and ``end`` that nothing may delete, for ``reason``.

    Every segment of the camera that overlaps [start, end) is protected from
    retention, quotas and the volume guard, whichever stream and tier it is
    on, including footage recorded into the range after the hold was set.
    The segments' ``held`` flags mirror the holds (``recordings.footage.holds``
    keeps them right; deletion checks the holds again). ``camera_public_id``
    and ``camera_name`` are copies that keep a hold meaningful, and its
    footage findable, after the camera is deleted. Lifting a hold deletes
    its row; the audit log keeps both events.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="legal_holds")
    camera = models.ForeignKey("cameras.Camera", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="legal_holds")
    camera_public_id = models.UUIDField(editable=False)
    camera_name = models.CharField(max_length=120)
    start = models.DateTimeField()
    end = models.DateTimeField()
    reason = models.CharField(max_length=HOLD_REASON_MAX)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_by_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="organization", site="camera__site", camera="camera")

    class Meta:
        ordering = ["-start", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="footage_hold_ends_after_start"),
        ]
        indexes = [models.Index(fields=["camera_public_id", "start"], name="footage_hold_camera_start")]

    def __str__(self) -> str:
        return f"Hold on {self.camera_name}, {self.start:%Y-%m-%d %H:%M} to {self.end:%Y-%m-%d %H:%M} UTC"


class Notice(models.Model):
    """Something about recording that people are told of: pushed, and delivered through the notification rules.

    ``recording.stopped``: a camera that should record has had no new footage
    since ``since`` for longer than ``CCTV_RECORDING_STOPPED_MINUTES``.
    ``storage.quota``: the organization's footage passed 90 % of its quota
    (no camera). ``detail`` holds the figures at the time.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    camera = models.ForeignKey("cameras.Camera", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    camera_name = models.CharField(max_length=120, blank=True)
    kind = models.CharField(max_length=32, choices=NoticeKind.choices)
    since = models.DateTimeField(null=True, blank=True, help_text="Recording stopped: the newest footage then.")
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="organization", site="camera__site", camera="camera")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-created_at"], name="footage_notice_org_created")]

    def __str__(self) -> str:
        where = f" on {self.camera_name}" if self.camera_name else ""
        return f"{self.get_kind_display()}{where} ({self.created_at:%Y-%m-%d %H:%M} UTC)"


class PlatformQuerySet(models.QuerySet):
    """Rows about the platform as a whole (the recordings disk): superusers only."""

    def for_user(self, user: Visitor | None, action: str = "view") -> PlatformQuerySet:
        return self.all() if user is not None and user.is_superuser else self.none()


class VolumeGuardRun(models.Model):
    """One time the recordings disk fell below its free-space floor and the guard deleted footage to save it.

    A run lasts as long as the guard's batches (which re-enqueue themselves)
    are needed; ``organizations`` holds the bytes deleted per organization
    id, ``outcome`` says in words how it ended (or why it could not).
    """

    started_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    path = models.CharField(max_length=500, help_text="The recordings directory whose filesystem was checked.")
    total_bytes = models.BigIntegerField(default=0)
    floor_bytes = models.BigIntegerField(default=0, help_text="Free space the guard keeps.")
    free_before = models.BigIntegerField(default=0)
    free_after = models.BigIntegerField(default=0)
    deleted_segments = models.BigIntegerField(default=0)
    deleted_bytes = models.BigIntegerField(default=0)
    organizations = models.JSONField(default=dict, blank=True, help_text="Bytes deleted per organization id.")
    outcome = models.CharField(max_length=300, blank=True)

    objects = PlatformQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = "volume guard run"

    def __str__(self) -> str:
        return f"Volume guard at {self.started_at:%Y-%m-%d %H:%M:%S} UTC"
