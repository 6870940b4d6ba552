"""The portal's own "not found" and "not allowed" pages, with DEBUG on too.

With DEBUG off, Django renders ``404.html`` and ``403.html`` (the portal's
layout) by itself. With DEBUG on (``bin/start``), a 404 becomes Django's
technical page, which a person following a link to a camera that is gone
or not theirs should not meet. So:

- a 404 raised by a page view (a missing or foreign object: the cases a
  person reaches by clicking) renders ``404.html`` whatever DEBUG says;
  addresses that match no URL at all keep Django's technical page while
  DEBUG is on, which lists the URL patterns for the developer;
- the API (its own JSON errors), the Django admin and files are left alone;
- a refused form (CSRF) gets ``403.html`` with words a person can act on,
  instead of Django's page about cookies and referers.

403s from ``PermissionDenied`` already use ``403.html`` with DEBUG on.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

NOT_PAGES = ("/api/", "/admin/", "/static/", "/media/")
CSRF_REFUSED = (
    "The form was out of date (you may have signed in or out in another tab since it was shown). "
    "Go back, reload the page and try again."
)


class PortalNotFoundMiddleware:
    """Renders the portal's 404 page for ``Http404`` from page views, DEBUG or not."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, Http404) or request.path.startswith(NOT_PAGES):
            return None
        return render(request, "404.html", status=404)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """``CSRF_FAILURE_VIEW``: the portal's 403 page, saying what to do."""
    return render(request, "403.html", {"exception": CSRF_REFUSED}, status=403)
