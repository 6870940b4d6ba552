"""The web app manifest and the favicon: what lets a phone add the portal to its home screen.

The manifest is a view, not a static file, so it carries the configured
portal name (``CCTV_PORTAL_NAME``) and the right content type
(``application/manifest+json``) whatever serves the static files. The
icons are static files drawn by ``bin/make-icons``. ``/favicon.ico`` is
answered here too: browsers ask for it at the site's root on their own.
Both fall under the strict CSP unchanged (``manifest-src`` and
``img-src`` default to the portal itself).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.templatetags.static import static
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

FAVICON = "icons/favicon.ico"
THEME_COLOUR = "#131a26"
BACKGROUND_COLOUR = "#f4f6f9"
ICONS = [
    ("icons/icon-192.png", "192x192", "any"),
    ("icons/icon-512.png", "512x512", "any"),
    ("icons/icon-maskable-512.png", "512x512", "maskable"),
]


def manifest_data() -> dict:
    name = settings.CCTV_PORTAL_NAME
    return {
        "name": name,
        "short_name": name if len(name) <= 12 else name.split()[0][:12],
        "description": f"{name}: live cameras, alerts and clips.",
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": THEME_COLOUR,
        "background_color": BACKGROUND_COLOUR,
        "icons": [{"src": static(path), "sizes": sizes, "type": "image/png", "purpose": purpose}
                  for path, sizes, purpose in ICONS],
    }


@require_GET
@cache_control(public=True, max_age=3600)
def web_manifest(request: HttpRequest) -> JsonResponse:
    return JsonResponse(manifest_data(), content_type="application/manifest+json")


@require_GET
@cache_control(public=True, max_age=86400)
def favicon(request: HttpRequest) -> HttpResponse:
    found = finders.find(FAVICON) or Path(settings.STATIC_ROOT) / FAVICON
    path = Path(str(found))
    if not path.is_file():
        raise Http404("no favicon")
    return HttpResponse(path.read_bytes(), content_type="image/x-icon")
