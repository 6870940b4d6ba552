"""Inviting people into an organization, and their answer.

Adding a member by e-mail sends an invitation; nobody becomes a member until
the person behind the address accepts it. The inviter's side (the service's
result, its audit entry, the e-mail it sends) is the same whether or not the
address already has an account here: no account is looked up until the
person opens the link. Then:

- a person with an account signs in as that address, sees the organization
  and the role, and accepts or declines;
- a person without one (or with an account that never had a password)
  chooses a password on the invitation page; the link proves the address,
  so it is recorded as verified (allauth asks for that before MFA).

Links carry a random key (only its SHA-256 is stored) and start with
``CCTV_PUBLIC_URL``; they expire after ``CCTV_INVITATION_DAYS``.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import timedelta, tzinfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.callers import Visitor, person_of, token_of
from accounts.changes import access_changed
from accounts.models import APIToken, Invitation, Membership, Organization, User, hash_token_key
from accounts.roles import Action, Role, role_allows
from accounts.scoping import can, require_visible, token_grant
from accounts.services import GrantedCamera, GrantedSite, check_member_access
from portal import timezones

NO_LONGER_VALID = "This invitation is no longer valid: it was accepted, declined, withdrawn or has expired."


def invitation_link(key: str) -> str:
    return settings.CCTV_PUBLIC_URL.rstrip("/") + reverse("invitation_open", kwargs={"key": key})


def find_pending(key: str) -> Invitation | None:
    """The pending invitation a link's key names, if any."""
    return (
        Invitation.objects.pending().select_related("organization", "invited_by", "invited_by_token")
        .filter(key_hash=hash_token_key(key)).first()
    )


@transaction.atomic
def invite_member(
    actor: Visitor,
    organization: Organization,
    *,
    email: str,
    role: str,
    sites: Iterable[GrantedSite] = (),
    cameras: Iterable[GrantedCamera] = (),
    ip: str | None = None,
) -> Invitation:
    """Invite an e-mail address to a role (and optional limits) in the organization.

    Refused like a direct change of access would be (manage right, owner
    rule, limits of this organization), and when the address is already a
    member here. A pending invitation to the same address is replaced.
    Audit: ``member.invite``. Sends the e-mail after commit.
    """
    require_visible(actor, organization, "manage")
    sites, cameras = list(sites), list(cameras)
    check_member_access(actor, organization, None, role, sites, cameras)
    email = User.objects.normalize_email(email.strip())
    if Membership.objects.filter(organization=organization, user__email__iexact=email).exists():
        raise ValidationError({"email": ["This person is already a member of the organization."]})
    now = timezone.now()
    Invitation.objects.pending().filter(organization=organization, email__iexact=email).update(revoked_at=now)
    key = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organization=organization, email=email, role=role, key_hash=hash_token_key(key),
        invited_by=person_of(actor),
        invited_by_token=token_of(actor),
        expires_at=now + timedelta(days=settings.CCTV_INVITATION_DAYS),
    )  # fmt: skip
    invitation.sites.set([site.pk for site in sites])
    invitation.cameras.set([camera.pk for camera in cameras])
    audit.record(actor, "member.invite", organization=organization, target=invitation, ip=ip, email=email,
                 role=role, sites=len(sites), cameras=len(cameras))
    # The zone is chosen now, while the inviter's request (and its zone) is active.
    zone = invitation_zone(invitation)
    transaction.on_commit(lambda: send_invitation(invitation, key, zone))
    return invitation


def invitation_zone(invitation: Invitation) -> tzinfo:
    """The zone an invitation's times are written in for the invited person.

    The invited sites' zone when they share one (else the organization's
    sites', when they share one): where the person will work. Otherwise the
    inviter's (the zone active for the request, from their browser), which
    is the portal's ``TIME_ZONE`` when a token sends the invitation.
    """
    for sites in (invitation.sites.all(), invitation.organization.sites.all()):
        names = {name for name in sites.values_list("timezone", flat=True) if name}
        if len(names) == 1 and (zone := timezones.zone_named(names.pop())) is not None:
            return zone
    return timezone.get_current_timezone()


def invitation_deadline(invitation: Invitation, zone: tzinfo | None = None) -> str:
    """``2026-12-11 18:30 CET (Europe/Paris)``: the expiry as the invited person reads it."""
    zone = zone or invitation_zone(invitation)
    local = timezone.localtime(invitation.expires_at, zone)
    name = str(zone)
    abbreviation = local.tzname() or name
    return f"{local:%Y-%m-%d %H:%M} {abbreviation}" + (f" ({name})" if name != abbreviation else "")


def send_invitation(invitation: Invitation, key: str, zone: tzinfo | None = None) -> None:
    """The one invitation e-mail: the same words whether or not the address has an account."""
    portal = settings.CCTV_PORTAL_NAME
    inviter = f" by {invitation.invited_by}" if invitation.invited_by else ""
    role = invitation.get_role_display().lower()
    send_mail(
        subject=f"Invitation to {invitation.organization.name} on {portal}",
        message=(
            f"Hello,\n\nYou have been invited{inviter} to join {invitation.organization.name} "
            f"on {portal} ({settings.CCTV_PUBLIC_URL}) as {role}.\n\n"
            f"Open this link to accept or decline:\n\n{invitation_link(key)}\n\n"
            f"The link works until {invitation_deadline(invitation, zone)}. "
            "If you did not expect this e-mail, you can ignore it.\n"
        ),
        from_email=None,
        recipient_list=[invitation.email],
    )


def needs_password(email: str) -> bool:
    """Whether the invited address has no account yet, or one that never had a password."""
    account = User.objects.filter(email__iexact=email).first()
    return account is None or not account.has_usable_password()


@transaction.atomic
def accept_invitation(invitation: Invitation, user: User, *, ip: str | None = None) -> Membership:
    """Make the signed-in person a member as the invitation says. Audit: ``member.add``.

    The person must be signed in as the invited address, and the inviter must
    still be allowed to grant this role (an invitation never outlives its
    inviter's rights). The address counts as verified from now on.
    """
    invitation = _lock_pending(invitation)
    if user.email.lower() != invitation.email.lower():
        raise PermissionDenied(f"This invitation is for {invitation.email}; sign in with that address to accept it.")
    organization = invitation.organization
    if not _inviter_may_still_grant(invitation):
        raise ValidationError(NO_LONGER_VALID)
    membership, created = Membership.objects.get_or_create(
        user=user, organization=organization, defaults={"role": invitation.role}
    )
    if created:
        membership.sites.set(invitation.sites.filter(organization=organization))
        membership.cameras.set(invitation.cameras.filter(site__organization=organization))
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by", "updated_at"])
    mark_address_verified(user)
    if created:
        audit.record(user, "member.add", organization=organization, target=user, ip=ip, role=membership.role,
                     invitation=str(invitation.public_id))
        access_changed.send(sender=Membership, user_id=user.pk)
    return membership


@transaction.atomic
def join_with_new_password(invitation: Invitation, password: str, *, ip: str | None = None) -> User:
    """For an address without a usable password: set it (creating the account if needed), then accept.

    The caller has validated the password against the password rules.
    """
    invitation = _lock_pending(invitation)
    user = User.objects.select_for_update().filter(email__iexact=invitation.email).first()
    if user is not None and user.has_usable_password():
        raise PermissionDenied("This address already has a password; sign in to accept the invitation.")
    if user is None:
        user = User.objects.create_user(email=invitation.email, password=password)
    else:
        user.set_password(password)
        user.save(update_fields=["password"])
    accept_invitation(invitation, user, ip=ip)
    return user


@transaction.atomic
def decline_invitation(invitation: Invitation, *, ip: str | None = None) -> None:
    """The invited person says no (the link is enough). Audit: ``invitation.decline``."""
    invitation = _lock_pending(invitation)
    invitation.declined_at = timezone.now()
    invitation.save(update_fields=["declined_at", "updated_at"])
    audit.record(audit.NamedActor(invitation.email), "invitation.decline", organization=invitation.organization_id,
                 target=invitation, ip=ip)


@transaction.atomic
def withdraw_invitation(actor: Visitor, invitation: Invitation, *, ip: str | None = None) -> None:
    """An admin withdraws a pending invitation (idempotent). Audit: ``invitation.withdraw``."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    require_visible(actor, invitation, "manage")
    if invitation.status != "pending":
        return
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    audit.record(actor, "invitation.withdraw", organization=invitation.organization_id, target=invitation, ip=ip)


def mark_address_verified(user: User) -> None:
    """Record the account's address as verified and primary (an invitation or reset link proved it)."""
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        address = EmailAddress.objects.create(user=user, email=user.email.lower(), verified=False, primary=False)
    address.set_verified(commit=True)
    address.set_as_primary(conditional=True)


def _lock_pending(invitation: Invitation) -> Invitation:
    locked = (
        Invitation.objects.pending().select_for_update(of=("self",)).select_related("organization", "invited_by")
        .filter(pk=invitation.pk).first()
    )
    if locked is None:
        raise ValidationError(NO_LONGER_VALID)
    return locked


def _inviter_may_still_grant(invitation: Invitation) -> bool:
    """Whether the person (or the API token) who invited may still give this role here."""
    if invitation.invited_by_token_id is not None:
        token = APIToken.objects.active().select_related("created_by").filter(pk=invitation.invited_by_token_id).first()
        grant = token_grant(token) if token is not None else None
        return grant is not None and role_allows(grant.role, Action.MANAGE) and invitation.role != Role.OWNER
    inviter = invitation.invited_by
    if inviter is None or not inviter.is_active:
        return False
    if not can(inviter, "manage", invitation.organization):
        return False
    if invitation.role != Role.OWNER or inviter.is_superuser:
        return True
    return Membership.objects.filter(user=inviter, organization=invitation.organization, role=Role.OWNER).exists()
