"""Request middleware: the active organization and the organization MFA rule."""

from __future__ import annotations

from collections.abc import Callable

from allauth.mfa.models import Authenticator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from accounts.models import Organization
from accounts.organizations import active_organization, organizations_of

Middleware = Callable[[HttpRequest], HttpResponse]


class ActiveOrganizationMiddleware:
    """Sets ``request.organizations`` and ``request.organization`` (lazily)."""

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.organizations = SimpleLazyObject(lambda: organizations_of(request.user))  # type: ignore[attr-defined]
        request.organization = SimpleLazyObject(lambda: active_organization(request))  # type: ignore[attr-defined]
        return self.get_response(request)


def mfa_required_for(user: object) -> bool:
    """True when one of the user's organizations demands MFA and the user has none."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "api_token", None) is not None:
        return False
    demanding = Organization.objects.filter(memberships__user=user, require_mfa=True).exists()
    if not demanding:
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class RequireMFAMiddleware:
    """Sends members of an MFA-requiring organization to set up TOTP first.

    Only the MFA pages, logout and static files stay reachable until then;
    API calls made with the session get a JSON 403 that says why.
    """

    def __init__(self, get_response: Middleware) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._exempt(request.path) or not mfa_required_for(request.user):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "Your organization requires two-factor authentication. Set it up in the portal first."},
                status=403,
            )
        return redirect("mfa_activate_totp")

    @staticmethod
    def _exempt(path: str) -> bool:
        # Activating TOTP may first ask for the password again (allauth's reauthentication).
        allowed = (reverse("mfa_index"), reverse("account_reauthenticate"), reverse("account_logout"), "/static/")
        return path.startswith(allowed)
