"""Sign-in, sign-up, logout and two-factor pages (allauth) inside the portal.

Logins here go through the real login form, so allauth records the
authentication the way it does for a person.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, User
from tests.conftest import World

PORTAL_PAGES = ("dashboard", "site_list", "member_list", "token_list", "audit_log", "organization_settings")
TOTP_SETUP = "/accounts/2fa/totp/activate/"


def login(user: User, password: str) -> Client:
    client = Client()
    response = client.post(reverse("account_login"), {"login": user.email, "password": password})
    assert response.status_code == 302, response.content.decode()[:500]
    return client


def reach_totp_setup(client: Client, password: str) -> object:
    """Open the TOTP setup page, confirming the password when allauth asks for it first."""
    response = client.get(TOTP_SETUP)
    if response.status_code == 302 and response["Location"].startswith(reverse("account_reauthenticate")):
        prompt = client.get(response["Location"])
        assert prompt.status_code == 200 and b'name="password"' in prompt.content
        response = client.post(response["Location"], {"password": password}, follow=True)
    assert response.status_code == 200
    return response


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, int(time.time()) // 30))


# --- allauth pages look like the portal -------------------------------------------------


@pytest.mark.parametrize(
    "url", ["/accounts/login/", "/accounts/signup/", "/accounts/password/reset/"]
)
def test_entrance_pages_use_the_portal_layout(db: None, url: str) -> None:
    response = Client().get(url)

    assert response.status_code == 200
    body = response.content.decode()
    assert "/static/css/portal.css" in body
    assert 'class="card auth-card"' in body


def test_account_pages_use_the_portal_layout_with_navigation(world: World) -> None:
    client = login(world.admin, world.password)

    for url in ("/accounts/2fa/", TOTP_SETUP, "/accounts/password/change/", "/accounts/logout/"):
        body = client.get(url, follow=True).content.decode()
        assert "/static/css/portal.css" in body, url
        assert f'href="{reverse("member_list")}"' in body, url


def test_signup_is_closed_by_default(db: None) -> None:
    client = Client()

    page = client.get(reverse("account_signup"))
    client.post(reverse("account_signup"), {"email": "me@example.test", "password1": "x-Long-pass-1",
                                            "password2": "x-Long-pass-1"})

    assert "Sign-up is closed" in page.content.decode()
    assert not User.objects.filter(email="me@example.test").exists()


def test_login_page_offers_password_reset_but_no_signup(db: None) -> None:
    body = Client().get(reverse("account_login")).content.decode()

    assert reverse("account_reset_password") in body
    assert reverse("account_signup") not in body


# --- login, failed login and logout are audited --------------------------------------


def test_login_and_failed_login_are_audited(world: World) -> None:
    Client().post(reverse("account_login"), {"login": world.viewer.email, "password": "wrong-password"})
    login(world.viewer, world.password)

    failed = AuditEvent.objects.get(action="auth.login_failed", organization=world.org_a)
    ok = AuditEvent.objects.get(action="auth.login", organization=world.org_a)
    assert failed.actor == ok.actor == world.viewer
    assert ok.ip_address == "127.0.0.1"


def test_failed_login_names_no_account(db: None) -> None:
    response = Client().post(reverse("account_login"), {"login": "nobody@example.test", "password": "whatever-1"})

    assert response.status_code == 200
    assert "field-errors" in response.content.decode() or "alert-error" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login_failed", detail__login="nobody@example.test").exists()


def test_logout_is_a_post(world: World) -> None:
    client = login(world.viewer, world.password)

    assert client.get(reverse("account_logout")).status_code == 200
    assert client.get(reverse("dashboard")).status_code == 200
    client.post(reverse("account_logout"))

    assert client.get(reverse("dashboard")).status_code == 302
    assert AuditEvent.objects.filter(action="auth.logout", actor=world.viewer).exists()


# --- organizations that require MFA ---------------------------------------------------------


@pytest.fixture
def mfa_required(world: World) -> World:
    world.org_a.require_mfa = True
    world.org_a.save()
    return world


def test_member_without_totp_is_sent_to_setup_from_every_page(mfa_required: World, client_for: Callable) -> None:
    client = login(mfa_required.admin, mfa_required.password)

    for name in PORTAL_PAGES:
        response = client.get(reverse(name))
        assert response.status_code == 302, name
        assert response["Location"] == TOTP_SETUP
    camera_page = client.get(reverse("camera_detail", args=[mfa_required.camera_a1.public_id]))
    assert camera_page["Location"] == TOTP_SETUP
    assert "form" in reach_totp_setup(client, mfa_required.password).context


def test_refused_post_while_mfa_missing_changes_nothing(mfa_required: World) -> None:
    client = login(mfa_required.admin, mfa_required.password)

    response = client.post(reverse("site_create"), {"name": "Sneaked in", "timezone": "UTC"})

    assert response["Location"] == TOTP_SETUP
    assert not mfa_required.org_a.sites.filter(name="Sneaked in").exists()


def test_member_activates_totp_and_then_uses_the_portal(mfa_required: World) -> None:
    client = login(mfa_required.viewer, mfa_required.password)
    secret = reach_totp_setup(client, mfa_required.password).context["form"].secret

    response = client.post(TOTP_SETUP, {"code": current_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=mfa_required.viewer, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("dashboard")).status_code == 200
    # Recovery codes come with the first authenticator; their page is in the portal layout too.
    codes = client.get(reverse("mfa_view_recovery_codes"))
    assert codes.status_code == 200 and "/static/css/portal.css" in codes.content.decode()


def test_member_with_totp_uses_the_portal_and_is_asked_for_a_code_at_login(mfa_required: World) -> None:
    secret = generate_totp_secret()
    TOTP.activate(mfa_required.operator, secret)

    client = Client()
    response = client.post(reverse("account_login"),
                           {"login": mfa_required.operator.email, "password": mfa_required.password})
    assert response["Location"] == reverse("mfa_authenticate")
    stage = client.get(reverse("mfa_authenticate"))
    assert "/static/css/portal.css" in stage.content.decode()
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})

    assert response.status_code == 302
    for name in PORTAL_PAGES[:2]:
        assert client.get(reverse(name)).status_code == 200


def test_password_prompt_before_totp_setup_is_reachable(mfa_required: World, client_for: Callable) -> None:
    """Regression: allauth asks for the password before TOTP setup; the MFA rule used to bounce that page
    back to the setup page, an endless redirect loop."""
    client = client_for(mfa_required.viewer)

    setup = client.get(TOTP_SETUP)
    assert setup.status_code == 302
    prompt = client.get(setup["Location"])

    assert prompt.status_code == 200
    assert b'name="password"' in prompt.content


def test_members_of_other_organizations_are_not_affected(mfa_required: World) -> None:
    client = login(mfa_required.admin_b, mfa_required.password)

    assert client.get(reverse("dashboard")).status_code == 200
