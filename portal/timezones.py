"""Times as people read them: in the site's time zone, else the viewer's, never bare UTC.

A camera's moments (its status, events, clips, footage) are shown in its
site's zone, the zone its schedules use. Moments that belong to no site
(audit log, members, tokens) are shown in the viewer's zone: the browser
tells it in a cookie (``portal.js`` writes ``cctv_tz`` from
``Intl.DateTimeFormat``), and ``ViewerTimezoneMiddleware`` activates it for the
request. Until the browser has said (the very first page), the portal's
``TIME_ZONE`` applies. Every printed time carries its zone's abbreviation.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

COOKIE = "cctv_tz"
MAX_NAME_LENGTH = 64


@lru_cache(maxsize=512)
def zone_named(name: str) -> tzinfo | None:
    """The IANA zone of that name, or None for anything else (the cookie is the browser's word)."""
    if not name or len(name) > MAX_NAME_LENGTH or name.startswith(("/", ".")) or ".." in name:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def zone_of(owner: Any) -> tzinfo:
    """The zone moments of ``owner`` are shown in: a Site's, a Camera's site's, an object's camera's site's.

    A zone name (str) is taken as it is. Anything without a site (a deleted
    camera's event, None) falls back to the viewer's zone (the active one).
    """
    if isinstance(owner, str):
        return zone_named(owner) or timezone.get_current_timezone()
    site = _site_of(owner)
    zone = zone_named(getattr(site, "timezone", "") or "") if site is not None else None
    return zone or timezone.get_current_timezone()


def _site_of(owner: Any) -> Any:
    if owner is None:
        return None
    if hasattr(owner, "timezone"):
        return owner
    if hasattr(owner, "site"):
        return owner.site
    camera = getattr(owner, "camera", None)
    return camera.site if camera is not None else None


def local(moment: datetime, owner: Any = None) -> datetime:
    """``moment`` in the zone of ``owner`` (see ``zone_of``)."""
    return timezone.localtime(moment, zone_of(owner))


class ViewerTimezoneMiddleware:
    """Activates the viewer's time zone (the ``cctv_tz`` cookie) for the request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = zone_named(request.COOKIES.get(COOKIE, ""))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
