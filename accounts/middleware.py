"""Request middleware: the active organization and the organization MFA rule."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.organizations import active_organization, organizations_of
from accounts.scoping import MFA_REQUIRED_MESSAGE, mfa_enrolment_pending

Middleware = Callable[[HttpRequest], HttpResponse]


class ActiveOrganizationMiddleware:
    """Sets ``request.organizations`` and ``request.organization`` (lazily)."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organizations = SimpleLazyObject(lambda: organizations_of(request.user))  # type: ignore[attr-defined]
        request.organization = SimpleLazyObject(lambda: active_organization(request))  # type: ignore[attr-defined]
        return self.get_response(request)


class RequireMFAMiddleware:
    """Sends members of an MFA-requiring organization to set up TOTP first.

    The rule itself is the access gate's (``accounts.scoping``), which gives
    such a person no rights anywhere; this only turns it into guidance. The
    MFA pages, the e-mail page (allauth wants a verified address before
    MFA), invitations, logout and static files stay reachable. What programs
    read rather than people (API calls made with the session, and the HLS
    playlists and segments a player fetches) gets a JSON 403 that says why:
    a redirect to a page would reach a video player as an unreadable playlist.
    """

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._exempt(request.path) or not mfa_enrolment_pending(request.user):
            return self.get_response(request)
        if self._read_by_programs(request.path):
            return JsonResponse({"detail": MFA_REQUIRED_MESSAGE}, status=403)
        return redirect("mfa_activate_totp")

    @staticmethod
    def _read_by_programs(path: str) -> bool:
        return path.startswith("/api/") or (path.startswith("/playback/") and path.endswith((".m3u8", ".mp4")))

    @staticmethod
    def _exempt(path: str) -> bool:
        # Activating TOTP may first ask for the password again (allauth's
        # reauthentication), and refuses while an address is unverified.
        allowed = (
            reverse("mfa_index"), reverse("account_reauthenticate"), reverse("account_logout"),
            reverse("account_email"), "/accounts/confirm-email/", "/invitations/", "/static/",
            reverse("web_manifest"), reverse("favicon"),
        )
        return path.startswith(allowed)
