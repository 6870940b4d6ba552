"""allauth's account adapter: who may sign up, and how failed logins are counted.

Failed logins are limited per account *and* client address, so an attacker
elsewhere cannot lock a person out by failing on purpose; a slower limit per
account from anywhere (``login_failed_account`` in ``ACCOUNT_RATE_LIMITS``)
is the backstop against guessing spread over many addresses.
"""

from __future__ import annotations

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import ratelimit
from django.conf import settings
from django.http import HttpRequest

# ACCOUNT_RATE_LIMITS entry of the per-account backstop (our own action name).
ACCOUNT_BACKSTOP = "login_failed_account"


def _login(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "").lower()


class PortalAccountAdapter(DefaultAccountAdapter):
    """Self sign-up only when the deployment asks for it (``CCTV_ALLOW_SIGNUP``)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.CCTV_ALLOW_SIGNUP

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth keys the "key" part of its login_failed limit with this; by
        # default the account alone, so failures from anywhere locked it.
        account = super()._get_login_attempts_cache_key(request, **credentials)
        return f"{account}|{self.get_client_ip(request)}"

    def pre_authenticate(self, request: HttpRequest, **credentials: Any) -> None:
        login = _login(credentials)
        if login and not ratelimit.consume(request, action=ACCOUNT_BACKSTOP, key=login, dry_run=True):
            raise self.validation_error("too_many_login_attempts")
        super().pre_authenticate(request, **credentials)

    def authentication_failed(self, request: HttpRequest, **credentials: Any) -> None:
        login = _login(credentials)
        if login:  # only failures count towards the backstop, like allauth's own limit
            ratelimit.consume(request, action=ACCOUNT_BACKSTOP, key=login)
