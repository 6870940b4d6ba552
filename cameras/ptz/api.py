"""PTZ API: ``/api/v1/cameras/<id>/ptz/`` (state and commands) and its ``presets/``.

Every endpoint first asks the access gate for the camera with ``control``
(``services.access_ptz_camera``): 404 when the caller cannot see it, 403 when they
can see it but not move it. Commands answer 202 once queued for a worker; 409
when someone else holds the camera (the message names them). Presets are
listed to everyone with ``control``; saving and removing them needs
``manage``. All logic is in ``cameras.ptz.services``.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import client_ip
from accounts.callers import Visitor
from cameras.models import Camera
from cameras.ptz import services
from cameras.ptz.serializers import (
    PTZAcceptedSerializer,
    PTZCommandSerializer,
    PTZConflictSerializer,
    PTZPresetSerializer,
    PTZStateSerializer,
)
from portal.api_base import PUBLIC_ID_PARAMETER, ErrorSerializer, errors


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
        return services.access_ptz_camera(self.request.user, self.kwargs["id"])

    @property
    def ip(self) -> str | None:
        return client_ip(self.request)


def _conflict(exc: services.PTZLocked, user: Visitor, camera: Camera) -> Response:
    body = {"detail": str(exc), "lock": services.lock_state(user, camera)}
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
        state = services.ptz_state(request.user, camera)
        return Response(PTZStateSerializer(state).data)

    def create(self, request: Request, id: str) -> Response:  # noqa: A002
        camera = self.camera()
        serializer = PTZCommandSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        command = services.check_command(camera, data.pop("action"), data)
        try:
            accepted = services.do_command(request.user, camera, command, takeover=data["takeover"], ip=self.ip)
        except services.PTZLocked as exc:
            return _conflict(exc, request.user, camera)
        body = {"detail": "Queued.", "command": accepted.seq, "lock": accepted.lock}
        return Response(body, status=status.HTTP_202_ACCEPTED)

    @action(detail=False, methods=["post"], url_path="capabilities")
    def refresh(self, request: Request, id: str) -> Response:  # noqa: A002
        camera = self.camera()
        if not camera.has_onvif:
            return Response({"detail": "This camera has no ONVIF settings."}, status=status.HTTP_400_BAD_REQUEST)
        services.request_capabilities(camera)
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
        presets = services.presets_of(self.camera())
        return Response(PTZPresetSerializer(presets, many=True).data)

    def create(self, request: Request, id: str) -> Response:  # noqa: A002
        camera = self.camera()
        serializer = PTZPresetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            preset = services.do_create_preset(request.user, camera, serializer.validated_data["name"], ip=self.ip)
        except services.PTZLocked as exc:
            return _conflict(exc, request.user, camera)
        return Response(PTZPresetSerializer(preset).data, status=status.HTTP_202_ACCEPTED)

    def destroy(self, request: Request, id: str, preset_id: str) -> Response:  # noqa: A002
        preset = services.access_preset(self.camera(), preset_id)
        if services.do_delete_preset(request.user, preset, ip=self.ip):
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response({"detail": "Asked the camera to delete the preset."}, status=status.HTTP_202_ACCEPTED)
