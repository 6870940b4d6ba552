"""Motion detection: per-camera settings and the events the motion workers record."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.scoping import Scope, ScopedQuerySet
from recordings.storage import clip_storage


class MotionSettings(models.Model):
    """How one camera's motion detection behaves. No row means detection is off.

    ``masks`` is a list of polygons, each a list of ``[x, y]`` points in
    0..1 coordinates of the picture; motion inside them is ignored.
    ``schedule`` is a list of ``{"days": [0..6], "start": "HH:MM", "end": "HH:MM"}``
    windows in the site's time zone (Monday is 0; an end before the start
    runs past midnight); an empty list means always on.
    """

    camera = models.OneToOneField(
        "cameras.Camera", on_delete=models.CASCADE, primary_key=True, related_name="motion_settings"
    )
    enabled = models.BooleanField(default=False)
    sensitivity = models.PositiveSmallIntegerField(
        default=50, validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="1 to 100: higher notices fainter changes.",
    )
    min_area = models.FloatField(
        default=0.5, validators=[MinValueValidator(0.01), MaxValueValidator(100)],
        help_text="Smallest moving region that counts, in percent of the picture.",
    )
    analysis_fps = models.PositiveSmallIntegerField(
        default=5, validators=[MinValueValidator(1), MaxValueValidator(15)],
        help_text="Frames analysed per second.",
    )
    cooldown_seconds = models.PositiveIntegerField(
        default=60, validators=[MaxValueValidator(86400)],
        help_text="After an alert, further motion on this camera is recorded but not alerted for this long.",
    )
    masks = models.JSONField(default=list, blank=True)
    schedule = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="camera__site__organization", site="camera__site", camera="camera")

    class Meta:
        verbose_name_plural = "motion settings"
        constraints = [
            models.CheckConstraint(condition=Q(sensitivity__gte=1, sensitivity__lte=100), name="motion_sensitivity"),
            models.CheckConstraint(condition=Q(analysis_fps__gte=1, analysis_fps__lte=15), name="motion_fps"),
        ]

    def __str__(self) -> str:
        return f"Motion settings of {self.camera}"


class MotionEvent(models.Model):
    """One stretch of motion on one camera, from its first to its last moving frame.

    ``organization`` is the camera's, copied so the event outlives a deleted
    camera until retention removes it. ``alerted`` says whether this event
    raised an alert (live push and notifications) or fell in a cooldown.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="motion_events")
    camera = models.ForeignKey(
        "cameras.Camera", null=True, blank=True, on_delete=models.SET_NULL, related_name="motion_events"
    )
    camera_name = models.CharField(max_length=120)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    peak_score = models.FloatField(default=0, help_text="Largest share of the picture in motion, 0 to 1.")
    peak_at = models.DateTimeField(null=True, blank=True)
    boxes = models.JSONField(default=list, blank=True, help_text="Moving regions at the peak, [x, y, w, h] in 0..1.")
    snapshot = models.FileField(storage=clip_storage, max_length=200, blank=True)
    alerted = models.BooleanField(default=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_by_label = models.CharField(max_length=200, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledgement_note = models.CharField(max_length=500, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="organization", site="camera__site", camera="camera")

    class Meta:
        ordering = ["-started_at", "-pk"]
        indexes = [
            models.Index(fields=["organization", "-started_at"]),
            models.Index(fields=["camera", "-started_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gte=models.F("started_at")),
                name="motion_event_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Motion on {self.camera_name} at {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def is_open(self) -> bool:
        return self.ended_at is None

    @property
    def is_acknowledged(self) -> bool:
        return self.acknowledged_at is not None
