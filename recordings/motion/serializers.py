"""API shapes of motion events and a camera's motion settings.

Shapes only: ranges, mask polygons and schedule windows are checked by
``recordings.motion.services.update_settings``.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from recordings.models import MotionEvent, MotionSettings
from recordings.motion.services import MAX_POINTS, MAX_POLYGONS


class MotionEventSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    camera = serializers.SerializerMethodField(help_text="Id of the camera; null once the camera was deleted.")
    site = serializers.SerializerMethodField(help_text="Id of the camera's site; null once the camera was deleted.")
    site_name = serializers.SerializerMethodField()
    duration = serializers.SerializerMethodField(help_text="Seconds from first to last moving frame; null while open.")
    peak_score = serializers.FloatField(read_only=True, help_text="Largest share of the picture in motion, 0 to 1.")
    boxes = serializers.JSONField(read_only=True, help_text="Moving regions at the peak, [x, y, w, h] in 0..1.")
    snapshot = serializers.SerializerMethodField(help_text="Where to GET the JPEG of the peak; null if none.")
    acknowledged = serializers.BooleanField(source="is_acknowledged", read_only=True)
    acknowledged_by = serializers.CharField(
        source="acknowledged_by_label", read_only=True, help_text="Who acknowledged it (a person or an API token)."
    )

    class Meta:
        model = MotionEvent
        fields = [
            "id", "camera", "camera_name", "site", "site_name", "organization", "started_at", "ended_at",
            "duration", "peak_score", "peak_at", "boxes", "alerted", "snapshot",
            "acknowledged", "acknowledged_by", "acknowledged_at", "acknowledgement_note",
        ]  # fmt: skip
        read_only_fields = fields

    def get_camera(self, event: MotionEvent) -> str | None:
        return str(event.camera.public_id) if event.camera is not None else None

    def get_site(self, event: MotionEvent) -> str | None:
        return str(event.camera.site.public_id) if event.camera is not None else None

    def get_site_name(self, event: MotionEvent) -> str:
        return event.camera.site.name if event.camera is not None else ""

    def get_duration(self, event: MotionEvent) -> float | None:
        return (event.ended_at - event.started_at).total_seconds() if event.ended_at else None

    def get_snapshot(self, event: MotionEvent) -> str | None:
        if not event.snapshot:
            return None
        url = reverse("motion-event-snapshot", kwargs={"id": event.public_id})
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request is not None else url


class AcknowledgeSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, help_text="What was done.")


MASKS_SCHEMA = {
    "type": "array", "maxItems": MAX_POLYGONS,
    "description": "Polygons where motion is ignored, each 3 to 64 [x, y] points in 0..1 of the picture.",
    "items": {"type": "array", "minItems": 3, "maxItems": MAX_POINTS, "items": {
        "type": "array", "minItems": 2, "maxItems": 2, "items": {"type": "number", "minimum": 0, "maximum": 1},
    }},
}  # fmt: skip
SCHEDULE_SCHEMA = {
    "type": "array",
    "description": "Weekly windows in the site's time zone; empty means always. An end before the start "
    "runs past midnight.",
    "items": {"type": "object", "required": ["days", "start", "end"], "properties": {
        "days": {"type": "array", "items": {"type": "integer", "minimum": 0, "maximum": 6},
                 "description": "0 is Monday, 6 Sunday."},
        "start": {"type": "string", "example": "18:00"},
        "end": {"type": "string", "example": "07:00"},
    }},
}  # fmt: skip


@extend_schema_field(MASKS_SCHEMA)
class MasksField(serializers.JSONField):
    pass


@extend_schema_field(SCHEDULE_SCHEMA)
class ScheduleField(serializers.JSONField):
    pass


class MotionSettingsSerializer(serializers.Serializer):
    """How motion detection behaves on one camera."""

    # Shape only: ranges, polygons and windows are checked by motion.update_settings.

    camera = serializers.UUIDField(source="camera.public_id", read_only=True)
    enabled = serializers.BooleanField()
    sensitivity = serializers.IntegerField(help_text="1 to 100: higher notices fainter changes.")
    min_area = serializers.FloatField(help_text="Smallest moving region that counts, in percent (0.01 to 100).")
    analysis_fps = serializers.IntegerField(help_text="Frames analysed per second, 1 to 15.")
    cooldown_seconds = serializers.IntegerField(
        help_text="After an alert, further motion is recorded but not alerted for this long (0 to 86400)."
    )
    masks = MasksField()
    schedule = ScheduleField()
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="null until first saved.")

    def to_representation(self, instance: MotionSettings) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["masks"], data["schedule"] = instance.masks or [], instance.schedule or []
        return data
