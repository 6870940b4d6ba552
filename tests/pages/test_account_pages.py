"""Account pages (sign-in, password, e-mail, MFA, recovery codes) in the portal's layout and words,
and e-mail confirmation offered where MFA set-up needs it (issue 14, first-run account flows).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.conftest import World
from tests.pages.test_auth import TOTP_SETUP, current_code, login, reach_totp_setup

# allauth's own headings and buttons, which the portal's pages replace.
ALLAUTH_WORDS = ("Change Password", "Email Addresses", "Two-Factor Authentication", "Authenticator App",
                 "Recovery Codes", "Confirm Access", "Sign Out", "Password Reset", "Reset My Password",
                 "Make Primary", "Re-send Verification")


def assert_portal_page(body: str, url: str) -> None:
    assert "/static/css/portal.css" in body, url
    for words in ALLAUTH_WORDS:
        assert words not in body, (url, words)
    assert "<script>" not in body and "onload=" not in body and "onclick=" not in body, url


@pytest.fixture
def with_app(world: World) -> str:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    secret = generate_totp_secret()
    TOTP.activate(world.viewer, secret)
    RecoveryCodes.activate(world.viewer)
    return secret


def test_signed_out_pages_speak_the_portals_words(db: None) -> None:
    for url in (reverse("account_login"), reverse("account_reset_password"), reverse("account_reset_password_done"),
                reverse("account_reset_password_from_key_done")):
        response = Client().get(url)
        assert response.status_code == 200, url
        assert_portal_page(response.content.decode(), url)


def test_signed_in_account_pages_speak_the_portals_words(world: World, with_app: str) -> None:
    client = login(world.operator, world.password)  # has no app: the set-up pages
    assert_portal_page(reach_totp_setup(client, world.password).content.decode(), TOTP_SETUP)
    for url in (reverse("mfa_index"), reverse("account_change_password"), reverse("account_email"),
                reverse("account_logout"), reverse("account_reauthenticate")):
        response = client.get(url)
        assert response.status_code == 200, (url, response.get("Location"))
        assert_portal_page(response.content.decode(), url)

    client = Client()  # has an app: the code prompt, then recovery codes and turning the app off
    client.post(reverse("account_login"), {"login": world.viewer.email, "password": world.password})
    assert_portal_page(client.get(reverse("mfa_authenticate")).content.decode(), "mfa_authenticate")
    client.post(reverse("mfa_authenticate"), {"code": current_code(with_app)})
    for name in ("mfa_index", "mfa_view_recovery_codes", "mfa_generate_recovery_codes", "mfa_deactivate_totp"):
        response = client.get(reverse(name), follow=True)
        assert response.status_code == 200, (name, response.redirect_chain)
        assert_portal_page(response.content.decode(), name)


def test_the_account_navigation_reaches_the_email_page(world: World, client_for: Callable[..., Client]) -> None:
    body = client_for(world.viewer).get(reverse("mfa_index")).content.decode()

    nav = re.search(r'<nav class="subnav" aria-label="Account">(.*?)</nav>', body, re.S).group(1)
    for name in ("mfa_index", "account_change_password", "account_email"):
        assert f'href="{reverse(name)}"' in nav, name


def test_a_member_with_an_unconfirmed_address_is_offered_a_link_and_then_enrols(
    world: World, settings  # type: ignore[no-untyped-def]
) -> None:
    settings.CCTV_PUBLIC_URL = "https://cctv.example.test"
    world.org_a.require_mfa = True
    world.org_a.save()
    # An account made in the Django admin whose address allauth recorded unconfirmed (as it does when,
    # for instance, a password reset is asked for and not finished).
    EmailAddress.objects.create(user=world.viewer, email=world.viewer.email, verified=False, primary=True)
    client = login(world.viewer, world.password)

    stuck = client.get(TOTP_SETUP, follow=True)
    if "password" in stuck.content.decode() and "reauthenticate" in stuck.redirect_chain[-1][0]:
        stuck = client.post(stuck.redirect_chain[-1][0], {"password": world.password}, follow=True)
    assert "Confirm your e-mail address first" in stuck.content.decode()
    email_page = client.get(reverse("account_email"))
    assert "Send me a confirmation link" in email_page.content.decode()
    client.post(reverse("account_email"), {"email": world.viewer.email, "action_send": ""})
    link = re.search(r"https://cctv\.example\.test(/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    client.post(link)

    assert EmailAddress.objects.filter(user=world.viewer, verified=True).exists()
    secret = reach_totp_setup(client, world.password).context["form"].secret
    client.post(TOTP_SETUP, {"code": current_code(secret)})
    assert client.get(reverse("dashboard")).status_code == 200
