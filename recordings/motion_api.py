"""API for motion alerts and a camera's motion settings.

``/api/v1/motion-events/``: events of cameras you can see (list, filter,
retrieve), ``acknowledge`` (needs the acknowledge right: operators and up)
and the ``snapshot`` JPEG. ``/api/v1/cameras/<id>/motion/``: read the
settings (view right) or change them (manage right). Every change goes
through ``recordings.motion``; snapshots through ``recordings.downloads``.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, permissions, renderers, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import client_ip
from accounts.roles import Action
from accounts.scoping import access
from cameras.models import Camera
from portal.api_base import (
    DATETIME_MESSAGE,
    PUBLIC_ID_PARAMETER,
    DateTimeFilter,
    ErrorSerializer,
    JPEGRenderer,
    ScopedViewSet,
    errors,
)
from recordings import downloads, motion, range_exports
from recordings.models import MotionEvent, MotionSettings
from recordings.serializers import ClipSerializer

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


# --- shapes --------------------------------------------------------------------------------------


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
    "type": "array", "maxItems": motion.MAX_POLYGONS,
    "description": "Polygons where motion is ignored, each 3 to 64 [x, y] points in 0..1 of the picture.",
    "items": {"type": "array", "minItems": 3, "maxItems": motion.MAX_POINTS, "items": {
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


# --- views ---------------------------------------------------------------------------------------


SNAPSHOT_RESPONSES = {
    (200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The JPEG (local storage)."),
    302: OpenApiResponse(description="S3 storage: a short-lived presigned URL is in `Location`."),
    **errors(404),
}
ALREADY = OpenApiResponse(ErrorSerializer, description="Someone acknowledged it already; the message says who.")


@extend_schema_view(
    list=extend_schema(
        summary="List motion events",
        description="Motion events of cameras you can see, newest first. Filter by camera, site, start time, "
        "acknowledged and alerted. Live alerts also arrive as `motion.alert` on the event stream.",
        responses={200: MotionEventSerializer, **errors(400)},
    ),
    retrieve=extend_schema(
        summary="Get a motion event",
        description="One motion event: camera, start and end, peak score and moving regions, acknowledgement.",
        parameters=[PUBLIC_ID_PARAMETER],
        responses={200: MotionEventSerializer, **errors(404)},
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

    def base_queryset(self) -> QuerySet:
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
