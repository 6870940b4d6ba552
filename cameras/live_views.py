"""Live pages: the camera grid, one camera large, and saved views.

Cameras come through the access gate only. Tiles carry public ids and names;
whether a camera has a sub stream is decided here from the (never rendered)
sub source, and the browser only learns "main" or "sub".
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.models import Organization
from accounts.roles import Action
from accounts.scoping import access
from accounts.views import organization_page
from cameras import saved_views
from cameras.models import Camera, SavedView, Site
from cameras.ptz import services as ptz

URL_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Tile:
    public_id: str
    name: str
    site: str
    variant: str
    status: str
    status_label: str
    enabled: bool


def _tile(camera: Camera) -> Tile:
    return Tile(
        public_id=str(camera.public_id), name=camera.name, site=camera.site.name,
        variant="sub" if camera.sub_source else "main",
        status=camera.status, status_label=camera.get_status_display(), enabled=camera.enabled,
    )


def live_config() -> dict[str, Any]:
    """What the players need from the server, rendered as page-level JSON."""
    def pattern(name: str) -> str:
        return reverse(name, args=[URL_PLACEHOLDER]).replace(URL_PLACEHOLDER, "{camera}")

    return {
        "iceServers": list(getattr(settings, "CCTV_WEBRTC_ICE_SERVERS", [])),
        "accessUrl": pattern("live_access"),
        "cameraPageUrl": pattern("live_camera"),
        # A tile shows the camera's recent picture (cached a minute, view right) until its video plays.
        "pictureUrl": pattern("camera_recent_picture"),
    }


def _layout(value: str | None, default: str = saved_views.DEFAULT_LAYOUT) -> str:
    return value if value in saved_views.LAYOUTS else default


def _site_filter(request: HttpRequest, organization: Organization) -> Site | None:
    value = request.GET.get("site")
    if not value:
        return None
    site = access(Site, request.user, value, Action.VIEW)
    if site.organization_id != organization.pk:
        raise Http404("Not found.")
    return site


def _query(**params: Any) -> str:
    return "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def _pager(page: Page, **params: Any) -> dict[str, str | None]:
    return {
        "previous": _query(**params, page=page.previous_page_number()) if page.has_previous() else None,
        "next": _query(**params, page=page.next_page_number()) if page.has_next() else None,
    }


def _render_grid(
    request: HttpRequest, organization: Organization, cameras: Any, layout: str, **context: Any
) -> HttpResponse:
    page = Paginator(cameras, saved_views.tile_count(layout)).get_page(request.GET.get("page"))
    columns = saved_views.LAYOUTS[layout]
    tiles = [_tile(camera) for camera in page.object_list]
    site = context.get("site")
    query = {"layout": layout, "site": site.public_id if site else None}
    context.update({
        "organization": organization,
        "layout": layout,
        "layouts": list(saved_views.LAYOUTS),
        "columns": columns,
        # The rows this page fills: the grid is sized so that they all fit the window (live.css).
        "rows": max(1, -(-len(tiles) // columns)),
        "page": page,
        "tiles": tiles,
        "pager": _pager(page, **query),
        "sites": saved_views.viewable_cameras(request.user, organization).values_list(
            "site__public_id", "site__name").distinct().order_by("site__name"),
        "saved": saved_views.views_for(request.user, organization),
        "live_config": live_config(),
    })
    return render(request, "cameras/live_grid.html", context)


@require_GET
@organization_page()
def live_grid(request: HttpRequest, organization: Organization) -> HttpResponse:
    site = _site_filter(request, organization)
    cameras = saved_views.viewable_cameras(request.user, organization).select_related("site", "gateway")
    if site is not None:
        cameras = cameras.filter(site=site)
    layout = _layout(request.GET.get("layout"))
    return _render_grid(request, organization, cameras, layout, site=site)


@require_GET
@organization_page()
def live_saved_view(request: HttpRequest, organization: Organization, public_id: str) -> HttpResponse:
    view = saved_views.get_view(request.user, organization, public_id)
    cameras = saved_views.cameras_of(request.user, view)
    return _render_grid(request, organization, cameras, _layout(view.layout), current_view=view)


def _back(request: HttpRequest, fallback: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(fallback)


@require_POST
@organization_page()
def live_view_save(request: HttpRequest, organization: Organization) -> HttpResponse:
    try:
        view, created = saved_views.save_view(
            request.user, organization, name=request.POST.get("name", ""),
            layout=request.POST.get("layout", ""), cameras=request.POST.getlist("cameras"),
        )
    except ValidationError as exc:
        for text in exc.messages:
            messages.error(request, text)
        return _back(request, reverse("live_grid"))
    messages.success(request, f"View “{view.name}” {'saved' if created else 'updated'}.")
    return redirect("live_saved_view", public_id=view.public_id)


@require_POST
@organization_page()
def live_view_delete(request: HttpRequest, organization: Organization, public_id: str) -> HttpResponse:
    view: SavedView = saved_views.delete_view(request.user, organization, public_id)
    messages.success(request, f"View “{view.name}” deleted.")
    return redirect("live_grid")


@require_GET
@login_required
def live_camera(request: HttpRequest, public_id: str) -> HttpResponse:
    camera = access(Camera, request.user, public_id, Action.VIEW)
    context = {"camera": camera, "tile": _tile(camera), "live_config": live_config(),
               "ptz": ptz.panel_context(request.user, camera)}
    return render(request, "cameras/live_single.html", context)


@require_GET
def live_access(request: HttpRequest, public_id: str) -> JsonResponse:
    """Whether the signed-in user may watch a camera.

    A live socket refused during its handshake reaches the browser without a
    close code, so the player asks here to tell "no access" (stop) from a
    network failure (retry). Same 404 for missing and foreign cameras.
    """
    if not request.user.is_authenticated:
        return JsonResponse({"detail": "Sign in first."}, status=401)
    camera = access(Camera, request.user, public_id, Action.VIEW)
    return JsonResponse({"camera": str(camera.public_id), "enabled": camera.enabled})
