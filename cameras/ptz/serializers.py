"""Shapes of the PTZ API (``cameras.ptz.api``): commands, the control lease, state and presets."""

from __future__ import annotations

from rest_framework import serializers

from cameras.models import PTZCapabilities, PTZPreset
from cameras.ptz.vocabulary import PTZ_FEATURES, PTZAction


def _axis(what: str) -> serializers.FloatField:
    return serializers.FloatField(required=False, allow_null=True, help_text=what)


class PTZCommandSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=[action.value for action in PTZAction],
        help_text="`move`: start a continuous move (renew it while held; it stops by itself after "
        "`move_timeout_ms`). `stop`. `relative` and `absolute` moves. `goto_preset`. `home`. "
        "`release`: let others take the camera at once.",
    )
    pan = _axis("`move`: velocity from -1 (left) to 1 (right). `relative`/`absolute`: in the camera's range.")
    tilt = _axis("`move`: velocity from -1 (down) to 1 (up). `relative`/`absolute`: in the camera's range.")
    zoom = _axis("`move`: velocity from -1 (out) to 1 (in). `relative`/`absolute`: in the camera's range.")
    preset = serializers.UUIDField(required=False, help_text="`goto_preset`: the preset's id.")
    takeover = serializers.BooleanField(
        default=False, help_text="Take the camera from whoever controls it now (owners and admins)."
    )


class PTZLockSerializer(serializers.Serializer):
    held = serializers.BooleanField(help_text="Whether someone controls the camera now.")
    holder = serializers.CharField(allow_null=True, help_text="Who controls it.")
    mine = serializers.BooleanField(help_text="Whether that is you.")
    expires_in = serializers.FloatField(allow_null=True, help_text="Seconds until the control lapses unless renewed.")


class PTZAcceptedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    command = serializers.IntegerField(help_text="The command's number on this camera.")
    lock = PTZLockSerializer()


class PTZConflictSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Who controls the camera and for how long.")
    lock = PTZLockSerializer()


class PTZCapabilitiesSerializer(serializers.ModelSerializer):
    class Meta:
        model = PTZCapabilities
        fields = [*PTZ_FEATURES, "max_presets", "ranges", "timeout_range", "device", "checked_at", "error",
                  "remove_presets"]
        extra_kwargs = {"remove_presets": {"help_text": "False once the camera said it cannot delete presets "
                                                        "(deleting one is then refused with a message)."}}


class PTZStatusSerializer(serializers.Serializer):
    pan = serializers.FloatField(allow_null=True, required=False)
    tilt = serializers.FloatField(allow_null=True, required=False)
    zoom = serializers.FloatField(allow_null=True, required=False)
    moving = serializers.BooleanField(allow_null=True, help_text="null when the camera does not say.")
    updated_at = serializers.FloatField(allow_null=True, help_text="When a worker read it (Unix time).")


class PTZStateSerializer(serializers.Serializer):
    capabilities = PTZCapabilitiesSerializer(allow_null=True, help_text="null until a worker has read them.")
    lock = PTZLockSerializer()
    status = PTZStatusSerializer(help_text="The last position read from the camera (refreshed as you poll).")
    error = serializers.CharField(allow_null=True, help_text="The last command's failure, if it failed.")
    move_timeout_ms = serializers.IntegerField(help_text="A held move must be renewed within this time.")


class PTZPresetSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    ready = serializers.BooleanField(read_only=True, help_text="False while a worker saves it on the camera.")
    removing = serializers.BooleanField(read_only=True, help_text="True while a worker asks the camera to delete "
                                        "it; if the camera refuses, it stays and the PTZ state's `error` says why.")
    name = serializers.CharField(max_length=64, help_text="Shown in the live view.")

    class Meta:
        model = PTZPreset
        fields = ["id", "name", "ready", "removing", "created_at"]
        read_only_fields = ["created_at"]
