"""allauth's account adapter: who may sign up, how failed logins count, what e-mails say.

Failed logins are limited per account *and* client address, so an attacker
elsewhere cannot lock a person out by failing on purpose; a slower limit per
account from anywhere (``login_failed_account`` in ``ACCOUNT_RATE_LIMITS``)
is the backstop against guessing spread over many addresses.

E-mails (password reset, address confirmation, notices) name the portal by
``CCTV_PORTAL_NAME`` and link to ``CCTV_PUBLIC_URL``, never to the host name
the request that triggered them happened to carry.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from allauth.core import ratelimit
from allauth.mfa.adapter import DefaultMFAAdapter
from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

# ACCOUNT_RATE_LIMITS entry of the per-account backstop (our own action name).
ACCOUNT_BACKSTOP = "login_failed_account"


@dataclass(frozen=True)
class PortalSite:
    """What allauth's e-mail templates call ``current_site``: the portal's configured name and address."""

    name: str
    domain: str


def portal_site() -> PortalSite:
    return PortalSite(settings.CCTV_PORTAL_NAME, urlsplit(settings.CCTV_PUBLIC_URL).netloc)


def public_url(path: str) -> str:
    return settings.CCTV_PUBLIC_URL.rstrip("/") + path


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

    # --- e-mails ------------------------------------------------------------------------

    def format_email_subject(self, subject: str) -> str:
        return f"[{settings.CCTV_PORTAL_NAME}] {subject}"

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        ctx = {
            "request": allauth_context.request, "email": email, "current_site": portal_site(),
            "public_url": settings.CCTV_PUBLIC_URL, **context,
        }  # fmt: skip
        self.render_mail(template_prefix, email, ctx).send()

    def get_reset_password_from_key_url(self, key: str) -> str:
        # allauth hands one opaque "<uid>-<token>" key; its URL pattern has them apart.
        path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
        return public_url(path.replace("UID-KEY", quote(key)))

    def get_email_confirmation_url(self, request: HttpRequest, emailconfirmation: Any) -> str:
        return public_url(reverse("account_confirm_email", args=[emailconfirmation.key]))


class PortalMFAAdapter(DefaultMFAAdapter):
    """allauth's MFA adapter, with the portal's words where a person gets stuck."""

    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "unverified_email": "Confirm your e-mail address first: on the E-mail page of your account, "
        "send yourself a confirmation link and open it. Then set up the app.",
    }
