"""Playback's HTTP ends: the HLS playlist and segment bytes of a session, and the timeline page.

Playlist and segments are DRF views only for authentication: the portal's
session cookie (the timeline page, hls.js) or the API token that opened
the session. Whoever is not the session's principal, or can no longer see
the camera, gets 404 (``sessions.open_session``).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from drf_spectacular.utils import extend_schema
from rest_framework import permissions
from rest_framework.decorators import api_view, permission_classes, renderer_classes
from rest_framework.exceptions import NotFound
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.request import Request

from accounts.models import Organization
from accounts.roles import Action
from accounts.scoping import access
from accounts.views import organization_page
from cameras import saved_views
from cameras.models import Camera, Site
from recordings.playback import delivery, pages, playlist, sessions

PLAYLIST_TYPE = "application/vnd.apple.mpegurl"


class _AnyAccept(BaseRenderer):
    """The views answer plain HttpResponses; this lets any Accept header through (no 406) and writes errors as JSON."""

    media_type = "*/*"
    format = "any"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return json.dumps(data).encode()


def playlist_url(token: str) -> str:
    return reverse("playback_playlist", args=[token])


@extend_schema(exclude=True)  # reached through a session's playlist_url, which the API documents
@api_view(["GET"])
@permission_classes([permissions.AllowAny])  # open_session decides, with one 404 for every refusal
@renderer_classes([JSONRenderer, _AnyAccept])
def session_playlist(request: Request, token: str) -> HttpResponse:
    opened = sessions.open_session(request.user, token)
    session = opened.session
    rows = playlist.segments_for(opened.camera.pk, session.stream, session.start, session.end)
    if not rows:
        raise NotFound(delivery.GONE)
    response = HttpResponse(playlist.render(rows, final=not session.live), content_type=PLAYLIST_TYPE)
    response["Cache-Control"] = "private, no-store"
    return response


@extend_schema(exclude=True)  # reached through a session's playlist_url, which the API documents
@api_view(["GET"])
@permission_classes([permissions.AllowAny])
@renderer_classes([JSONRenderer, _AnyAccept])
def session_segment(request: Request, token: str, segment_id: int) -> HttpResponse:
    opened = sessions.open_session(request.user, token)
    segment = delivery.session_segment(opened.session, opened.camera.pk, segment_id)
    return delivery.segment_response(request._request, opened.session, segment)


@login_required
@require_GET
def site_playback(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    site = access(Site, request.user, public_id, Action.VIEW)
    cameras = list(Camera.objects.for_user(request.user, Action.VIEW).filter(site=site, enabled=True)
                   .select_related("site").order_by("name"))
    context = pages.sync_context(request.user, site.name, cameras, pages.start_moment_of(request.GET))
    return render(request, "playback/sync.html", context)


@require_GET
@organization_page()
def saved_view_playback(request: HttpRequest, organization: Organization, public_id: uuid.UUID) -> HttpResponse:
    view = saved_views.get_view(request.user, organization, public_id)
    cameras = saved_views.cameras_of(request.user, view)
    context = pages.sync_context(request.user, view.name, cameras, pages.start_moment_of(request.GET))
    return render(request, "playback/sync.html", context)


@login_required
@require_GET
def camera_timeline(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    camera = access(Camera, request.user, public_id, Action.VIEW, related=("recording_settings",))
    moment = pages.start_moment(request.user, camera, request.GET)
    return render(request, "playback/timeline.html", pages.timeline_context(request.user, camera, moment))
