"""PTZ API: ``/api/v1/cameras/<id>/ptz/`` (state and commands) and its ``presets/``.

Every endpoint first asks the access gate for the camera with ``control``
(``ptz.access_ptz_camera``): 404 when the caller cannot see it, 403 when they
can see it but not move it. Commands answer 202 once queued for a worker; 409
when someone else holds the camera (the message names them). Presets are
listed to everyone with ``control``; saving and removing them needs
``manage``. All logic is in ``cameras.ptz``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import client_ip
from cameras import ptz
from cameras.models import Camera, PTZCapabilities, PTZPreset
from portal.api_base import PUBLIC_ID_PARAMETER, ErrorSerializer, errors

# --- shapes ----------------------------------------------------------------------------------------


def _axis(what: str) -> serializers.FloatField:
    return serializers.FloatField(required=False, allow_null=True, help_text=what)


class PTZCommandSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=ptz.ACTIONS,
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
        fields = [
            "continuous_pan_tilt", "continuous_zoom", "relative_pan_tilt", "relative_zoom",
            "absolute_pan_tilt", "absolute_zoom", "presets", "home", "max_presets", "ranges", "timeout_range",
            "device", "checked_at", "error", "remove_presets",
        ]  # fmt: skip
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


class _ObjectSchema(AutoSchema):
    """The state endpoint answers one object, though DRF names its GET handler ``list``."""

    def _is_list_view(self, serializer: Any = None) -> bool:
        return False


CONFLICT = OpenApiResponse(PTZConflictSerializer, description="Someone else controls the camera; the message says who.")
PTZ_403 = " 403 when you can see the camera but your role does not allow moving it."


# --- views ---------------------------------------------------------------------------------------


class _CameraPTZBase(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None
    filter_backends: list = []

    def camera(self) -> Camera:
        return ptz.access_ptz_camera(self.request.user, self.kwargs["id"])

    @property
    def ip(self) -> str | None:
        return client_ip(self.request)


def _conflict(exc: ptz.PTZLocked, user: Any, camera: Camera) -> Response:
    body = {"detail": str(exc), "lock": ptz.lock_state(user, camera)}
    return Response(body, status=status.HTTP_409_CONFLICT)


@extend_schema(tags=["ptz"], parameters=[PUBLIC_ID_PARAMETER])
@extend_schema_view(
    list=extend_schema(
        summary="PTZ state of a camera",
        description="What the camera can do, who controls it, its last known position and the last error."
        + PTZ_403,
        responses={200: PTZStateSerializer, **errors(404)},
    ),
    create=extend_schema(
        summary="Send a PTZ command",
        description="Queue a command for the camera. The first command takes control of the camera for "
        "a short lease that each command renews; others get 409 meanwhile unless an owner or admin "
        "takes over. A continuous `move` stops by itself after `move_timeout_ms` unless renewed." + PTZ_403,
        request=PTZCommandSerializer,
        responses={202: PTZAcceptedSerializer, **errors(400, 404), 409: CONFLICT},
    ),
    refresh=extend_schema(
        summary="Read PTZ capabilities again",
        description="Ask a worker to read what the camera supports (also done whenever its ONVIF settings "
        "change)." + PTZ_403,
        request=None,
        responses={202: OpenApiResponse(ErrorSerializer, description="Queued."), **errors(400, 404)},
    ),
)
class CameraPTZViewSet(_CameraPTZBase):
    schema = _ObjectSchema()
    serializer_class = PTZCommandSerializer

    def list(self, request: Request, id: str) -> Response:  # noqa: A002  (the URL's name)
        camera = self.camera()
        state = ptz.ptz_state(request.user, camera)
        return Response(PTZStateSerializer(state).data)

    def create(self, request: Request, id: str) -> Response:  # noqa: A002
        camera = self.camera()
        serializer = PTZCommandSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        command = ptz.check_command(camera, data.pop("action"), data)
        try:
            accepted = ptz.do_command(request.user, camera, command, takeover=data["takeover"], ip=self.ip)
        except ptz.PTZLocked as exc:
            return _conflict(exc, request.user, camera)
        body = {"detail": "Queued.", "command": accepted.seq, "lock": accepted.lock}
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @action(detail=False, methods=["post"], url_path="capabilities")
    def refresh(self, request: Request, id: str) -> Response:  # noqa: A002
        camera = self.camera()
        if not camera.has_onvif:
            return Response({"detail": "This camera has no ONVIF settings."}, status=status.HTTP_400_BAD_REQUEST)
        ptz.request_capabilities(camera)
        return Response({"detail": "Queued."}, status=status.HTTP_202_ACCEPTED)


PRESET_ID = OpenApiParameter("preset_id", str, OpenApiParameter.PATH, description="The preset's id (a UUID).")


@extend_schema(tags=["ptz"], parameters=[PUBLIC_ID_PARAMETER])
@extend_schema_view(
    list=extend_schema(
        summary="List PTZ presets",
        description="The camera's presets, in name order." + PTZ_403,
        responses={200: PTZPresetSerializer(many=True), **errors(404)},
    ),
    create=extend_schema(
        summary="Save a PTZ preset",
        description="Store the camera's current position under a name (owners and admins; takes control "
        "of the camera like a command). The preset is `ready` once the camera has stored it.",
        responses={202: PTZPresetSerializer, **errors(400, 404), 409: CONFLICT},
    ),
    destroy=extend_schema(
        summary="Remove a PTZ preset",
        description="Remove a preset from the camera and here (owners and admins). 202: a worker asks the "
        "camera; the preset is `removing` until the camera has deleted it, and stays (with the camera's answer "
        "as the PTZ state's `error`) if the camera refuses. 204: it was not saved on the camera yet and is gone. "
        "400 when the camera is known not to delete presets.",
        parameters=[PRESET_ID],
        responses={202: OpenApiResponse(ErrorSerializer, description="Asked the camera."), 204: None,
                   **errors(400, 404)},
    ),
)
class PTZPresetViewSet(_CameraPTZBase):
    serializer_class = PTZPresetSerializer
    lookup_url_kwarg = "preset_id"
    lookup_value_regex = "[^/]+"

    def list(self, request: Request, id: str) -> Response:  # noqa: A002
        presets = ptz.presets_of(self.camera())
        return Response(PTZPresetSerializer(presets, many=True).data)

    def create(self, request: Request, id: str) -> Response:  # noqa: A002
        camera = self.camera()
        serializer = PTZPresetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            preset = ptz.do_create_preset(request.user, camera, serializer.validated_data["name"], ip=self.ip)
        except ptz.PTZLocked as exc:
            return _conflict(exc, request.user, camera)
        return Response(PTZPresetSerializer(preset).data, status=status.HTTP_202_ACCEPTED)

    def destroy(self, request: Request, id: str, preset_id: str) -> Response:  # noqa: A002
        preset = ptz.access_preset(self.camera(), preset_id)
        if ptz.do_delete_preset(request.user, preset, ip=self.ip):
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response({"detail": "Asked the camera to delete the preset."}, status=status.HTTP_202_ACCEPTED)
