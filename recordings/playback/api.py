"""Playback API: open a playback session (an HLS playlist URL), and a camera's timeline.

``POST /api/v1/cameras/<id>/playback/``: a session on a range of at most 24
hours (view right; audited ``playback.start``). ``GET
/api/v1/cameras/<id>/timeline/?start=&end=``: coverage, gaps and motion
events of at most 7 days, and the minutes that have a preview picture, each
with its URL: ``GET /api/v1/cameras/<id>/thumbnails/<YYYYmmddTHHMMSSZ>/``
answers the JPEG. The camera is reached through the access gate first, so a
foreign camera answers 404 before any field message, and a thumbnail URL
copied from its owner answers 404 to anyone else.
"""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import client_ip
from accounts.roles import Action
from accounts.scoping import access
from cameras.models import Camera
from portal.api_base import PUBLIC_ID_PARAMETER, BinaryRenderer, JPEGRenderer, errors
from recordings.footage import thumbnails
from recordings.playback import delivery, sessions, timeline
from recordings.playback.serializers import (
    PlaybackRequestSerializer,
    PlaybackSessionSerializer,
    TimelineQuerySerializer,
    TimelineSerializer,
)
from recordings.playback.views import playlist_url

TIMELINE_PARAMETERS = [
    PUBLIC_ID_PARAMETER,
    OpenApiParameter("start", OpenApiTypes.DATETIME, required=True, description="Start of the range (ISO 8601)."),
    OpenApiParameter("end", OpenApiTypes.DATETIME, required=True,
                     description="End of the range (ISO 8601), at most 7 days after the start."),
    OpenApiParameter("stream", str, enum=["main", "sub"],
                     description="Which stream; by default the one recorded (the sub stream first)."),
]


THUMBNAIL_AT = OpenApiParameter("at", str, OpenApiParameter.PATH, pattern=r"^\d{8}T\d{6}Z$",
                                description="Start of the minute, UTC, as `YYYYmmddTHHMMSSZ` (the timeline's "
                                            "`thumbnails[].url` gives it).")


@extend_schema(tags=["playback"])
class CameraPlaybackViewSet(viewsets.GenericViewSet):
    """``/cameras/<id>/playback/``, ``/cameras/<id>/timeline/`` and ``/cameras/<id>/thumbnails/<at>/``."""

    permission_classes = [permissions.IsAuthenticated]
    pagination_class = None
    filter_backends: list = []
    serializer_class = PlaybackSessionSerializer

    @extend_schema(
        summary="Open a playback session",
        description="Returns the URL of an HLS playlist (fragmented MP4, wall-clock tags, discontinuities at "
                    "gaps) of the camera's footage in the range. The URL is signed, works only for whoever "
                    "opened the session, and expires (`expires_at`); every request checks access again. "
                    "Audited (`playback.start`). A range without footage answers 400.",
        parameters=[PUBLIC_ID_PARAMETER], request=PlaybackRequestSerializer,
        responses={201: PlaybackSessionSerializer, **errors(400, 404)},
    )
    @action(detail=False, methods=["post"], url_path="playback", url_name="playback")
    def playback(self, request: Request, id: str) -> Response:  # noqa: A002  (the URL's name)
        access(Camera, request.user, id, Action.VIEW)  # 404 before any field message
        body = PlaybackRequestSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        params = body.validated_data
        created = sessions.create_session(
            request.user, id, start=params["start"], end=params["end"], stream=params.get("stream"),
            ip=client_ip(request))
        session = created.session
        data = {"session": session.id, "camera": created.camera.public_id, "stream": session.stream,
                "start": session.start, "end": session.end, "expires_at": session.expires_at, "live": session.live,
                "codecs": created.codecs, "playlist_url": request.build_absolute_uri(playlist_url(created.token))}
        return Response(PlaybackSessionSerializer(data).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="A camera's timeline",
        description="Covered intervals, explicit gaps and motion events (each with `play_from`: its start minus "
                    "the camera's pre-roll) of one stream between `start` and `end` (at most 7 days), and the "
                    "minutes that have a preview picture (`thumbnails`, each with its URL).",
        parameters=TIMELINE_PARAMETERS, responses={200: TimelineSerializer, **errors(400, 404)},
    )
    @action(detail=False, methods=["get"], url_path="timeline", url_name="timeline")
    def timeline(self, request: Request, id: str) -> Response:  # noqa: A002
        camera = access(Camera, request.user, id, Action.VIEW, related=("recording_settings",))
        query = TimelineQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        answer = timeline.timeline_for(request.user, camera, params["start"], params["end"], params.get("stream"))
        answer.thumbnails = [{"at": at, "url": request.build_absolute_uri(self._thumbnail_path(id, at))}
                             for at in answer.thumbnails]
        return Response(TimelineSerializer(answer).data)

    @staticmethod
    def _thumbnail_path(camera_id: str, at: datetime) -> str:
        return reverse("camera-playback-thumbnail", kwargs={"id": camera_id, "at": thumbnails.stamp(at)})

    @extend_schema(
        summary="A minute's preview picture",
        description="The small JPEG (about 160 px wide) the recorder took of that minute, from the camera's "
                    "recorded sub stream (else its main stream). 404 when the minute has none (or its footage "
                    "was removed), and for a camera you cannot see.",
        parameters=[PUBLIC_ID_PARAMETER, THUMBNAIL_AT],
        responses={(200, "image/jpeg"): OpenApiResponse(OpenApiTypes.BINARY, description="The JPEG."),
                   **errors(404)},
    )
    @action(detail=False, methods=["get"], url_path=r"thumbnails/(?P<at>[^/.]+)", url_name="thumbnail",
            renderer_classes=[renderers.JSONRenderer, JPEGRenderer])
    def thumbnail(self, request: Request, id: str, at: str) -> HttpResponse:  # noqa: A002
        camera = access(Camera, request.user, id, Action.VIEW)
        return delivery.thumbnail_response(timeline.thumbnail_of(camera, at))

    def finalize_response(self, request: Request, response: Response, *args: object, **kwargs: object) -> Response:
        # An error of the picture is JSON even when the client asked for a JPEG (as ScopedViewSet does).
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(response, Response) and response.status_code >= 400 and isinstance(renderer, BinaryRenderer):
            request.accepted_renderer, request.accepted_media_type = renderers.JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)
