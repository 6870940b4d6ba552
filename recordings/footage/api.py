"""Recording API: a camera's settings and health, its footage in a range, an organization's storage.

``/api/v1/cameras/<id>/recording/``: GET (view right), PUT/PATCH (manage).
``/api/v1/cameras/<id>/recordings/?start=&end=[&stream=&segments=]``: what
is recorded in a range of at most 24 hours, segments and gaps (view).
``/api/v1/organizations/<id>/storage/``: usage, quota and the share of each
camera (members without site or camera limits), PATCH the quota and default
retention (manage). ``/api/v1/organizations/<id>/storage/tier/``: where
older footage goes (local, S3, Azure Blob) and how moving goes; owners and
admins only, credentials write-only. ``/api/v1/holds/``: legal holds (owners and admins).
Every camera is reached through the access gate first, so a foreign camera
answers 404 before any field message.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import client_ip
from accounts.roles import Action
from accounts.scoped_api import ScopedViewSet
from accounts.scoping import access
from cameras.models import Camera
from portal.api_base import CRUD_MIXINS, PUBLIC_ID_PARAMETER, DateTimeFilter, IdFilter, errors
from portal.renderers import BrowsableAPIRenderer
from recordings.footage import health, holds, index, services, tier_config, usage
from recordings.footage.models import LegalHold, StorageTier
from recordings.footage.renderers import FastJSONRenderer
from recordings.footage.serializers import (
    LegalHoldSerializer,
    RangeAnswerSerializer,
    RangeQuerySerializer,
    RecordingSettingsSerializer,
    StoragePolicySerializer,
    StorageSerializer,
    StorageTierSerializer,
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
    @action(detail=False, methods=["get"], url_path="recordings", url_name="footage",
            renderer_classes=[FastJSONRenderer, BrowsableAPIRenderer])
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
        return access(Camera, request.user, public_id, needed, related=("recording_settings", "recording_health",
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

    @extend_schema(
        methods=["GET"], summary="Get the organization's storage tier",
        description="Owners and admins. Where footage older than `move_after_hours` goes, and how moving goes. "
                    "Credentials are never shown: `has_credentials` says whether they are set.",
        responses={200: StorageTierSerializer, **errors(404)},
    )
    @extend_schema(
        methods=["PUT", "PATCH"], summary="Change the organization's storage tier",
        description="Owners and admins. The endpoint must be a public https:// address (no loopback, private, "
                    "link-local or portal addresses). An empty `secret_key` keeps the stored one. The store's "
                    "kind, address and bucket cannot change while footage is still in it.",
        request=StorageTierSerializer, responses={200: StorageTierSerializer, **errors(400, 404)},
    )
    @action(detail=False, methods=["get", "put", "patch"], url_path="storage/tier", url_name="storage-tier",
            serializer_class=StorageTierSerializer)
    def storage_tier(self, request: Request, id: str) -> Response:  # noqa: A002
        organization = usage.access_storage(request.user, id, Action.MANAGE)
        if request.method != "GET":
            body = StorageTierSerializer(data=request.data, partial=request.method == "PATCH")
            body.is_valid(raise_exception=True)
            tier_config.update_tier(request.user, organization.pk, ip=client_ip(request), **body.validated_data)
        row = tier_config.tier_of(organization.pk) or StorageTier(organization=organization)
        return Response(StorageTierSerializer(row).data)

    def get_object(self) -> Any:
        """The organization, through the gate (manage right), for OPTIONS on the PUT of the tier.

        DRF's OPTIONS asks for the object before describing a PUT; the generic
        one looked for a queryset and answered 500.
        """
        return usage.access_storage(self.request.user, self.kwargs["id"], Action.MANAGE)


class LegalHoldFilter(django_filters.FilterSet):
    camera = django_filters.UUIDFilter(field_name="camera_public_id", help_text="Camera id.")
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")
    covers = DateTimeFilter(method="filter_covers", help_text="Only holds whose range contains this moment (ISO 8601).")

    class Meta:
        model = LegalHold
        fields = ["camera", "organization", "covers"]

    def filter_covers(self, queryset: QuerySet, name: str, value: Any) -> QuerySet:
        return queryset.filter(start__lte=value, end__gt=value)


@extend_schema_view(
    list=extend_schema(
        summary="List legal holds",
        description="Holds on cameras of the organizations you manage (owners and admins), newest range first.",
        responses={200: LegalHoldSerializer, **errors(400)},
    ),
    retrieve=extend_schema(summary="Get a legal hold", parameters=[PUBLIC_ID_PARAMETER],
                           responses={200: LegalHoldSerializer, **errors(404)}),
    create=extend_schema(
        summary="Hold a camera's footage",
        description="Protect every segment of the camera that overlaps `start`..`end` (both streams, every tier, "
        "footage recorded into the range later too) from retention, quotas and the volume guard, until the hold "
        "is lifted. Needs the manage right on the camera. Audited (`hold.create`).",
        responses={201: LegalHoldSerializer, **errors(400, 404)},
    ),
    update=extend_schema(summary="Replace a hold's range and reason", parameters=[PUBLIC_ID_PARAMETER],
                         description="Footage the new range leaves out is no longer held. Audited (`hold.update`).",
                         responses={200: LegalHoldSerializer, **errors(400, 404)}),
    partial_update=extend_schema(summary="Change a hold's range or reason", parameters=[PUBLIC_ID_PARAMETER],
                                 description="Audited (`hold.update`).",
                                 responses={200: LegalHoldSerializer, **errors(400, 404)}),
    destroy=extend_schema(
        summary="Lift a legal hold",
        description="The footage goes back to retention and quotas (unless another hold covers it). "
        "Audited (`hold.lift`).",
        parameters=[PUBLIC_ID_PARAMETER], responses={204: None, **errors(404)},
    ),
)
@extend_schema(tags=["legal-holds"])
class LegalHoldViewSet(*CRUD_MIXINS, ScopedViewSet):
    """``/holds/``: legal holds, through ``recordings.footage.holds`` (checked, audited)."""

    queryset = LegalHold.objects.none()
    serializer_class = LegalHoldSerializer
    read_action = Action.MANAGE
    denied_message = "Only owners and admins can see or change legal holds."
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    filterset_class = LegalHoldFilter
    ordering_fields = ["start", "end", "created_at"]

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        hold = holds.create_hold(request.user, data["camera_public_id"], start=data["start"], end=data["end"],
                                 reason=data["reason"], ip=self.ip)
        return Response(self.get_serializer(self.refetch(hold)).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: LegalHoldSerializer) -> None:
        changes = {name: serializer.validated_data[name] for name in holds.HOLD_FIELDS
                   if name in serializer.validated_data}
        serializer.instance = self.refetch(holds.update_hold(self.request.user, serializer.instance, ip=self.ip,
                                                             **changes))

    def perform_destroy(self, instance: LegalHold) -> None:
        holds.lift_hold(self.request.user, instance, ip=self.ip)
