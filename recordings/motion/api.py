"""API for motion alerts and a camera's motion settings.

``/api/v1/motion-events/``: events of cameras you can see (list, filter,
retrieve), ``acknowledge`` (needs the acknowledge right: operators and up)
and the ``snapshot`` JPEG. ``/api/v1/cameras/<id>/motion/``: read the
settings (view right) or change them (manage right). Every change goes
through ``recordings.motion.services``; snapshots through ``recordings.clips.downloads``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, permissions, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import client_ip
from accounts.roles import Action
from accounts.scoped_api import ScopedViewSet
from accounts.scoping import ScopedQuerySet, access
from cameras.models import Camera
from portal.api_base import (
    DATETIME_MESSAGE,
    PUBLIC_ID_PARAMETER,
    DateTimeFilter,
    ErrorSerializer,
    JPEGRenderer,
    errors,
    read_schemas,
)
from recordings.clips import downloads, range_exports
from recordings.clips.serializers import ClipSerializer
from recordings.models import MotionEvent
from recordings.motion import services as motion
from recordings.motion.serializers import AcknowledgeSerializer, MotionEventSerializer, MotionSettingsSerializer

# --- filters -------------------------------------------------------------------------------------

TRUE_FALSE = [("true", "true"), ("false", "false")]


def _true_false(field_name: str, help_text: str) -> django_filters.ChoiceFilter:
    return django_filters.ChoiceFilter(
        field_name=field_name, choices=TRUE_FALSE, method="filter_flag", help_text=help_text,
        error_messages={"invalid_choice": "Use true or false."},
    )


class MotionEventFilter(django_filters.FilterSet):
    camera = django_filters.UUIDFilter(
        field_name="camera__public_id", help_text="Camera id.", error_messages={"invalid": "Give a camera id (a UUID)."}
    )
    site = django_filters.UUIDFilter(
        field_name="camera__site__public_id", help_text="Site id.",
        error_messages={"invalid": "Give a site id (a UUID)."},
    )
    since = DateTimeFilter(
        field_name="started_at", lookup_expr="gte", help_text="Started at or after (ISO 8601).",
        error_messages={"invalid": DATETIME_MESSAGE},
    )
    until = DateTimeFilter(
        field_name="started_at", lookup_expr="lt", help_text="Started before (ISO 8601).",
        error_messages={"invalid": DATETIME_MESSAGE},
    )
    acknowledged = _true_false("acknowledged_at", "`true`: acknowledged ones only; `false`: not yet acknowledged.")
    alerted = _true_false("alerted", "`true`: events that raised an alert; `false`: those within a cooldown.")

    class Meta:
        model = MotionEvent
        fields = ["camera", "site", "since", "until", "acknowledged", "alerted"]

    def filter_flag(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        if name == "acknowledged_at":
            return queryset.filter(acknowledged_at__isnull=value != "true")
        return queryset.filter(**{name: value == "true"})


# --- views ---------------------------------------------------------------------------------------


SNAPSHOT_RESPONSES: dict[Any, OpenApiResponse] = {  # status, or (status, media type)
    (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The JPEG (local storage)."),
    302: OpenApiResponse(description="S3 storage: a short-lived presigned URL is in `Location`."),
    **errors(404),
}
ALREADY = OpenApiResponse(ErrorSerializer, description="Someone acknowledged it already; the message says who.")


@extend_schema_view(
    **read_schemas(
        MotionEventSerializer,
        list_summary="List motion events",
        list_description="Motion events of cameras you can see, newest first. Filter by camera, site, start time, "
                         "acknowledged and alerted. Live alerts also arrive as `motion.alert` on the event stream.",
        one_summary="Get a motion event",
        one_description="One motion event: camera, start and end, peak score and moving regions, acknowledgement.",
    ),
)
@extend_schema(tags=["motion"])
class MotionEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = MotionEvent.objects.none()
    serializer_class = MotionEventSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    filterset_class = MotionEventFilter
    ordering_fields = ["started_at", "peak_score"]

    @property
    def write_action(self) -> str:  # type: ignore[override]
        return Action.EXPORT if self.action == "export" else Action.ACKNOWLEDGE

    def base_queryset(self) -> ScopedQuerySet:
        return MotionEvent.objects.select_related("camera", "camera__site")

    @extend_schema(
        summary="Export an event's footage",
        description="Queue a range export (a clip cut from recorded footage, see `POST /api/v1/clips/range/`) "
        "from the event's start less the camera's pre-roll to its end plus its post-roll. Needs the export "
        "right on the camera. 400 when there is no recorded footage of it.",
        parameters=[PUBLIC_ID_PARAMETER],
        request=None,
        responses={201: ClipSerializer, **errors(400, 404)},
    )
    @action(detail=True, methods=["post"])
    def export(self, request: Request, id: str | None = None) -> Response:  # noqa: A002  (the URL's name)
        event = self.get_object()
        clip = range_exports.export_motion_event(request.user, event.public_id, ip=self.ip)
        return Response(ClipSerializer(clip).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Acknowledge an alert",
        description="Mark the alert as handled, with an optional note (operators, admins and owners). "
        "Everyone watching the camera gets `motion.acknowledged` on the event stream.",
        parameters=[PUBLIC_ID_PARAMETER],
        request=AcknowledgeSerializer,
        responses={200: MotionEventSerializer, 409: ALREADY, **errors(400, 404)},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, id: str | None = None) -> Response:  # noqa: A002  (the URL's name)
        event = self.get_object()
        body = AcknowledgeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            event = motion.acknowledge(request.user, event.public_id, body.validated_data.get("note", ""), ip=self.ip)
        except motion.AlreadyAcknowledged as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(self.get_serializer(self.refetch(event)).data)

    @extend_schema(
        summary="Get the snapshot",
        description="The JPEG of the event's strongest moment.",
        parameters=[PUBLIC_ID_PARAMETER],
        responses=SNAPSHOT_RESPONSES,
    )
    @action(detail=True, methods=["get"], renderer_classes=[renderers.JSONRenderer, JPEGRenderer])
    def snapshot(self, request: Request, id: str | None = None) -> HttpResponse:  # noqa: A002
        return downloads.snapshot_response(self.get_object())


@extend_schema(tags=["motion"], parameters=[PUBLIC_ID_PARAMETER])
class CameraMotionViewSet(viewsets.GenericViewSet):
    """``/cameras/<id>/motion/``: one settings object per camera, so GET/PUT/PATCH on one URL."""

    permission_classes = [permissions.IsAuthenticated]
    serializer_class = MotionSettingsSerializer
    pagination_class = None
    filter_backends: list = []

    def get_object(self) -> Any:
        """The camera, through the gate: OPTIONS asks for it to tell whether PUT is allowed (it had no queryset)."""
        needed = Action.VIEW if self.request.method in permissions.SAFE_METHODS else Action.MANAGE
        return access(Camera, self.request.user, self.kwargs["id"], needed)

    @extend_schema(
        methods=["GET"],
        summary="Get a camera's motion settings",
        description="Detection off and defaults until someone saves them.",
        responses={200: MotionSettingsSerializer, **errors(404)},
    )
    @extend_schema(
        methods=["PUT", "PATCH"],
        summary="Change a camera's motion settings",
        description="Owners and admins (manage right on the camera). PUT needs every field; PATCH some. "
        "Bad values answer 400 with a message per field.",
        request=MotionSettingsSerializer,
        responses={200: MotionSettingsSerializer, **errors(400, 404)},
    )
    @action(detail=False, methods=["get", "put", "patch"], url_path="motion", url_name="settings")
    def motion_settings(self, request: Request, id: str) -> Response:  # noqa: A002
        camera = self.get_object()  # 404 / 403 before any field message
        if request.method == "GET":
            return Response(MotionSettingsSerializer(motion.settings_for(camera)).data)
        body = MotionSettingsSerializer(data=request.data, partial=request.method == "PATCH")
        body.is_valid(raise_exception=True)
        saved = motion.update_settings(request.user, id, ip=client_ip(request), **body.validated_data)
        return Response(MotionSettingsSerializer(saved).data)
