"""API for multi-camera exports: request, list, retrieve, download the zip.

An export is visible to whoever may view every one of its cameras
(``accounts.scoping.BundleQuerySet``); requesting one needs ``export`` on
each camera. Logic lives in ``recordings.bundles``; the zip leaves only
through ``downloads.bundle_response``.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, renderers, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.roles import Action
from portal.api_base import PUBLIC_ID_PARAMETER, BinaryRenderer, ErrorSerializer, ScopedViewSet, errors
from recordings import bundles, downloads
from recordings.models import ExportBundle
from recordings.serializers import ExportBundleSerializer, ExportRequestSerializer


class ZipRenderer(BinaryRenderer):
    media_type = "application/zip"
    format = "zip"


class ExportNotReady(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This export has no file yet (it is not ready)."


@extend_schema_view(
    list=extend_schema(
        summary="List multi-camera exports",
        description="Multi-camera exports whose every camera you can see, newest first.",
        responses={200: ExportBundleSerializer, **errors(400)},
    ),
    retrieve=extend_schema(
        summary="Get a multi-camera export",
        description="One export with its status, its clips and, once ready, the zip's size and SHA-256.",
        parameters=[PUBLIC_ID_PARAMETER],
        responses={200: ExportBundleSerializer, **errors(404)},
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
