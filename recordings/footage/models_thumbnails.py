"""The thumbnail index: one small JPEG per camera per interval (a minute by default), for the timeline's preview.

Kept apart from ``models.py`` (which re-exports it). Each row names the
segment its picture was taken from: a thumbnail lives exactly as long as
that footage (``index.remove_rows`` deletes its file and row with the
segment), so retention, quotas, the volume guard, legal holds and the
events-mode buffer decide for thumbnails too, and none is left without
footage. Thumbnails stay on the local disk (the hot tier) whatever tier
their segment moves to, and do not count in the byte counters (about 5 KB
a minute against megabytes of footage; see the README).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from accounts.scoping import Scope, ScopedQuerySet


class Thumbnail(models.Model):
    """The preview picture of one camera's interval starting at ``minute`` (UTC), stored at ``key`` (local)."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    camera = models.ForeignKey("cameras.Camera", null=True, blank=True, on_delete=models.SET_NULL,
                               related_name="footage_thumbnails")
    segment = models.ForeignKey("footage.Segment", on_delete=models.CASCADE, related_name="thumbnails",
                                help_text="The footage it was taken from: it goes when that segment goes.")
    minute = models.DateTimeField(help_text="Start of the interval it shows (a whole minute by default).")
    key = models.CharField(max_length=255, unique=True, help_text="The JPEG, relative to the recordings root.")
    bytes = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="organization", site="camera__site", camera="camera")

    class Meta:
        constraints = [
            # Also the index of the timeline's read: a camera's thumbnails over a range of minutes.
            models.UniqueConstraint(fields=["camera", "minute"], name="footage_thumbnail_camera_minute"),
        ]

    def __str__(self) -> str:
        return f"Thumbnail {self.minute:%Y-%m-%d %H:%M} of camera {self.camera_id}"
