"""Multi-camera exports: one range clip per camera, delivered together as a zip with a manifest."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import slugify

from accounts.scoping import Scope, ScopedQuerySet
from portal.models import TimeStampedModel
from recordings.models.clips import ClipStatus
from recordings.storage import clip_storage


class ExportBundle(TimeStampedModel):
    """A range of several cameras exported at once; its clips are ``Clip`` rows with ``bundle`` set.

    Visible to whoever may view every one of its cameras (``scope``: every clip).
    Once every clip is ready or failed, one assembly task claims the row
    (``queued`` -> ``recording``, a conditional UPDATE) and writes the zip
    (the ready clips' files plus ``manifest.json``: camera, range, SHA-256)
    into clip storage; the zip then follows the clips' retention.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_by_label = models.CharField(max_length=200, blank=True)
    range_start = models.DateTimeField()
    range_end = models.DateTimeField()
    stream = models.CharField(max_length=8)
    status = models.CharField(max_length=16, choices=ClipStatus.choices, default=ClipStatus.QUEUED)
    reason = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.FileField(storage=clip_storage, max_length=200, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True, help_text="Bytes.")
    sha256 = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    expires_at = models.DateTimeField()

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="organization", every="clips")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-created_at"]), models.Index(fields=["expires_at"])]
        constraints = [
            models.CheckConstraint(condition=Q(range_end__gt=models.F("range_start")), name="bundle_range_order"),
            models.CheckConstraint(
                condition=~Q(status=ClipStatus.READY) | (~Q(file="") & Q(size__isnull=False) & ~Q(sha256="")),
                name="bundle_ready_has_file",
            ),
        ]

    def __str__(self) -> str:
        return f"Export {self.range_start:%Y-%m-%d %H:%M:%S} to {self.range_end:%H:%M:%S}"

    @property
    def is_ready(self) -> bool:
        return self.status == ClipStatus.READY

    @property
    def download_filename(self) -> str:
        slug = slugify(f"export {self.range_start:%Y%m%d-%H%M%S} {self.range_end:%Y%m%d-%H%M%S}")
        return f"{slug}.zip"
