from django.conf import settings
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from accounts.models import Organization
from accounts.roles import Action


def _can_manage_active(request: HttpRequest) -> bool:
    organization = getattr(request, "organization", None)
    if not organization:
        return False
    return Organization.objects.for_user(request.user, Action.MANAGE).filter(pk=organization.pk).exists()


def organizations(request: HttpRequest) -> dict:
    return {
        "organizations": getattr(request, "organizations", []),
        "active_organization": getattr(request, "organization", None),
        # Whether the navigation offers the manage-only pages (members, tokens, audit, settings).
        "can_manage_organization": SimpleLazyObject(lambda: _can_manage_active(request)),
        "portal_name": settings.CCTV_PORTAL_NAME,
    }
