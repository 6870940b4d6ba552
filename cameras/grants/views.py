"""The member pages: list, invite, change limits, remove, withdraw an invitation.

Every page reaches tenant data through ``accounts.scoping`` and changes it
through ``accounts.services`` and ``accounts.invitations``.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts import invitations, services
from accounts.audit import client_ip
from accounts.callers import Visitor
from accounts.forms import save_or_add_errors
from accounts.models import Invitation, Membership, Organization
from accounts.roles import Action
from accounts.scoping import access, can
from accounts.views import GET_POST, organization_page
from cameras.grants.forms import MemberForm


def _access_member(user: Visitor, pk: int) -> Membership:
    """A membership the user can see (else 404) and manage (else 403)."""
    membership = access(Membership, user, pk, Action.VIEW, related=("user",))
    if not can(user, Action.MANAGE, membership):
        raise PermissionDenied("Your role does not allow this.")
    return membership


# --- members -------------------------------------------------------------------


@organization_page(Action.MANAGE)
def member_list(request: HttpRequest, organization: Organization) -> HttpResponse:
    memberships = (
        Membership.objects.for_user(request.user, Action.MANAGE)
        .filter(organization=organization)
        .select_related("user")
        .prefetch_related("sites", "cameras__site")
    )
    pending = (
        Invitation.objects.for_user(request.user, Action.MANAGE).pending()
        .filter(organization=organization)
        .select_related("invited_by")
        .prefetch_related("sites", "cameras__site")
    )
    context = {"organization": organization, "memberships": memberships, "invitations": pending}
    return render(request, "accounts/member_list.html", context)


@organization_page(Action.MANAGE)
@GET_POST
def member_add(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = MemberForm(request.POST or None, user=request.user, organization=organization)
    if form.is_valid():
        invitation = save_or_add_errors(form, lambda: form.save(ip=client_ip(request)))
        if isinstance(invitation, Invitation):  # a form without a membership invites
            # The same words whether or not the address has an account here.
            messages.success(request, f"Invitation sent to {invitation.email}. "
                                      f"They become a member of {organization.name} when they accept it.")
            return redirect("member_list")
    return render(request, "accounts/member_form.html", {"organization": organization, "form": form})


@login_required
@require_POST
def invitation_withdraw(request: HttpRequest, public_id: str) -> HttpResponse:
    invitation = Invitation.objects.for_user(request.user, Action.MANAGE).filter(public_id=public_id).first()
    if invitation is None:
        raise Http404("Not found.")
    invitations.withdraw_invitation(request.user, invitation, ip=client_ip(request))
    messages.success(request, f"The invitation to {invitation.email} is withdrawn; its link no longer works.")
    return redirect("member_list")


@login_required
@GET_POST
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _access_member(request.user, pk)
    form = MemberForm(
        request.POST or None, user=request.user, organization=membership.organization, membership=membership
    )
    saved = save_or_add_errors(form, lambda: form.save(ip=client_ip(request))) if form.is_valid() else None
    if saved is not None:
        messages.success(request, f"Saved the access of {membership.user}.")
        return redirect("member_list")
    context = {"organization": membership.organization, "form": form, "membership": membership}
    return render(request, "accounts/member_form.html", context)


@login_required
@GET_POST
def member_remove(request: HttpRequest, pk: int) -> HttpResponse:
    membership = _access_member(request.user, pk)
    error = None
    if request.method == "POST":
        try:
            services.remove_member(request.user, membership, ip=client_ip(request))
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(getattr(exc, "messages", None) or [str(exc)])
        else:
            messages.success(request, f"{membership.user} no longer has access to {membership.organization.name}.")
            return redirect("member_list")
    return render(request, "accounts/member_confirm_remove.html", {"membership": membership, "error": error})
