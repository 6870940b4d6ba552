"""API shapes of clips. Files are never in a response: only links from the download action."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from recordings.footage.models import StreamVariant
from recordings.models import Clip, ExportBundle


class ClipSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    camera = serializers.SerializerMethodField(help_text="Id of the camera; null once the camera was deleted.")
    requested_by = serializers.CharField(source="requested_by_label", read_only=True)
    reason = serializers.CharField(read_only=True, help_text="Why the clip failed (empty unless failed).")
    size = serializers.IntegerField(read_only=True, allow_null=True, help_text="Bytes, once ready.")
    sha256 = serializers.CharField(read_only=True, help_text="SHA-256 of the file (hex), once ready.")
    range_start = serializers.DateTimeField(read_only=True, allow_null=True,
                                            help_text="Range exports: the requested start (null for live clips).")
    range_end = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Range exports: requested end.")
    stream = serializers.CharField(read_only=True, help_text="Range exports: main or sub (empty for live clips).")
    cut_start = serializers.DateTimeField(
        read_only=True, allow_null=True,
        help_text="Range exports, once ready: where the file starts (the keyframe at or before range_start).",
    )
    cut_end = serializers.DateTimeField(read_only=True, allow_null=True, help_text="Where the file ends.")
    gap_seconds = serializers.FloatField(read_only=True, help_text="Seconds without footage left out of the file.")
    export = serializers.SerializerMethodField(help_text="Id of the multi-camera export this clip is part of.")

    class Meta:
        model = Clip
        fields = [
            "id", "camera", "camera_name", "organization", "requested_by", "duration", "status", "reason",
            "started_at", "finished_at", "size", "sha256", "created_at", "expires_at",
            "range_start", "range_end", "stream", "cut_start", "cut_end", "gap_seconds", "export",
        ]  # fmt: skip
        read_only_fields = fields

    def get_camera(self, clip: Clip) -> str | None:
        return str(clip.camera.public_id) if clip.camera is not None else None

    def get_export(self, clip: Clip) -> str | None:
        return str(clip.bundle.public_id) if clip.bundle is not None else None


class ClipRequestSerializer(serializers.Serializer):
    """Checked for shape only: the service checks the camera through the gate and the quota."""

    camera = serializers.UUIDField(help_text="Id of a camera you may export from.")
    duration = serializers.IntegerField(help_text="Length in seconds, from 1 to the configured maximum (1800).")

    def validate_duration(self, value: int) -> int:
        limit = settings.CCTV_CLIP_MAX_SECONDS
        if not 1 <= value <= limit:
            raise serializers.ValidationError(f"Choose a length from 1 to {limit} seconds.")
        return value

    def create(self, validated_data: dict[str, Any]) -> Clip:  # pragma: no cover  (the viewset calls the service)
        raise NotImplementedError


class ClipLinkSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="Where to GET the MP4 file.")
    expires_in = serializers.IntegerField(
        allow_null=True, help_text="Seconds the URL stays valid (S3 storage); null when it needs your credentials."
    )
    filename = serializers.CharField()


DATETIME_MESSAGE = "Give an ISO 8601 date and time with a time zone, such as 2026-03-01T08:00:00Z."
_DATETIME_ERRORS = {"invalid": DATETIME_MESSAGE, "required": DATETIME_MESSAGE, "overflow": DATETIME_MESSAGE,
                    "make_aware": DATETIME_MESSAGE}


class RangeFieldsSerializer(serializers.Serializer):
    """Checked for shape only: ``recordings.range_exports`` checks order, length, footage and quota."""

    start = serializers.DateTimeField(error_messages=_DATETIME_ERRORS, help_text="Start of the range (ISO 8601).")
    end = serializers.DateTimeField(
        error_messages=_DATETIME_ERRORS,
        help_text="End of the range, exclusive; at most 24 h after the start and 30 min from now.",
    )
    stream = serializers.ChoiceField(choices=StreamVariant.choices, default="main",
                                     error_messages={"invalid_choice": "Choose main or sub."})


class RangeClipRequestSerializer(RangeFieldsSerializer):
    camera = serializers.UUIDField(help_text="Id of a camera you may export from.")


class ExportRequestSerializer(RangeFieldsSerializer):
    cameras = serializers.ListField(child=serializers.UUIDField(), min_length=1, max_length=16,
                                    help_text="Ids of cameras of one organization (1 to 16).")


class ExportBundleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    requested_by = serializers.CharField(source="requested_by_label", read_only=True)
    clips = serializers.SerializerMethodField(help_text="Ids of the per-camera clips.")
    size = serializers.IntegerField(read_only=True, allow_null=True, help_text="Bytes of the zip, once ready.")
    sha256 = serializers.CharField(read_only=True, help_text="SHA-256 of the zip (hex), once ready.")

    class Meta:
        model = ExportBundle
        fields = ["id", "organization", "requested_by", "range_start", "range_end", "stream", "status", "reason",
                  "clips", "size", "sha256", "created_at", "finished_at", "expires_at"]
        read_only_fields = fields

    def get_clips(self, bundle: ExportBundle) -> list[str]:
        return [str(public_id) for public_id in bundle.clips.values_list("public_id", flat=True)]
