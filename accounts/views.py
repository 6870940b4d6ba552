"""Pages for API tokens, the audit log, organization settings and the switcher (members: ``cameras.grants``).

Every page reaches tenant data through ``accounts.scoping`` and changes it
through ``accounts.services``; these functions only parse input and render.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from accounts import services
from accounts.audit import client_ip
from accounts.callers import Visitor
from accounts.forms import AuditFilterForm, OrganizationForm, TokenForm, save_or_add_errors
from accounts.models import APIToken, AuditEvent, Organization
from accounts.organizations import switch_organization
from accounts.roles import Action
from accounts.scoping import access, can

AUDIT_PAGE_SIZE = 50
GET_POST = require_http_methods(["GET", "POST"])


def organization_page(action: str = Action.VIEW) -> Callable:
    """Log-in required; hands the view the active organization, checked for ``action``.

    A person in no organization gets a page that says so; a role without
    ``action`` in the active organization gets 403.
    """

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not request.organizations:  # type: ignore[attr-defined]
                status = 200 if action == Action.VIEW else 403
                return render(request, "no_organization.html", status=status)
            organization = access(Organization, request.user, request.organization.pk, action)  # type: ignore[attr-defined]
            return view(request, organization, *args, **kwargs)

        return wrapper

    return decorator


def _access_token(user: Visitor, pk: int) -> APIToken:
    """An API token the user can see (else 404) and manage (else 403)."""
    token = APIToken.objects.for_user(user, Action.VIEW).filter(pk=pk).first()
    if token is None:
        raise Http404("Not found.")
    if not can(user, Action.MANAGE, token):
        raise PermissionDenied("Your role does not allow this.")
    return token


# --- organization switcher --------------------------------------------------------


@login_required
@require_POST
def organization_switch(request: HttpRequest) -> HttpResponse:
    organization = access(Organization, request.user, request.POST.get("organization"), Action.VIEW)
    switch_organization(request, organization)
    messages.info(request, f"You are now working in {organization.name}.")
    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(next_url)
    return redirect("dashboard")


# --- API tokens ------------------------------------------------------------------


@organization_page(Action.MANAGE)
def token_list(request: HttpRequest, organization: Organization) -> HttpResponse:
    tokens = (
        APIToken.objects.for_user(request.user, Action.MANAGE)
        .filter(organization=organization)
        .select_related("created_by")
    )
    context = {"organization": organization, "tokens": tokens, "form": TokenForm()}
    return render(request, "accounts/token_list.html", context)


@never_cache
@organization_page(Action.MANAGE)
@GET_POST
def token_create(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if form.is_valid():
        created = save_or_add_errors(
            form, lambda: services.create_token(request.user, organization, ip=client_ip(request), **form.cleaned_data)
        )
        if created is not None:
            token, key = created
            # Rendered, not redirected: the key exists only in this response.
            return render(request, "accounts/token_created.html", {"token": token, "key": key})
    return render(request, "accounts/token_form.html", {"organization": organization, "form": form})


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = _access_token(request.user, pk)
    services.revoke_token(request.user, token, ip=client_ip(request))
    messages.success(request, f"Token “{token.name}” is revoked; calls made with it are refused from now on.")
    return redirect("token_list")


# --- audit log and organization settings -----------------------------------------------


def _describe(value: Any) -> str:
    """An audit detail value as short text (lists joined, booleans as yes/no)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return ", ".join(str(item) for item in value) or "—"
    return "—" if value in ("", None) else str(value)


@organization_page(Action.MANAGE)
def audit_log(request: HttpRequest, organization: Organization) -> HttpResponse:
    events: QuerySet = AuditEvent.objects.for_user(request.user, Action.MANAGE).filter(
        organization=organization
    )
    form = AuditFilterForm(request.GET, events=events)
    if form.is_valid():
        events = form.filter(events)
    page = Paginator(events, AUDIT_PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.detail_items = [(key, _describe(value)) for key, value in event.detail.items()]
    return render(request, "accounts/audit_log.html", {"organization": organization, "form": form, "page": page})


@organization_page(Action.MANAGE)
@GET_POST
def organization_settings(request: HttpRequest, organization: Organization) -> HttpResponse:
    fields = ("name", "require_mfa", "clip_retention_days", "clip_storage_quota_bytes")
    initial = {field: getattr(organization, field) for field in fields}
    form = OrganizationForm(request.POST or None, initial=initial)
    if form.is_valid():
        ip = client_ip(request)
        saved = save_or_add_errors(
            form, lambda: services.update_organization(request.user, organization, ip=ip, **form.cleaned_data)
        )
        if saved is not None:
            messages.success(request, "Organization settings saved.")
            return redirect("organization_settings")
    return render(request, "accounts/organization_settings.html", {"organization": organization, "form": form})
