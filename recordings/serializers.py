"""API shapes of clips. Files are never in a response: only links from the download action."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from rest_framework import serializers

from recordings.models import Clip


class ClipSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    camera = serializers.SerializerMethodField(help_text="Id of the camera; null once the camera was deleted.")
    requested_by = serializers.CharField(source="requested_by_label", read_only=True)
    reason = serializers.CharField(read_only=True, help_text="Why the clip failed (empty unless failed).")
    size = serializers.IntegerField(read_only=True, allow_null=True, help_text="Bytes, once ready.")
    sha256 = serializers.CharField(read_only=True, help_text="SHA-256 of the file (hex), once ready.")

    class Meta:
        model = Clip
        fields = [
            "id", "camera", "camera_name", "organization", "requested_by", "duration", "status", "reason",
            "started_at", "finished_at", "size", "sha256", "created_at", "expires_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_camera(self, clip: Clip) -> str | None:
        return str(clip.camera.public_id) if clip.camera is not None else None


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
