"""API for clips and multi-camera exports.

Clips (``/api/v1/clips/``): request, list and filter, retrieve, download
link, file, delete. Clips are visible to whoever may view their camera;
requesting one needs ``export`` on the camera and deleting one ``manage``.
Every call goes through ``recordings.clips.services``; files only through
``downloads``.

Multi-camera exports (``/api/v1/exports/``): request, list, retrieve,
download the zip. An export is visible to whoever may view every one of its
cameras (``accounts.scoping.BundleQuerySet``); requesting one needs
``export`` on each camera. Logic lives in ``recordings.clips.bundles``; the
zip leaves only through ``downloads.bundle_response``.
"""

from __future__ import annotations

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, renderers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.roles import Action
from accounts.scoped_api import ScopedViewSet
from portal.api_base import (
    PUBLIC_ID_PARAMETER,
    BinaryRenderer,
    DateTimeFilter,
    ErrorSerializer,
    IdFilter,
    MP4Renderer,
    errors,
    read_schemas,
)
from recordings import storage
from recordings.clips import bundles, downloads, range_exports
from recordings.clips import services as exports
from recordings.clips.serializers import (
    ClipLinkSerializer,
    ClipRequestSerializer,
    ClipSerializer,
    ExportBundleSerializer,
    ExportRequestSerializer,
    RangeClipRequestSerializer,
)
from recordings.models import Clip, ClipStatus, ExportBundle


class ClipFilter(django_filters.FilterSet):
    camera = django_filters.UUIDFilter(field_name="camera__public_id", help_text="Camera id.")
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")
    status = django_filters.ChoiceFilter(choices=ClipStatus.choices)
    created_after = DateTimeFilter(
        field_name="created_at", lookup_expr="gte", help_text="Requested at or after (ISO 8601)."
    )
    created_before = DateTimeFilter(
        field_name="created_at", lookup_expr="lt", help_text="Requested before (ISO 8601)."
    )

    class Meta:
        model = Clip
        fields = ["camera", "organization", "status", "created_after", "created_before"]


class ClipNotReady(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This clip has no file yet (it is not ready)."


NOT_READY = OpenApiResponse(ErrorSerializer, description="The clip is not ready (queued, recording or failed).")
INLINE_PARAMETER = OpenApiParameter(
    "inline", OpenApiTypes.BOOL, description="Serve for playing in the browser rather than as an attachment."
)


@extend_schema_view(
    **read_schemas(
        ClipSerializer,
        list_summary="List clips",
        list_description="Clips of cameras you can see, newest first. Filter by camera, organization, status and "
                         "the time they were requested.",
        one_summary="Get a clip",
        one_description="One clip you can see, with its status and, once ready, its size and SHA-256.",
    ),
    create=extend_schema(
        summary="Request a clip",
        description="Record the next `duration` seconds of a camera into an MP4 file, without re-encoding. "
        "Needs the export right on the camera. The clip starts `queued`; poll it or listen for `clip.status` "
        "on the event stream until it is `ready` or `failed`. Refused (400) when the organization's clip "
        "storage cap would be exceeded.",
        request=ClipRequestSerializer,
        responses={201: ClipSerializer, **errors(400, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a clip",
        description="Delete a clip and its file (owners and admins).",
        parameters=[PUBLIC_ID_PARAMETER],
        responses={204: None, **errors(404)},
    ),
)
@extend_schema(tags=["clips"])
class ClipViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin,
    ScopedViewSet,
):
    queryset = Clip.objects.none()
    serializer_class = ClipSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    filterset_class = ClipFilter
    ordering_fields = ["created_at", "duration", "size"]

    @property
    def write_action(self) -> str:  # type: ignore[override]
        return Action.EXPORT if self.action in ("create", "export_range") else Action.MANAGE

    def base_queryset(self) -> QuerySet:
        return Clip.objects.select_related("camera", "bundle")

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = ClipRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        clip = exports.request_clip(request.user, data["camera"], data["duration"], ip=self.ip)
        return Response(ClipSerializer(self.refetch(clip)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Export a range of recorded footage",
        description="Cut `start` to `end` of a camera's recorded `stream` into one MP4 file by stream copy (no "
        "re-encoding), joined across segments; stretches without footage are left out (`gap_seconds`). The file "
        "starts on the keyframe at or before `start` (`cut_start`). A range may reach up to 30 min into the "
        "future: it is cut once recording gets there. Needs the export right on the camera; the clip then "
        "follows the same flow as any clip (poll it, download it). 400 when the end is not after the start, the "
        "range is longer than 24 h, there is no footage in it, or the clip storage cap would be exceeded.",
        request=RangeClipRequestSerializer,
        responses={201: ClipSerializer, **errors(400, 404)},
    )
    @action(detail=False, methods=["post"], url_path="range")
    def export_range(self, request: Request) -> Response:
        serializer = RangeClipRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        clip = range_exports.request_range_clip(request.user, data["camera"], data["start"], data["end"],
                                                data["stream"], ip=self.ip)
        return Response(ClipSerializer(self.refetch(clip)).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: Clip) -> None:
        exports.delete_clip(self.request.user, instance, ip=self.ip)

    def _ready_object(self) -> Clip:
        clip = self.get_object()
        try:
            exports.check_downloadable(clip)
        except ValidationError:
            raise ClipNotReady() from None
        return clip

    @extend_schema(
        summary="Get a download link",
        description="With S3 storage, a presigned URL valid for a few minutes (fetch it without credentials). "
        "With local storage, the clip's `file` URL of this API (fetch it with your credentials).",
        parameters=[PUBLIC_ID_PARAMETER, INLINE_PARAMETER],
        responses={200: ClipLinkSerializer, 409: NOT_READY, **errors(404)},
    )
    @action(detail=True, methods=["get"])
    def download(self, request: Request, id: str | None = None) -> Response:
        clip = self._ready_object()
        inline = request.query_params.get("inline") in ("1", "true")
        if storage.is_remote():
            exports.record_download(request.user, clip, ip=self.ip, mode="link")
            url = storage.presigned_url(clip.file.name, clip.download_filename, inline=inline)
            expires_in: int | None = storage.url_lifetime()
        else:
            url = request.build_absolute_uri(reverse("clip-file", kwargs={"id": clip.public_id}))
            url += "?inline=1" if inline else ""
            expires_in = None
        body = {"url": url, "expires_in": expires_in, "filename": clip.download_filename}
        return Response(ClipLinkSerializer(body).data)

    @extend_schema(
        summary="Download the file",
        description="The MP4 file (local storage; single byte ranges supported), or a redirect to a presigned "
        "URL (S3 storage).",
        parameters=[PUBLIC_ID_PARAMETER, INLINE_PARAMETER],
        responses={
            (200, "video/mp4"): OpenApiResponse(OpenApiTypes.BINARY, description="The whole file."),
            (206, "video/mp4"): OpenApiResponse(OpenApiTypes.BINARY, description="The requested byte range."),
            302: OpenApiResponse(description="S3 storage: the presigned URL is in `Location`."),
            409: NOT_READY,
            **errors(404),
        },
    )
    @action(detail=True, methods=["get"], url_path="file", renderer_classes=[renderers.JSONRenderer, MP4Renderer])
    def file(self, request: Request, id: str | None = None) -> HttpResponse:
        clip = self._ready_object()
        inline = request.query_params.get("inline") in ("1", "true")
        return downloads.file_response(request, request.user, clip, inline=inline, ip=self.ip)


# --- multi-camera exports ----------------------------------------------------------------


class ZipRenderer(BinaryRenderer):
    media_type = "application/zip"
    format = "zip"


class ExportNotReady(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This export has no file yet (it is not ready)."


@extend_schema_view(
    **read_schemas(
        ExportBundleSerializer,
        list_summary="List multi-camera exports",
        list_description="Multi-camera exports whose every camera you can see, newest first.",
        one_summary="Get a multi-camera export",
        one_description="One export with its status, its clips and, once ready, the zip's size and SHA-256.",
    ),
    create=extend_schema(
        summary="Export a range of several cameras",
        description="Cut the same range of each camera's recorded footage (as `POST /api/v1/clips/range/` does "
        "for one) and deliver them as one zip: one MP4 per camera plus `manifest.json` (camera, requested and "
        "real range, gaps, size, SHA-256). Needs the export right on every camera; all or nothing (a camera "
        "you cannot see is 404, one without footage 400). The export is `ready` once every clip is done.",
        request=ExportRequestSerializer,
        responses={201: ExportBundleSerializer, **errors(400, 404)},
    ),
)
@extend_schema(tags=["clips"])
class ExportBundleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin,
                          ScopedViewSet):
    queryset = ExportBundle.objects.none()
    serializer_class = ExportBundleSerializer
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    write_action = Action.EXPORT
    ordering_fields = ["created_at"]

    def base_queryset(self) -> QuerySet:
        return ExportBundle.objects.all()

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = ExportRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        bundle = bundles.request_bundle(request.user, data["cameras"], data["start"], data["end"], data["stream"],
                                        ip=self.ip)
        return Response(ExportBundleSerializer(self.refetch(bundle)).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Download the zip",
        description="The zip (local storage; single byte ranges supported), or a redirect to a presigned URL "
        "(S3 storage).",
        parameters=[PUBLIC_ID_PARAMETER],
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The whole file."),
            (206, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="A byte range."),
            302: OpenApiResponse(description="S3 storage: the presigned URL is in `Location`."),
            409: OpenApiResponse(ErrorSerializer, description="The export is not ready."),
            **errors(404),
        },
    )
    @action(detail=True, methods=["get"], url_path="file", renderer_classes=[renderers.JSONRenderer, ZipRenderer])
    def file(self, request: Request, id: str | None = None) -> HttpResponse:
        bundle = self.get_object()
        if not bundle.is_ready or not bundle.file.name:
            raise ExportNotReady()
        return downloads.bundle_response(request, request.user, bundle, ip=self.ip)
