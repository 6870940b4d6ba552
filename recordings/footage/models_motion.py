"""Motion spans: footage's own record of when each motion event ran on a camera.

Kept apart from ``models.py`` (which re-exports it). The recorder marks
segments that overlap motion (with the camera's pre- and post-roll) and keeps
an "events" camera's buffer that motion claims (``recordings.footage.settle``);
all it needs of a motion event is its camera and time span. The motion feature
above footage tells it through ``recordings.footage.motion_spans``, in the
same transaction as each change of a ``MotionEvent`` (opened, ended), so
footage reads only its own table and never imports the motion models.

A span shares its event's id (``event`` is the primary key), which is what a
marked segment records (``Segment.motion_event``), and goes with its event
(retention, a deleted organization) or its camera. Not tenant data to the
gate: no page, API or admin shows it.
"""

from __future__ import annotations

from django.db import models


class MotionSpan(models.Model):
    """When motion event ``event_id`` ran on ``camera``: open while ``ended_at`` is None."""

    event = models.OneToOneField("recordings.MotionEvent", primary_key=True, on_delete=models.CASCADE,
                                 related_name="+", help_text="The motion event; the span shares its id.")
    camera = models.ForeignKey("cameras.Camera", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["camera", "-started_at"], name="footage_motion_span_recent")]
        constraints = [
            models.CheckConstraint(condition=models.Q(ended_at__isnull=True)
                                   | models.Q(ended_at__gte=models.F("started_at")),
                                   name="footage_motion_span_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"Motion span of event {self.event_id} on camera {self.camera_id}"
