"""Audit receivers for authentication and MFA events.

Login and MFA changes are Django/allauth events with no service of ours in
between, so receivers are the right hook here. Each event is written once
per organization the user belongs to, so every admin concerned sees it.
"""

from __future__ import annotations

from typing import Any

from allauth.mfa import signals as mfa_signals
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from accounts import audit


def _record_for_user_orgs(user: Any, action: str, request: Any, **detail: Any) -> None:
    ip = audit.client_ip(request)
    org_ids = list(user.memberships.values_list("organization_id", flat=True)) if user else []
    for org_id in org_ids or [None]:
        audit.record(user, action, organization=org_id, target=user, ip=ip, **detail)


@receiver(user_logged_in)
def audit_login(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    _record_for_user_orgs(user, "auth.login", request)


@receiver(user_logged_out)
def audit_logout(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
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
def audit_mfa_added(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    _record_for_user_orgs(user, "mfa.added", request, type=authenticator.type)


@receiver(mfa_signals.authenticator_removed)
def audit_mfa_removed(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    _record_for_user_orgs(user, "mfa.removed", request, type=authenticator.type)


@receiver(mfa_signals.authenticator_reset)
def audit_mfa_reset(sender: Any, request: Any, user: Any, authenticator: Any, **kwargs: Any) -> None:
    _record_for_user_orgs(user, "mfa.reset", request, type=authenticator.type)
