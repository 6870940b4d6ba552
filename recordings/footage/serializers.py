"""Shapes of the recording API: settings, health, footage in a range, storage, legal holds."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone
from rest_framework import serializers

from recordings.footage.health import HealthView
from recordings.footage.models import LegalHold, RecordingMode, StreamChoice, StreamVariant, Tier
from recordings.footage.models_lifecycle import HOLD_REASON_MAX

MAX_RANGE = timedelta(hours=24)
DATETIME_MESSAGE = "Give an ISO 8601 date and time, such as 2026-03-01T08:00:00Z."


class HealthSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=["off", "waiting", "recording", "reconnecting", "failing"], read_only=True,
        help_text="`recording`, `reconnecting` (ffmpeg restarts with backoff), `failing` (see `reason`), "
                  "`waiting` (for a recorder) or `off`.",
    )
    label = serializers.CharField(read_only=True)
    reason = serializers.CharField(read_only=True, help_text="Why it is not recording, in plain words.")
    changed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    last_segment_at = serializers.DateTimeField(read_only=True, allow_null=True,
                                                help_text="End of the newest indexed footage.")
    bytes_today = serializers.IntegerField(read_only=True, help_text="Bytes recorded on the site's current day.")

    def to_representation(self, instance: HealthView) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["label"] = instance.label
        return data


class RecordingSettingsSerializer(serializers.Serializer):
    """How one camera is recorded. Ranges and choices are checked by the service."""

    camera = serializers.UUIDField(source="camera.public_id", read_only=True)
    mode = serializers.ChoiceField(choices=RecordingMode.choices,
                                   help_text="`off`, `continuous`, or `events` (footage around motion events only).")
    stream = serializers.ChoiceField(choices=StreamChoice.choices,
                                     help_text="`main`, `sub` (main on cameras without one) or `both`.")
    pre_roll_seconds = serializers.IntegerField(help_text="Events mode: seconds kept before each event (0 to 300).")
    post_roll_seconds = serializers.IntegerField(help_text="Events mode: seconds kept after each event (0 to 300).")
    continuous_retention_days = serializers.IntegerField(
        allow_null=True, help_text="Days continuous footage is kept; null for the organization's default."
    )
    event_retention_days = serializers.IntegerField(
        allow_null=True, help_text="Days footage around events is kept; null for the organization's default."
    )
    updated_at = serializers.DateTimeField(read_only=True, allow_null=True, help_text="null until first saved.")
    health = HealthSerializer(read_only=True, help_text="How recording is going right now.")

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["health"] = HealthSerializer(self.context["health"]).data
        return data


class RangeQuerySerializer(serializers.Serializer):
    start = serializers.DateTimeField(error_messages={"invalid": DATETIME_MESSAGE, "required": DATETIME_MESSAGE})
    end = serializers.DateTimeField(error_messages={"invalid": DATETIME_MESSAGE, "required": DATETIME_MESSAGE})
    stream = serializers.ChoiceField(choices=StreamVariant.choices, required=False,
                                     error_messages={"invalid_choice": "Choose main or sub."})
    segments = serializers.BooleanField(required=False, default=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if attrs["end"] <= attrs["start"]:
            raise serializers.ValidationError({"end": ["The end must come after the start."]})
        if attrs["end"] - attrs["start"] > MAX_RANGE:
            raise serializers.ValidationError(
                {"end": ["Ask for at most 24 hours at a time; ask again for the next part."]}
            )
        return attrs


class IntervalSerializer(serializers.Serializer):
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    seconds = serializers.FloatField()


class ListedSegments(serializers.ListSerializer):
    """A day holds 8,640 segments: they come in the API's shape already, so they pass through as they are.

    ``index.footage_in_range`` gives each as a dict of the fields below with
    plain values, its times as aware UTC datetimes, which the JSON renderer
    writes exactly as ``DateTimeField`` would (``2026-03-01T08:00:00.004000Z``)
    as long as the current time zone is UTC (the portal never activates
    another; if one is active, each segment goes through the fields).
    Ten fields' work per segment cost about 0.3 s for a day.
    """

    def to_representation(self, data: Any) -> Any:
        if timezone.get_current_timezone_name() == "UTC":
            return data
        return super().to_representation(data)


class SegmentSerializer(serializers.Serializer):
    class Meta:
        list_serializer_class = ListedSegments

    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    duration = serializers.FloatField(help_text="Seconds of media.")
    bytes = serializers.IntegerField()
    kind = serializers.CharField(help_text="`continuous`, `event` or `buffer` (events mode, not yet claimed).")
    has_motion = serializers.BooleanField(help_text="Overlaps a motion event (with pre/post-roll).")
    codec = serializers.CharField()
    width = serializers.IntegerField()
    height = serializers.IntegerField()
    tier = serializers.CharField(help_text="Where the bytes are: `local`, `s3` or `azure`.")


class RangeAnswerSerializer(serializers.Serializer):
    camera = serializers.UUIDField()
    stream = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    covered_seconds = serializers.FloatField(help_text="Seconds of the range with footage.")
    covered = IntervalSerializer(many=True, help_text="Stretches with footage, in order.")
    gaps = IntervalSerializer(many=True, help_text="Stretches without footage (longer than half a second).")
    segments = SegmentSerializer(many=True, help_text="Every segment in the range (empty with segments=false).")


class CameraShareSerializer(serializers.Serializer):
    camera = serializers.UUIDField(source="camera_public_id")
    camera_name = serializers.CharField()
    site_name = serializers.CharField()
    bytes = serializers.IntegerField()
    segments = serializers.IntegerField()


class StorageSerializer(serializers.Serializer):
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    used_bytes = serializers.IntegerField(read_only=True)
    segments = serializers.IntegerField(read_only=True)
    quota_bytes = serializers.IntegerField(allow_null=True,
                                           help_text="All footage of the organization; null means no quota.")
    used_share = serializers.FloatField(read_only=True, allow_null=True, help_text="Used over quota (1 is full).")
    continuous_retention_days = serializers.IntegerField(source="policy.continuous_retention_days",
                                                         help_text="Default days continuous footage is kept.")
    event_retention_days = serializers.IntegerField(source="policy.event_retention_days",
                                                    help_text="Default days footage around events is kept.")
    other_bytes = serializers.IntegerField(read_only=True, help_text="Footage of deleted cameras.")
    cameras = CameraShareSerializer(many=True, read_only=True)


class StoragePolicySerializer(serializers.Serializer):
    """What an owner or admin may change about the organization's storage (ranges checked by the service)."""

    quota_bytes = serializers.IntegerField(allow_null=True, help_text="null means no quota.")
    continuous_retention_days = serializers.IntegerField(help_text="1 to 3650.")
    event_retention_days = serializers.IntegerField(help_text="1 to 3650.")


class StorageTierSerializer(serializers.Serializer):
    """An organization's storage tier. Credentials are write-only: answers only say whether they are set."""

    kind = serializers.ChoiceField(choices=Tier.choices, help_text="local, s3 or azure.")
    move_after_hours = serializers.IntegerField(help_text="Closed segments older than this move (1 to 8760).")
    endpoint_url = serializers.CharField(allow_blank=True, required=False, max_length=300,
                                         help_text="https:// URL of the store; empty: AWS S3 / the Azure account URL.")
    region = serializers.CharField(allow_blank=True, required=False, max_length=40, help_text="S3 region.")
    bucket = serializers.CharField(allow_blank=True, required=False, max_length=63,
                                   help_text="S3 bucket or Azure container.")
    access_key = serializers.CharField(allow_blank=True, required=False, write_only=True, max_length=512,
                                       help_text="S3 access key id, or the Azure account name. Write-only.")
    secret_key = serializers.CharField(allow_blank=True, required=False, write_only=True, max_length=512,
                                       help_text="S3 secret key, or the Azure account key. Write-only; empty keeps it.")
    has_credentials = serializers.SerializerMethodField(help_text="An access key and a secret key are stored.")
    moved_segments = serializers.IntegerField(read_only=True)
    moved_at = serializers.DateTimeField(read_only=True, allow_null=True)
    move_failures = serializers.IntegerField(read_only=True, help_text="Failed tries in a row (store down...).")
    move_error = serializers.CharField(read_only=True, help_text="Why the last move failed, in words.")
    move_retry_at = serializers.DateTimeField(read_only=True, allow_null=True)

    def get_has_credentials(self, row: Any) -> bool:
        return bool(row.access_key and row.secret_key)


class LegalHoldSerializer(serializers.ModelSerializer):
    """A legal hold. The camera is set on creation; the range and the reason may change later."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    camera = serializers.UUIDField(source="camera_public_id",
                                   help_text="Id of a camera you manage; set on creation (kept if it is deleted).")
    organization = serializers.IntegerField(source="organization_id", read_only=True)
    start = serializers.DateTimeField(error_messages={"invalid": DATETIME_MESSAGE, "required": DATETIME_MESSAGE},
                                      help_text="Start of the protected range (ISO 8601).")
    end = serializers.DateTimeField(error_messages={"invalid": DATETIME_MESSAGE, "required": DATETIME_MESSAGE},
                                    help_text="End of the protected range (ISO 8601); may lie in the future.")
    reason = serializers.CharField(max_length=HOLD_REASON_MAX, help_text="Why the footage is held (case, request).")
    created_by = serializers.CharField(source="created_by_label", read_only=True)
    camera_deleted = serializers.SerializerMethodField(help_text="The camera was deleted; its footage stays held.")

    class Meta:
        model = LegalHold
        fields = ["id", "organization", "camera", "camera_name", "camera_deleted", "start", "end", "reason",
                  "created_by", "created_at", "updated_at"]
        read_only_fields = ["camera_name", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["camera"].read_only = True

    def get_camera_deleted(self, hold: LegalHold) -> bool:
        return hold.camera_id is None

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start = attrs.get("start", getattr(self.instance, "start", None))
        end = attrs.get("end", getattr(self.instance, "end", None))
        if start is not None and end is not None and end <= start:
            raise serializers.ValidationError({"end": ["The end must come after the start."]})
        return attrs
