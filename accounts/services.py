"""Members, API tokens and organization settings (invitations: ``accounts.invitations``).

Rules every entry point gets from here:
- only members whose role allows ``manage`` change anything (checked in the
  transaction through the access gate);
- only owners grant, change or remove the owner role, and an organization
  always keeps at least one owner;
- site/camera restrictions apply to operators and viewers only, and must
  name sites and cameras of the same organization.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any, Protocol

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts import audit
from accounts.callers import Visitor, is_token, person_of
from accounts.changes import access_changed, organization_updated
from accounts.models import APIToken, Membership, Organization, User, hash_token_key
from accounts.roles import RESTRICTABLE_ROLES, TOKEN_ROLES, Role
from accounts.scoping import Grant, grants_for, require_visible, token_grant


class GrantedSite(Protocol):
    """What the grant rules need of a site (a ``cameras.Site``; accounts sits below cameras)."""

    pk: Any
    organization_id: int


class GrantedCamera(Protocol):
    """What the grant rules need of a camera (a ``cameras.Camera``)."""

    pk: Any
    site: GrantedSite


ORGANIZATION_FIELDS = frozenset({"name", "require_mfa", "clip_retention_days", "clip_storage_quota_bytes"})
TOKEN_PREFIX = "cctv"  # noqa: S105  (a public marker at the start of every key, not a secret)


def _grant_in(user: Visitor, organization: Organization) -> Grant | None:
    return next((g for g in grants_for(user) if g.organization_id == organization.pk), None)


def _is_owner(user: Visitor, organization: Organization) -> bool:
    if user.is_superuser:
        return True
    grant = _grant_in(user, organization)
    return grant is not None and grant.role == Role.OWNER and not is_token(user)


def check_member_access(
    actor: Visitor, organization: Organization, old_role: str | None, role: str, sites: list[GrantedSite],
    cameras: list[GrantedCamera],
) -> None:
    """The rules for giving someone ``role`` with these limits (invitations and changes alike)."""
    _check_role_change(actor, organization, old_role, role)
    _check_restrictions(organization, role, sites, cameras)


def _check_role_change(actor: Visitor, organization: Organization, old_role: str | None, new_role: str) -> None:
    if new_role not in Role.values:
        raise ValidationError({"role": ["Choose one of: owner, admin, operator, viewer."]})
    touches_owner = Role.OWNER in (old_role, new_role)
    if touches_owner and not _is_owner(actor, organization):
        raise PermissionDenied("Only an owner can grant, change or remove the owner role.")


def _check_restrictions(
    organization: Organization, role: str, sites: list[GrantedSite], cameras: list[GrantedCamera]
) -> None:
    if (sites or cameras) and role not in RESTRICTABLE_ROLES:
        raise ValidationError({"role": ["Owners and admins always see the whole organization; "
                                        "site or camera limits apply to operators and viewers."]})
    if any(site.organization_id != organization.pk for site in sites):
        raise ValidationError({"sites": ["Choose sites of this organization."]})
    if any(camera.site.organization_id != organization.pk for camera in cameras):
        raise ValidationError({"cameras": ["Choose cameras of this organization."]})


def _keep_an_owner(membership: Membership) -> None:
    others = Membership.objects.filter(organization=membership.organization_id, role=Role.OWNER)
    if not others.exclude(pk=membership.pk).exists():
        raise ValidationError("An organization needs at least one owner; make someone else owner first.")


@transaction.atomic
def change_member(
    actor: Visitor,
    membership: Membership,
    *,
    role: str,
    sites: Iterable[GrantedSite] = (),
    cameras: Iterable[GrantedCamera] = (),
    ip: str | None = None,
) -> Membership:
    """Change a member's role and restrictions. Audit: ``member.update``."""
    membership = Membership.objects.select_for_update().select_related("organization").get(pk=membership.pk)
    organization = membership.organization
    require_visible(actor, membership, "manage")
    sites, cameras = list(sites), list(cameras)
    check_member_access(actor, organization, membership.role, role, sites, cameras)
    if membership.role == Role.OWNER and role != Role.OWNER:
        _keep_an_owner(membership)
    old_role = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    membership.sites.set([site.pk for site in sites])
    membership.cameras.set([camera.pk for camera in cameras])
    audit.record(actor, "member.update", organization=organization, target=membership.user, ip=ip,
                 old_role=old_role, role=role, sites=len(sites), cameras=len(cameras))
    fit_tokens_to_creator(membership.user, organization_id=organization.pk, actor=actor, ip=ip,
                          reason="its creator's access changed")
    access_changed.send(sender=Membership, user_id=membership.user_id)
    return membership


@transaction.atomic
def remove_member(actor: Visitor, membership: Membership, *, ip: str | None = None) -> None:
    """Take a person out of the organization (their account stays). Audit: ``member.remove``."""
    membership = Membership.objects.select_for_update().select_related("organization", "user").get(
        pk=membership.pk
    )
    require_visible(actor, membership, "manage")
    if membership.role == Role.OWNER:
        _check_role_change(actor, membership.organization, Role.OWNER, Role.OWNER)
        _keep_an_owner(membership)
    audit.record(actor, "member.remove", organization=membership.organization, target=membership.user, ip=ip,
                 role=membership.role)
    access_changed.send(sender=Membership, user_id=membership.user_id)
    membership.delete()
    fit_tokens_to_creator(membership.user, organization_id=membership.organization_id, actor=actor, ip=ip,
                          reason="its creator was removed from the organization")


@transaction.atomic
def create_token(
    actor: Visitor, organization: Organization, *, name: str, role: str, ip: str | None = None
) -> tuple[APIToken, str]:
    """Create an API token; returns it with its key, which is never stored. Audit: ``token.create``."""
    if is_token(actor):
        raise PermissionDenied("API tokens are created by people in the portal, not by other tokens.")
    require_visible(actor, organization, "manage")
    name = name.strip()
    if not name:
        raise ValidationError({"name": ["Give the token a name, e.g. the integration that uses it."]})
    if role not in TOKEN_ROLES:
        raise ValidationError({"role": ["A token's role is admin, operator or viewer."]})
    prefix = secrets.token_hex(4)
    key = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    token = APIToken.objects.create(
        organization=organization,
        name=name[:100],
        role=role,
        prefix=prefix,
        key_hash=hash_token_key(key),
        created_by=person_of(actor),
    )
    audit.record(actor, "token.create", organization=organization, target=token, ip=ip, role=role)
    return token, key


@transaction.atomic
def revoke_token(actor: Visitor, token: APIToken, *, ip: str | None = None) -> APIToken:
    """Revoke a token at once (idempotent). Audit: ``token.revoke``."""
    token = APIToken.objects.select_for_update().get(pk=token.pk)
    require_visible(actor, token, "manage")
    if token.is_active:
        token.revoke()
        audit.record(actor, "token.revoke", organization=token.organization_id, target=token, ip=ip)
    return token


def retire_token(token: APIToken, *, reason: str, actor: audit.Actor = audit.SYSTEM, ip: str | None = None) -> None:
    """Revoke a token whose creator lost the rights it carries. Audit: ``token.revoke`` with the reason."""
    if APIToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        token.revoked_at = timezone.now()
        audit.record(actor, "token.revoke", organization=token.organization_id, target=token, ip=ip, reason=reason)


@transaction.atomic
def fit_tokens_to_creator(
    creator: User, *, organization_id: int | None = None, reason: str, actor: audit.Actor = audit.SYSTEM,
    ip: str | None = None,
) -> None:
    """Bring the active tokens a person created (in one organization, or all) down to their rights now.

    A token whose creator is gone, inactive, no longer a member or limited to
    some sites or cameras is revoked; one whose role is above its creator's
    is narrowed to it (audit ``token.narrow``). Called when a membership or
    an account changes; ``accounts.api_auth`` applies the same rule on every
    call as a backstop.
    """
    tokens = APIToken.objects.active().select_for_update(of=("self",)).filter(created_by_id=creator.pk)
    if organization_id is not None:
        tokens = tokens.filter(organization_id=organization_id)
    for token in tokens.select_related("created_by"):
        grant = token_grant(token)
        if grant is None:
            retire_token(token, reason=reason, actor=actor, ip=ip)
        elif grant.role != token.role:
            old_role, token.role = token.role, grant.role
            token.save(update_fields=["role", "updated_at"])
            audit.record(actor, "token.narrow", organization=token.organization_id, target=token, ip=ip,
                         old_role=old_role, role=token.role, reason=reason)


@transaction.atomic
def update_organization(
    actor: Visitor, organization: Organization, *, ip: str | None = None, **changes: Any
) -> Organization:
    """Change the organization's name, MFA rule or clip policy. Audit: ``organization.update``.

    A new clip retention period applies to the clips already stored too.
    """
    if set(changes) - ORGANIZATION_FIELDS:
        raise ValueError(f"unknown organization fields: {sorted(set(changes) - ORGANIZATION_FIELDS)}")
    organization = Organization.objects.select_for_update().get(pk=organization.pk)
    require_visible(actor, organization, "manage")
    changed = sorted(f for f, v in changes.items() if getattr(organization, f) != v)
    for field, value in changes.items():
        setattr(organization, field, value)
    organization.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            organization.save()
    except IntegrityError:
        raise ValidationError({"name": ["Another organization already uses this name."]}) from None
    organization_updated.send(sender=Organization, organization=organization, changed=changed)
    audit.record(actor, "organization.update", organization=organization, target=organization, ip=ip,
                 changed=changed)
    return organization


@transaction.atomic
def create_organization(actor: Visitor, *, name: str, require_mfa: bool = False, ip: str | None = None) -> Organization:
    """Create a tenant; platform superusers only (its first owner accepts an ``invite_member``).

    Audit: ``organization.create``.
    """
    if not actor.is_superuser:
        raise PermissionDenied("Only platform administrators create organizations.")
    organization = Organization(name=name.strip(), require_mfa=require_mfa)
    organization.full_clean()
    organization.save()
    audit.record(actor, "organization.create", organization=organization, target=organization, ip=ip)
    return organization
