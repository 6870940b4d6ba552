"""Dashboard, site and camera pages.

Tenant data comes through ``accounts.scoping`` (``for_user`` querysets and
``access_*`` helpers) and changes go through ``cameras.services`` via the
forms. Camera secrets never reach a template: pages show the masked source.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Case, Count, IntegerField, Prefetch, Q, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from accounts.audit import client_ip
from accounts.forms import choices_of, offer_choices, save_or_add_errors
from accounts.models import Organization
from accounts.roles import Action
from accounts.scoping import access, can
from accounts.views import GET_POST, organization_page
from cameras import services, snapshots
from cameras.forms import CameraForm, SiteForm
from cameras.live_views import live_config
from cameras.models import Camera, CameraStatus, Site
from cameras.ptz import services as ptz
from cameras.source_views import report_after_save

STATUS_ORDER = (CameraStatus.ONLINE, CameraStatus.OFFLINE, CameraStatus.UNKNOWN)
# On the dashboard a camera that needs attention comes first in its site: offline, then unknown.
ATTENTION_FIRST = Case(
    When(status=CameraStatus.OFFLINE, then=Value(0)), When(status=CameraStatus.UNKNOWN, then=Value(1)),
    default=Value(2), output_field=IntegerField(),
)


@organization_page()
def dashboard(request: HttpRequest, organization: Organization) -> HttpResponse:
    cameras = Camera.objects.for_user(request.user, Action.VIEW).filter(site__organization=organization)
    sites = list(
        Site.objects.for_user(request.user, Action.VIEW)
        .filter(organization=organization)
        .prefetch_related(Prefetch("cameras", queryset=cameras.order_by(ATTENTION_FIRST, "name"),
                                   to_attr="visible_cameras"))
    )
    for site in sites:
        # An attribute for the template only; the model does not declare it.
        offline = sum(camera.status == CameraStatus.OFFLINE for camera in site.visible_cameras)
        site.offline_count = offline  # type: ignore[attr-defined]
    counts = dict(cameras.order_by().values_list("status").annotate(n=Count("pk")))
    context = {
        "organization": organization,
        "sites": sites,
        "camera_count": sum(counts.values()),
        "status_counts": [(status, counts.get(status.value, 0)) for status in STATUS_ORDER],
        "can_manage": can(request.user, Action.MANAGE, organization),
    }
    return render(request, "cameras/dashboard.html", context)


# --- sites -------------------------------------------------------------------


@organization_page()
def site_list(request: HttpRequest, organization: Organization) -> HttpResponse:
    visible_cameras = Camera.objects.for_user(request.user, Action.VIEW)
    sites = (
        Site.objects.for_user(request.user, Action.VIEW)
        .filter(organization=organization)
        .annotate(camera_count=Count("cameras", filter=Q(cameras__in=visible_cameras)))
    )
    can_manage = can(request.user, Action.MANAGE, organization)
    context = {"organization": organization, "sites": sites, "can_manage": can_manage}
    return render(request, "cameras/site_list.html", context)


@organization_page(Action.MANAGE)
@GET_POST
def site_create(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = SiteForm(request.POST or None)
    if form.is_valid():
        site = save_or_add_errors(form, lambda: form.save_for(request.user, organization, ip=client_ip(request)))
        if site is not None:
            messages.success(request, f"Site “{site.name}” created. Add its cameras next.")
            return redirect("site_list")
    return render(request, "cameras/site_form.html", {"organization": organization, "form": form})


@login_required
@GET_POST
def site_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    site = access(Site, request.user, public_id, Action.MANAGE)
    form = SiteForm(request.POST or None, instance=site)
    if form.is_valid():
        saved = save_or_add_errors(form, lambda: form.save_for(request.user, ip=client_ip(request)))
        if saved is not None:
            messages.success(request, f"Site “{form.cleaned_data['name']}” saved.")
            return redirect("site_list")
    return render(request, "cameras/site_form.html", {"organization": site.organization, "form": form, "site": site})


@login_required
@GET_POST
def site_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    site = access(Site, request.user, public_id, Action.MANAGE)
    if request.method == "POST":
        services.delete_site(request.user, site, ip=client_ip(request))
        messages.success(request, f"Site “{site.name}” and its cameras were deleted.")
        return redirect("site_list")
    return render(request, "cameras/site_confirm_delete.html", {"site": site, "camera_count": site.cameras.count()})


# --- cameras -------------------------------------------------------------------


def _camera_form(request: HttpRequest, organization_id: int, **kwargs: Any) -> CameraForm:
    """The camera form, its site choices narrowed to one organization."""
    form = CameraForm(request.POST or None, user=request.user, **kwargs)
    offer_choices(form, "site", choices_of(form, "site").filter(organization_id=organization_id))
    return form


def _timeline_url(camera: Camera) -> str | None:
    """The camera's playback timeline, once the playback pages exist (a later issue adds the URL)."""
    try:
        return reverse("camera_timeline", args=[camera.public_id])
    except NoReverseMatch:
        return None


@login_required
@require_GET
def camera_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The camera's page: live picture, status, PTZ, its motion events and clips, its timeline."""
    camera = access(Camera, request.user, public_id, Action.VIEW)
    context = {
        "camera": camera,
        "can_manage": can(request.user, Action.MANAGE, camera),
        "ptz": ptz.panel_context(request.user, camera),
        "live_config": live_config(),
        "timeline_url": _timeline_url(camera),
    }
    return render(request, "cameras/camera_detail.html", context)


@organization_page(Action.MANAGE)
@GET_POST
def camera_create(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = _camera_form(request, organization.pk, initial={"site": request.GET.get("site")})
    if form.is_valid():
        camera = save_or_add_errors(form, lambda: form.save(ip=client_ip(request)))
        if camera is not None:
            messages.success(request, f"Camera “{camera.name}” added.")
            if form.cleaned_data.get("test_on_save"):
                report_after_save(request, camera)
            return redirect("camera_detail", public_id=camera.public_id)
    context = {"organization": organization, "form": form, "has_sites": choices_of(form, "site").exists()}
    return render(request, "cameras/camera_form.html", context)


@login_required
@GET_POST
def camera_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    camera = access(Camera, request.user, public_id, Action.MANAGE)
    form = _camera_form(request, camera.site.organization_id, instance=camera)
    saved = save_or_add_errors(form, lambda: form.save(ip=client_ip(request))) if form.is_valid() else None
    if saved is not None:
        messages.success(request, f"Camera “{form.cleaned_data['name']}” saved.")
        if form.cleaned_data.get("test_on_save"):
            report_after_save(request, saved)
        return redirect("camera_detail", public_id=camera.public_id)
    return render(request, "cameras/camera_form.html", {"form": form, "camera": camera, "has_sites": True})


@login_required
@GET_POST
def camera_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    camera = access(Camera, request.user, public_id, Action.MANAGE)
    if request.method == "POST":
        services.delete_camera(request.user, camera, ip=client_ip(request))
        messages.success(request, f"Camera “{camera.name}” was deleted.")
        return redirect("dashboard")
    return render(request, "cameras/camera_confirm_delete.html", {"camera": camera})


@login_required
@require_GET
def camera_snapshot(request: HttpRequest, public_id: str) -> HttpResponse:
    """The camera's current picture, fetched from its gateway by the server (view right)."""
    camera = access(Camera, request.user, public_id, Action.VIEW, related=("gateway",))
    try:
        jpeg = snapshots.live_snapshot(camera)
    except snapshots.SnapshotUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(jpeg, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
async def camera_thumbnail(request: HttpRequest, public_id: str) -> HttpResponse:
    """The dashboard's picture of a camera: a recent snapshot (view right), cached about a minute.

    Asynchronous, so many requests do not queue one by one on Django's single thread for
    synchronous views while the gateway waits for each camera's next keyframe: the gate runs on a
    pooled thread and the gateway fetches wait side by side (``snapshots.fetch_recent``).
    """
    user = await request.auser()
    camera = await snapshots.gated_camera(user, public_id)
    try:
        jpeg = await snapshots.fetch_recent(camera)
    except snapshots.SnapshotUnavailable as exc:
        response = HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        response["Cache-Control"] = "private, no-store"
        return response
    return _jpeg(jpeg)


@login_required
@require_GET
def camera_recent_picture(request: HttpRequest, public_id: str) -> HttpResponse:
    """A live tile's picture until its video plays: the camera's cached picture (view right), else 204.

    Never asks the gateway: measured on a 10x10 wall, a hundred cold pictures at once (a stream
    start and a JPEG encode each) slowed the live video down instead of showing pictures sooner.
    Synchronous on purpose: it waits on nothing but the database and the cache, and the portal's
    middleware is synchronous, so an asynchronous view costs two thread hops and a second user
    query per tile (bench.tile_cost, CPU per request: 11.8 ms asynchronous, 10.0 ms like this).
    """
    camera = access(Camera, request.user, public_id, Action.VIEW, related=("gateway",))
    return _cached_thumbnail(snapshots.cached_recent(camera))


def _jpeg(jpeg: bytes) -> HttpResponse:
    response = HttpResponse(jpeg, content_type="image/jpeg")
    response["Cache-Control"] = f"private, max-age={snapshots.THUMBNAIL_SECONDS}"
    return response


def _cached_thumbnail(jpeg: bytes | None) -> HttpResponse:
    """A cached picture, or 204."""
    if jpeg is None:
        response = HttpResponse(status=204)
        response["Cache-Control"] = "private, no-store"
        return response
    return _jpeg(jpeg)
