"""Which organizations a person belongs to, and which one the pages show."""

from __future__ import annotations

from django.http import HttpRequest

from accounts.callers import Visitor
from accounts.models import Organization
from accounts.roles import Action

SESSION_KEY = "active_organization_id"


def organizations_of(user: Visitor) -> list[Organization]:
    return list(Organization.objects.for_user(user, Action.VIEW).order_by("name"))


def active_organization(request: HttpRequest) -> Organization | None:
    """The organization chosen in the switcher, else the user's first one."""
    organizations = request.organizations  # type: ignore[attr-defined]
    if not organizations:
        return None
    chosen = request.session.get(SESSION_KEY)
    for organization in organizations:
        if organization.pk == chosen:
            return organization
    return organizations[0]


def switch_organization(request: HttpRequest, organization: Organization) -> None:
    request.session[SESSION_KEY] = organization.pk
