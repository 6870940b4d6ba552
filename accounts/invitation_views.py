"""The invited person's pages: open the link, then accept (choosing a password if needed) or decline.

The link's key is moved into the session at once and the browser sent to a
key-free address, so the key does not linger in the address bar, the
history or a Referer header. The work is done by ``accounts.invitations``.
"""

from __future__ import annotations

import contextlib

from allauth.account.internal.flows.login import record_authentication
from allauth.account.utils import perform_login
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from accounts import invitations
from accounts.audit import client_ip
from accounts.callers import person_of
from accounts.forms import SetPasswordForm
from accounts.models import Invitation, User
from accounts.organizations import switch_organization

SESSION_KEY = "invitation_key"


@never_cache
@require_GET
def invitation_open(request: HttpRequest, key: str) -> HttpResponse:
    request.session[SESSION_KEY] = key
    return redirect("invitation_respond")


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_respond(request: HttpRequest) -> HttpResponse:
    invitation = invitations.find_pending(request.session.get(SESSION_KEY, ""))
    if invitation is None:
        request.session.pop(SESSION_KEY, None)
        return render(request, "accounts/invitation_invalid.html", status=404)
    if request.method == "POST" and request.POST.get("answer") == "decline":
        return _decline(request, invitation)
    person = person_of(request.user)
    if person is not None and person.email.lower() == invitation.email.lower():
        if request.method == "POST":
            return _accept_signed_in(request, invitation, person)
        return _page(request, invitation, "accept")
    if person is not None:
        return _page(request, invitation, "other_account")
    if invitations.needs_password(invitation.email):
        return _choose_password(request, invitation)
    return _page(request, invitation, "sign_in")


def _page(request: HttpRequest, invitation: Invitation, state: str, **context: object) -> HttpResponse:
    login_url = f"{reverse('account_login')}?next={reverse('invitation_respond')}"
    return render(request, "accounts/invitation.html", {
        "invitation": invitation, "state": state, "login_url": login_url,
        "sites": invitation.sites.all(), "cameras": invitation.cameras.select_related("site"), **context,
    })  # fmt: skip


def _done(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    request.session.pop(SESSION_KEY, None)
    switch_organization(request, invitation.organization)
    messages.success(request, f"Welcome to {invitation.organization.name}.")
    return redirect("dashboard")


def _accept_signed_in(request: HttpRequest, invitation: Invitation, person: User) -> HttpResponse:
    try:
        invitations.accept_invitation(invitation, person, ip=client_ip(request))
    except (ValidationError, PermissionDenied) as exc:
        return _page(request, invitation, "accept", error=" ".join(getattr(exc, "messages", [str(exc)])))
    return _done(request, invitation)


def _choose_password(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    form = SetPasswordForm(request.POST or None, email=invitation.email)
    if request.method != "POST" or not form.is_valid():
        return _page(request, invitation, "choose_password", form=form)
    try:
        user = invitations.join_with_new_password(invitation, form.cleaned_data["password1"], ip=client_ip(request))
    except (ValidationError, PermissionDenied) as exc:
        return _page(request, invitation, "choose_password", form=form,
                     error=" ".join(getattr(exc, "messages", [str(exc)])))
    # The invitation link and the password typed this moment are this session's sign-in, and count as
    # the fresh password check allauth asks for before setting up MFA (the next step of a strict organization).
    record_authentication(request, user, method="password", email=user.email, reauthenticated=True)
    response = perform_login(request, user, email=user.email, redirect_url=reverse("dashboard"))
    if not request.user.is_authenticated:  # allauth asks for more first (an existing second factor)
        return response
    return _done(request, invitation)


def _decline(request: HttpRequest, invitation: Invitation) -> HttpResponse:
    with contextlib.suppress(ValidationError):  # answered meanwhile: nothing left to decline
        invitations.decline_invitation(invitation, ip=client_ip(request))
    request.session.pop(SESSION_KEY, None)
    return render(request, "accounts/invitation_declined.html", {"organization": invitation.organization})
