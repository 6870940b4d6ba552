"""Clip pages: the organization's clip list, the record form, download and delete.

Clips come through the access gate (``for_user`` and ``access``);
requests and deletes go through ``recordings.clips.services``, files through
``recordings.clips.downloads``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import client_ip
from accounts.callers import Visitor
from accounts.models import Organization
from accounts.roles import Action
from accounts.scoping import access, can
from accounts.views import organization_page
from cameras.models import Camera
from recordings.clips import downloads
from recordings.clips import services as exports
from recordings.clips.forms import ClipFilterForm, ClipRequestForm
from recordings.models import Clip, ClipStatus, ExportBundle

PAGE_SIZE = 25
URL_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def _storage_use(organization: Organization) -> dict[str, int | None]:
    used = Clip.objects.filter(organization=organization, status=ClipStatus.READY).aggregate(n=Sum("size"))["n"]
    return {"used": used or 0, "cap": organization.clip_storage_quota_bytes}


def client_config() -> dict[str, str]:
    """URL patterns for clips.js ({clip} stands for a clip's id)."""
    def pattern(name: str, **kwargs: str) -> str:
        return reverse(name, kwargs=kwargs).replace(URL_PLACEHOLDER, "{clip}")

    return {
        "apiUrl": reverse("clip-list"),
        "clipApiUrl": pattern("clip-detail", id=URL_PLACEHOLDER),
        "downloadUrl": pattern("clip_download", public_id=URL_PLACEHOLDER),
        "clipsPage": reverse("clip_list"),
    }


@require_GET
@organization_page()
def clip_list(request: HttpRequest, organization: Organization) -> HttpResponse:
    clips: QuerySet[Clip] = Clip.objects.for_user(request.user, Action.VIEW).filter(organization=organization)
    clips = clips.select_related("camera__site")
    cameras = Camera.objects.for_user(request.user, Action.VIEW).filter(site__organization=organization)
    form = ClipFilterForm(request.GET or None, cameras=cameras)
    if form.is_valid():
        clips = form.filter(clips)
    page = Paginator(clips, PAGE_SIZE).get_page(request.GET.get("page"))
    _mark_zips(request.user, page.object_list)
    context = {
        "organization": organization,
        "form": form,
        "page": page,
        "can_delete": can(request.user, Action.MANAGE, organization),
        "storage": _storage_use(organization),
        "clips_config": json.dumps(client_config()),
    }
    return render(request, "recordings/clip_list.html", context)


def _mark_zips(user: Visitor, clips: Iterable[Clip]) -> None:
    """Give each clip of a ready multi-camera export the user may see its zip's URL (``zip_url``)."""
    clips = list(clips)
    ready = set(
        ExportBundle.objects.for_user(user, Action.VIEW)
        .filter(pk__in={clip.bundle_id for clip in clips if clip.bundle_id}, status=ClipStatus.READY)
        .values_list("pk", "public_id")
    )
    urls: dict[int | None, str] = {pk: reverse("export-file", kwargs={"id": public_id}) for pk, public_id in ready}
    for clip in clips:
        clip.zip_url = urls.get(clip.bundle_id)  # type: ignore[attr-defined]  # for the template


def _back(request: HttpRequest) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect("clip_list")


@login_required
@require_POST
def clip_request(request: HttpRequest) -> HttpResponse:
    """The record form without JavaScript (clips.js posts to the API instead)."""
    form = ClipRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose a camera and one of the offered lengths.")
        return _back(request)
    try:
        clip = exports.request_clip(request.user, form.cleaned_data["camera"], form.cleaned_data["duration"],
                                    ip=client_ip(request))
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", None) or [str(exc)]))
        return _back(request)
    messages.success(request, f"Recording {exports.label_seconds(clip.duration)} of “{clip.camera_name}”. "
                              "It appears in Clips when ready.")
    return _back(request)


@login_required
@require_GET
def clip_download(request: HttpRequest, public_id: str) -> HttpResponse:
    clip = access(Clip, request.user, public_id, Action.VIEW)
    inline = request.GET.get("inline") == "1"
    try:
        return downloads.file_response(request, request.user, clip, inline=inline, ip=client_ip(request))
    except ValidationError:
        return HttpResponse("This clip has no file yet (it is not ready).", status=409, content_type="text/plain")


@login_required
@require_POST
def clip_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    clip = access(Clip, request.user, public_id, Action.MANAGE)
    exports.delete_clip(request.user, clip, ip=client_ip(request))
    messages.success(request, f"Clip of “{clip.camera_name}” deleted.")
    return _back(request)
