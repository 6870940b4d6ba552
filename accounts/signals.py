"""Receivers for events with no service of ours in between.

Login and MFA changes are Django/allauth events: each is audited once per
organization the user belongs to, so every admin concerned sees it.

Accounts are deactivated or deleted in the Django admin, the shell or by
other code, not through a service: the receivers at the end retire the API
tokens such a person created at once (``accounts.api_auth`` refuses them on
every call anyway, for changes that skip signals, such as ``update()``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.account import signals as account_signals
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import post_save, pre_delete, pre_save
from django.dispatch import receiver

from accounts import audit

if TYPE_CHECKING:
    from accounts.models import User


def _record_for_user_orgs(user: User, action: str, request: Any, **detail: Any) -> None:
    ip = audit.client_ip(request)
    org_ids: list[int | None] = list(user.memberships.values_list("organization_id", flat=True)) if user else []
    for org_id in org_ids or [None]:
        audit.record(user, action, organization=org_id, target=user, ip=ip, **detail)


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    _record_for_user_orgs(user, "auth.login", request)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        _record_for_user_orgs(user, "auth.logout", request)


@receiver(user_login_failed)
def audit_login_failed(sender: Any, credentials: dict, request: Any = None, **kwargs: Any) -> None:
    login = str(credentials.get("email") or credentials.get("username") or "")[:200]
    user = get_user_model().objects.filter(email__iexact=login).first() if login else None
    if user is None:
        audit.record(None, "auth.login_failed", organization=None, ip=audit.client_ip(request), login=login)
        return
    _record_for_user_orgs(user, "auth.login_failed", request)


@receiver(mfa_signals.authenticator_added)
def audit_mfa_added(sender: Any, request: Any, user: User, authenticator: Any, **kwargs: Any) -> None:
    _record_for_user_orgs(user, "mfa.added", request, type=authenticator.type)


@receiver(mfa_signals.authenticator_removed)
def audit_mfa_removed(sender: Any, request: Any, user: User, authenticator: Any, **kwargs: Any) -> None:
    _record_for_user_orgs(user, "mfa.removed", request, type=authenticator.type)


@receiver(mfa_signals.authenticator_reset)
def audit_mfa_reset(sender: Any, request: Any, user: User, authenticator: Any, **kwargs: Any) -> None:
    _record_for_user_orgs(user, "mfa.reset", request, type=authenticator.type)


@receiver(account_signals.password_reset)
def reset_link_proves_the_address(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    """The reset link went to the account's address: count it as verified (allauth wants that before MFA)."""
    from accounts.invitations import mark_address_verified

    mark_address_verified(user)


# --- API tokens follow their creator's account ----------------------------------------------


@receiver(pre_save, sender=get_user_model())
def remember_account_standing(sender: Any, instance: Any, **kwargs: Any) -> None:
    """Note whether the saved account was active (and superuser) before this save."""
    update_fields = kwargs.get("update_fields")
    if not instance.pk or (update_fields is not None and not {"is_active", "is_superuser"} & set(update_fields)):
        instance._standing_before = None  # e.g. last_login on every sign-in: nothing to compare
        return
    instance._standing_before = sender.objects.filter(pk=instance.pk).values("is_active", "is_superuser").first()


@receiver(post_save, sender=get_user_model())
def fit_tokens_after_account_change(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_standing_before", None)
    if created or before is None:
        return
    if before["is_active"] and not instance.is_active:
        _fit_tokens(instance, "its creator's account was deactivated")
    elif before["is_superuser"] and not instance.is_superuser:
        _fit_tokens(instance, "its creator is no longer a platform administrator")


@receiver(pre_delete, sender=get_user_model())
def retire_tokens_of_deleted_account(sender: Any, instance: Any, **kwargs: Any) -> None:
    from accounts.models import APIToken
    from accounts.services import retire_token

    for token in APIToken.objects.active().filter(created_by_id=instance.pk):
        retire_token(token, reason="its creator's account was deleted")


def _fit_tokens(user: User, reason: str) -> None:
    from accounts.services import fit_tokens_to_creator

    fit_tokens_to_creator(user, reason=reason)
