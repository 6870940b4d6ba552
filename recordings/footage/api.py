"""Recording API: a camera's settings and health, its footage in a range, an organization's storage.

``/api/v1/cameras/<id>/recording/``: GET (view right), PUT/PATCH (manage).
``/api/v1/cameras/<id>/recordings/?start=&end=[&stream=&segments=]``: what
is recorded in a range of at most 24 hours, segments and gaps (view).
``/api/v1/organizations/<id>/storage/``: usage, quota and the share of each
camera (members without site or camera limits), PATCH the quota and default
retention (manage). Every camera is reached through the access gate first,
so a foreign camera answers 404 before any field message.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import permissions, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import client_ip
from accounts.roles import Action
from accounts.scoping import access_camera
from portal.api_base import PUBLIC_ID_PARAMETER, errors
from recordings.footage import health, index, services, usage
from recordings.footage.serializers import (
    RangeAnswerSerializer,
    RangeQuerySerializer,
    RecordingSettingsSerializer,
    StoragePolicySerializer,
    StorageSerializer,
)

RANGE_PARAMETERS = [
    PUBLIC_ID_PARAMETER,
    OpenApiParameter("start", OpenApiTypes.DATETIME, required=True, description="Start of the range (ISO 8601)."),
    OpenApiParameter("end", OpenApiTypes.DATETIME, required=True,
                     description="End of the range (ISO 8601), at most 24 hours after the start."),
    OpenApiParameter("stream", str, enum=["main", "sub"],
                     description="Which stream; by default the one recorded (the sub stream first)."),
    OpenApiParameter("segments", OpenApiTypes.BOOL, description="`false`: covered intervals and gaps only."),
]


class _SingleObjectViewSet(viewsets.GenericViewSet):
    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None
    filter_backends: list = []


def _settings_response(camera: Any) -> Response:
    row = services.settings_for(camera)
    context = {"health": health.view_for(camera)}
    return Response(RecordingSettingsSerializer(row, context=context).data)


@extend_schema(tags=["recording"], parameters=[PUBLIC_ID_PARAMETER])
class CameraRecordingViewSet(_SingleObjectViewSet):
    """``/cameras/<id>/recording/`` and ``/cameras/<id>/recordings/``: one camera each, so no list."""

    serializer_class = RecordingSettingsSerializer

    @extend_schema(
        methods=["GET"], summary="Get a camera's recording settings and health",
        description="Recording off and defaults until someone saves them. `health` says how recording is going.",
        responses={200: RecordingSettingsSerializer, **errors(404)},
    )
    @extend_schema(
        methods=["PUT", "PATCH"], summary="Change a camera's recording settings",
        description="Owners and admins (manage right on the camera). PUT needs every field; PATCH some. "
                    "A recorder beside the camera's gateway picks the change up within seconds.",
        request=RecordingSettingsSerializer, responses={200: RecordingSettingsSerializer, **errors(400, 404)},
    )
    @action(detail=False, methods=["get", "put", "patch"], url_path="recording", url_name="settings")
    def recording(self, request: Request, id: str) -> Response:  # noqa: A002  (the URL's name)
        camera = self.get_object()  # 404 / 403 before any field message
        if request.method == "GET":
            return _settings_response(camera)
        body = RecordingSettingsSerializer(data=request.data, partial=request.method == "PATCH")
        body.is_valid(raise_exception=True)
        services.update_settings(request.user, id, ip=client_ip(request), **body.validated_data)
        return _settings_response(self._camera(request, id, Action.VIEW))

    @extend_schema(
        summary="Footage of a camera in a range",
        description="Covered intervals, explicit gaps and the segments of one stream between `start` and `end` "
                    "(at most 24 hours). Footage still being written (the current segment) is not listed yet.",
        parameters=RANGE_PARAMETERS, responses={200: RangeAnswerSerializer, **errors(400, 404)},
    )
    @action(detail=False, methods=["get"], url_path="recordings", url_name="footage")
    def recordings(self, request: Request, id: str) -> Response:  # noqa: A002
        camera = self._camera(request, id, Action.VIEW)
        query = RangeQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        stream = params.get("stream") or services.preferred_stream(camera)
        answer = index.footage_in_range(camera.pk, stream, params["start"], params["end"],
                                        with_segments=params["segments"])
        data = {"camera": camera.public_id, "stream": stream, "start": answer.start, "end": answer.end,
                "covered_seconds": answer.covered_seconds, "covered": _intervals(answer.covered),
                "gaps": _intervals(answer.gaps), "segments": answer.segments}
        return Response(RangeAnswerSerializer(data).data)

    def get_object(self) -> Any:
        """The camera, through the gate: view right to read, manage right to change.

        OPTIONS calls this too, to tell whether PUT is allowed (without it the
        generic one looked for a queryset and answered 500).
        """
        needed = Action.VIEW if self.request.method in permissions.SAFE_METHODS else Action.MANAGE
        return self._camera(self.request, self.kwargs["id"], needed)

    @staticmethod
    def _camera(request: Request, public_id: str, needed: str) -> Any:
        return access_camera(request.user, public_id, needed, related=("recording_settings", "recording_health",
                                                                        "recording_health__recorder"))


def _intervals(intervals: list) -> list[dict]:
    return [{"start": i.start, "end": i.end, "seconds": i.seconds} for i in intervals]


ORGANIZATION_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="Organization id.")


@extend_schema(tags=["recording"], parameters=[ORGANIZATION_ID])
class OrganizationStorageViewSet(_SingleObjectViewSet):
    """``/organizations/<id>/storage/``: one summary per organization."""

    serializer_class = StorageSerializer

    @extend_schema(
        methods=["GET"], summary="Storage used by an organization's footage",
        description="Bytes and segments in all, against the quota, and each camera's share (members without "
                    "site or camera limits). Read from counters kept with the index, so always current.",
        responses={200: StorageSerializer, **errors(404)},
    )
    @extend_schema(
        methods=["PATCH"], summary="Change the footage quota and default retention",
        description="Owners and admins. Cameras without their own retention use these defaults.",
        request=StoragePolicySerializer, responses={200: StorageSerializer, **errors(400, 404)},
    )
    @action(detail=False, methods=["get", "patch"], url_path="storage", url_name="storage")
    def storage(self, request: Request, id: str) -> Response:  # noqa: A002
        if request.method == "PATCH":
            organization = usage.access_storage(request.user, id, Action.MANAGE)
            body = StoragePolicySerializer(data=request.data, partial=True)
            body.is_valid(raise_exception=True)
            services.update_policy(request.user, organization.pk, ip=client_ip(request), **body.validated_data)
        organization = usage.access_storage(request.user, id, Action.VIEW)
        return Response(StorageSerializer(usage.storage_summary(organization.pk)).data)
