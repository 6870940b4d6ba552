"""An invited member of an organization that requires two-factor authentication, in a real Chromium:
open the invitation, set a password, set up an authenticator app, reach the dashboard (issue 14).

Before, the invitation led to allauth's "Change password" page, and MFA set-up
was refused ("verify your email address") with no way on.
"""

from __future__ import annotations

import re

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail

from accounts.invitations import invite_member
from accounts.models import Membership
from accounts.roles import Role
from tests.pages.test_auth import current_code
from tests.support.factories import make_member, make_organization, make_user

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Long-enough-and-mine-7"
TOTP_SETUP = "/accounts/2fa/totp/activate/"


@pytest.fixture
def invitation_path(daphne) -> str:  # type: ignore[no-untyped-def]
    """The path of an invitation to a strict organization (created before the browser starts)."""
    organization = make_organization("Strict Org")
    inviter = make_user()
    make_member(inviter, organization, Role.OWNER)
    TOTP.activate(inviter, generate_totp_secret())
    organization.require_mfa = True
    organization.save()
    invite_member(inviter, organization, email="new.guard@example.test", role=Role.OPERATOR)
    return re.search(r"(/invitations/[^/\s]+/)", mail.outbox[-1].body).group(1)


def _activate(page) -> None:  # type: ignore[no-untyped-def]
    """Type the app's current code; once more if the 30-second window turned meanwhile."""
    for _ in range(2):
        secret = page.input_value("#authenticator_secret")
        page.fill("input[name=code]", current_code(secret))
        with page.expect_navigation():
            page.get_by_role("button", name="Activate").click()
        if TOTP_SETUP not in page.url:
            return
    raise AssertionError(f"the code was refused twice: {page.content()[-1500:]}")


def test_an_invited_member_sets_a_password_enrols_totp_and_reaches_the_dashboard(  # type: ignore[no-untyped-def]
    invitation_path, daphne, browser
) -> None:
    page = browser.new_page()

    page.goto(daphne.http_url + invitation_path)
    assert page.get_by_role("heading", name="Join Strict Org").is_visible()
    assert page.get_by_role("heading", name="Set your password").is_visible()
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password (again)").fill(PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Set password and join").click()

    assert page.url == daphne.http_url + TOTP_SETUP  # guided straight to the set-up, no password prompt
    assert page.get_by_role("heading", name="Set up an authenticator app").is_visible()
    _activate(page)
    assert page.get_by_role("heading", name="Recovery codes").is_visible()
    with page.expect_navigation():
        page.get_by_role("link", name="Go to the dashboard").click()

    assert page.url == daphne.http_url + "/"
    assert "Strict Org" in page.content()
    member = Membership.objects.get(organization__name="Strict Org", user__email="new.guard@example.test")
    assert member.role == Role.OPERATOR
    assert Authenticator.objects.filter(user=member.user, type=Authenticator.Type.TOTP).exists()
    page.close()
