"""API shapes of sites and cameras.

Camera sources and ONVIF credentials are write-only: responses carry masked
sources and yes/no flags, never a secret. Source fields keep their input
exactly as sent (no whitespace trimming) so the source rules see it all.
"""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import Organization
from accounts.scoped_api import ScopedPrimaryKeyField, ScopedPublicIdField
from cameras.models import Camera, Site

SOURCE_INPUT_LIMIT = 4096  # the source rules give the real, friendlier limit


class SiteSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organization = ScopedPrimaryKeyField(
        Organization, noun="organization", help_text="Id of an organization you manage; set on creation only."
    )
    camera_count = serializers.IntegerField(read_only=True, help_text="Cameras of this site that you can see.")

    class Meta:
        model = Site
        fields = ["id", "name", "address", "timezone", "organization", "camera_count", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["organization"].read_only = True

    def get_validators(self) -> list:
        # The unique name is checked by the service, inside its transaction.
        return []

    def service_fields(self) -> dict[str, Any]:
        return {field: value for field, value in self.validated_data.items() if field != "organization"}


def _secret_field(help_text: str, **kwargs: Any) -> serializers.CharField:
    return serializers.CharField(write_only=True, trim_whitespace=False, help_text=help_text, **kwargs)


class CameraSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    site = ScopedPublicIdField(Site, noun="site", help_text="Id of a site you manage.")
    main_source = _secret_field(
        "rtsp:// or rtsps:// URL of the main stream, credentials included.", max_length=SOURCE_INPUT_LIMIT
    )
    sub_source = _secret_field(
        "Optional lower-resolution stream; an empty string removes it.",
        max_length=SOURCE_INPUT_LIMIT,
        required=False,
        allow_blank=True,
    )
    onvif_username = _secret_field("ONVIF user name.", max_length=200, required=False, allow_blank=True)
    onvif_password = _secret_field("ONVIF password.", max_length=200, required=False, allow_blank=True)
    main_source_display = serializers.CharField(read_only=True, help_text="The main source with secrets masked.")
    sub_source_display = serializers.CharField(read_only=True, help_text="The sub source with secrets masked.")
    has_sub_stream = serializers.SerializerMethodField()
    has_onvif_credentials = serializers.SerializerMethodField()

    class Meta:
        model = Camera
        fields = [
            "id", "name", "site",
            "main_source", "sub_source", "onvif_username", "onvif_password",
            "main_source_display", "sub_source_display", "has_sub_stream",
            "onvif_host", "onvif_port", "has_onvif_credentials",
            "enabled", "status", "status_changed_at", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["status", "status_changed_at", "created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["main_source"].required = False

    def get_validators(self) -> list:
        # The unique name is checked by the service, inside its transaction.
        return []

    def get_has_sub_stream(self, camera: Camera) -> bool:
        return bool(camera.sub_source)

    def get_has_onvif_credentials(self, camera: Camera) -> bool:
        return bool(camera.onvif_username or camera.onvif_password)

    def service_changes(self) -> dict[str, Any]:
        """The validated fields as keyword arguments of ``cameras.services`` (site apart).

        Clearing the ONVIF host forgets its credentials too, as the camera form does.
        """
        changes = {field: value for field, value in self.validated_data.items() if field != "site"}
        if "onvif_host" in changes and not changes["onvif_host"]:
            changes.update(onvif_username="", onvif_password="")
        return changes
