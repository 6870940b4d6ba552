"""Invitations: what the inviter sees, and the invited person's side (accept, set a password, decline).

Regression (issue 10): adding a member by e-mail silently enrolled an
existing account of another organization, and the audit entry
(``new_account: false``) told the inviter the address had an account. Now
every address gets an invitation it must accept, and nothing the inviter
sees depends on whether the address exists.

Issue 14: the invited person sets their password on a page that says so,
e-mails name the portal by its configured name and address, and the link
counts as a verified address, so MFA enrolment works from a fresh account.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services
from accounts.invitations import invite_member
from accounts.models import AuditEvent, Invitation, Membership, User
from accounts.roles import Role
from tests.conftest import World
from tests.support.factories import make_user

NEW_PASSWORD = "Plenty-of-Words-42"
TOTP_SETUP = "/accounts/2fa/totp/activate/"


def link_in(message: Any) -> str:
    """The invitation link's path in an e-mail, after checking it starts with the public URL."""
    found = re.search(r"(https?://\S+?)(/invitations/[^/\s]+/)", message.body)
    assert found, message.body
    assert found.group(1) == "https://cctv.example.test"
    return found.group(2)


@pytest.fixture(autouse=True)
def _public_address(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CCTV_PUBLIC_URL = "https://cctv.example.test"
    settings.CCTV_PORTAL_NAME = "Acme Watch"


def _invite(world: World, email: str, capture: Callable, **fields: Any) -> str:
    with capture(execute=True):
        invite_member(world.admin, world.org_a, email=email, role=fields.pop("role", Role.VIEWER), **fields)
    return link_in(mail.outbox[-1])


# --- what the inviter sees does not depend on the address having an account ---------------------


def _inviter_view_through_pages(world: World, client: Client, email: str, capture: Callable) -> dict:
    with capture(execute=True):
        response = client.post(reverse("member_add"), {"email": email, "role": Role.VIEWER}, follow=True)
    page = response.content.decode().replace(email, "<address>")
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
    page = re.sub(r"/members/invitations/[0-9a-f-]+/", "<invitation>", page)
    event = AuditEvent.objects.filter(action__startswith="member.").latest("pk")
    message = mail.outbox[-1]
    return {
        "status": [(url, code) for url, code in response.redirect_chain],
        "page": re.sub(r"<time[^>]*>[^<]*</time>", "", page),
        "audit": (event.action, event.actor_id, event.target_type,
                  {k: v for k, v in event.detail.items() if k != "email"}),
        "mail": (message.subject, re.sub(r"/invitations/[^/\s]+/", "<link>", message.body.replace(email, "<address>"))),
        "members": Membership.objects.filter(organization=world.org_a).count(),
    }


def test_the_inviters_pages_audit_and_mail_are_the_same_for_existing_and_new_addresses(
    world: World, client_for: Callable, django_capture_on_commit_callbacks: Callable
) -> None:
    client = client_for(world.admin)

    existing = _inviter_view_through_pages(world, client, world.admin_b.email, django_capture_on_commit_callbacks)
    Invitation.objects.update(revoked_at=timezone.now())  # only the second one shows as pending below
    new = _inviter_view_through_pages(world, client, "nobody-yet@example.test", django_capture_on_commit_callbacks)

    assert existing == new
    assert existing["audit"][0] == "member.invite" and "new_account" not in existing["audit"][3]
    assert not Membership.objects.filter(user=world.admin_b, organization=world.org_a).exists()


def test_the_api_answer_is_the_same_for_existing_and_new_addresses(world: World) -> None:
    client = APIClient()
    client.force_login(world.admin)

    def invite(email: str) -> tuple[int, dict]:
        response = client.post("/api/v1/members/", {"organization": world.org_a.pk, "email": email,
                                                    "role": "viewer"}, format="json")  # fmt: skip
        body = response.json()
        return response.status_code, {k: v for k, v in body.items() if k not in ("id", "email", "created_at",
                                                                                  "expires_at")}

    assert invite(world.admin_b.email) == invite("nobody-yet@example.test")
    assert not Membership.objects.filter(user=world.admin_b, organization=world.org_a).exists()


# --- an address with an account: sign in, see the organization and role, accept or decline ------------


def test_an_existing_account_signs_in_sees_the_offer_and_accepts(
    world: World, django_capture_on_commit_callbacks: Callable
) -> None:
    link = _invite(world, world.admin_b.email, django_capture_on_commit_callbacks, role=Role.OPERATOR,
                   sites=[world.site_a2])
    client = Client()

    anonymous = client.get(link, follow=True)
    assert "Sign in to accept" in anonymous.content.decode()
    assert not Membership.objects.filter(user=world.admin_b, organization=world.org_a).exists()
    client.post(reverse("account_login"), {"login": world.admin_b.email, "password": world.password})
    offer = client.get(reverse("invitation_respond")).content.decode()
    assert "Org A" in offer and "operator" in offer and world.site_a2.name in offer

    response = client.post(reverse("invitation_respond"), {"answer": "accept"})

    assert response["Location"] == reverse("dashboard")
    membership = Membership.objects.get(user=world.admin_b, organization=world.org_a)
    assert (membership.role, list(membership.sites.all())) == (Role.OPERATOR, [world.site_a2])
    assert AuditEvent.objects.get(action="member.add", organization=world.org_a).actor == world.admin_b
    assert Invitation.objects.get().status == "accepted"


def test_the_invited_person_may_decline(world: World, django_capture_on_commit_callbacks: Callable) -> None:
    link = _invite(world, world.admin_b.email, django_capture_on_commit_callbacks)
    client = Client()
    client.get(link)

    response = client.post(reverse("invitation_respond"), {"answer": "decline"})

    assert "Invitation declined" in response.content.decode()
    assert Invitation.objects.get().status == "declined"
    assert not Membership.objects.filter(user=world.admin_b, organization=world.org_a).exists()
    assert AuditEvent.objects.get(action="invitation.decline").actor_label == world.admin_b.email
    assert Client().get(link, follow=True).status_code == 404


def test_someone_signed_in_with_another_account_cannot_accept(
    world: World, client_for: Callable, django_capture_on_commit_callbacks: Callable
) -> None:
    link = _invite(world, "someone.else@example.test", django_capture_on_commit_callbacks)
    client = client_for(world.outsider)
    client.get(link)

    page = client.get(reverse("invitation_respond")).content.decode()
    client.post(reverse("invitation_respond"), {"answer": "accept"})

    assert "sign out and sign in as someone.else@example.test" in page
    assert not Membership.objects.filter(user=world.outsider).exists()
    assert Invitation.objects.get().status == "pending"


# --- a new address: the page says "set your password", then the person is in ---------------------------


def test_a_new_address_sets_a_password_on_a_page_that_says_so_and_joins(
    world: World, django_capture_on_commit_callbacks: Callable
) -> None:
    link = _invite(world, "fresh@example.test", django_capture_on_commit_callbacks, cameras=[world.camera_a2])
    client = Client()

    page = client.get(link, follow=True).content.decode()
    assert "Set your password" in page and "Change password" not in page
    response = client.post(reverse("invitation_respond"),
                           {"answer": "accept", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert response["Location"] == reverse("dashboard")
    user = User.objects.get(email="fresh@example.test")
    assert user.check_password(NEW_PASSWORD)
    assert list(Membership.objects.get(user=user).cameras.all()) == [world.camera_a2]
    assert EmailAddress.objects.filter(user=user, email="fresh@example.test", verified=True, primary=True).exists()
    assert client.get(reverse("dashboard")).status_code == 200  # signed in


def test_a_weak_or_mismatched_password_is_refused_with_a_message(
    world: World, django_capture_on_commit_callbacks: Callable
) -> None:
    link = _invite(world, "fresh@example.test", django_capture_on_commit_callbacks)
    client = Client()
    client.get(link)

    weak = client.post(reverse("invitation_respond"), {"answer": "accept", "password1": "12345678",
                                                       "password2": "12345678"})  # fmt: skip
    differ = client.post(reverse("invitation_respond"), {"answer": "accept", "password1": NEW_PASSWORD,
                                                         "password2": NEW_PASSWORD + "x"})  # fmt: skip

    assert "too common" in weak.content.decode() or "entirely numeric" in weak.content.decode()
    assert "The two passwords differ." in differ.content.decode()
    assert not User.objects.filter(email="fresh@example.test").exists()


def test_an_account_that_never_had_a_password_sets_one_through_the_invitation(
    world: World, django_capture_on_commit_callbacks: Callable
) -> None:
    dormant = User.objects.create_user(email="dormant@example.test", password=None)
    link = _invite(world, "dormant@example.test", django_capture_on_commit_callbacks)
    client = Client()
    client.get(link)

    client.post(reverse("invitation_respond"), {"answer": "accept", "password1": NEW_PASSWORD,
                                                "password2": NEW_PASSWORD})  # fmt: skip

    dormant.refresh_from_db()
    assert dormant.check_password(NEW_PASSWORD)
    assert Membership.objects.filter(user=dormant, organization=world.org_a).exists()


def test_an_account_with_a_password_cannot_have_it_replaced_through_the_link(
    world: World, django_capture_on_commit_callbacks: Callable
) -> None:
    link = _invite(world, world.admin_b.email, django_capture_on_commit_callbacks)
    client = Client()
    client.get(link)

    client.post(reverse("invitation_respond"), {"answer": "accept", "password1": NEW_PASSWORD,
                                                "password2": NEW_PASSWORD})  # fmt: skip

    world.admin_b.refresh_from_db()
    assert world.admin_b.check_password(world.password)
    assert not Membership.objects.filter(user=world.admin_b, organization=world.org_a).exists()


# --- links that no longer work ---------------------------------------------------------------------------


def test_expired_withdrawn_and_unknown_links_say_so(world: World, django_capture_on_commit_callbacks: Callable) -> None:
    expired = _invite(world, "old@example.test", django_capture_on_commit_callbacks)
    Invitation.objects.filter(email="old@example.test").update(expires_at=timezone.now() - timedelta(minutes=1))
    withdrawn = _invite(world, "gone@example.test", django_capture_on_commit_callbacks)
    Invitation.objects.filter(email="gone@example.test").update(revoked_at=timezone.now())

    for link in (expired, withdrawn, "/invitations/not-a-real-key/"):
        response = Client().get(link, follow=True)
        assert response.status_code == 404, link
        assert "This invitation is no longer valid" in response.content.decode()


def test_an_invitation_does_not_outlive_its_inviters_rights(
    world: World, django_capture_on_commit_callbacks: Callable
) -> None:
    link = _invite(world, "fresh@example.test", django_capture_on_commit_callbacks)
    services.change_member(world.owner, world.membership(world.admin), role=Role.VIEWER)
    client = Client()
    client.get(link)

    response = client.post(reverse("invitation_respond"), {"answer": "accept", "password1": NEW_PASSWORD,
                                                           "password2": NEW_PASSWORD})  # fmt: skip

    assert "no longer valid" in response.content.decode()
    assert not Membership.objects.filter(user__email="fresh@example.test").exists()


def test_an_invitation_made_with_an_api_token_can_be_accepted_while_the_token_lives(
    world: World, django_capture_on_commit_callbacks: Callable
) -> None:
    token, key = services.create_token(world.owner, world.org_a, name="HR sync", role=Role.ADMIN)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    with django_capture_on_commit_callbacks(execute=True):
        for email in ("first@example.test", "second@example.test"):
            body = {"organization": world.org_a.pk, "email": email, "role": "viewer"}
            assert api.post("/api/v1/invitations/", body, format="json").status_code == 201
    first, second = (link_in(message) for message in mail.outbox[-2:])

    def join(link: str) -> None:
        client = Client()
        client.get(link)
        client.post(reverse("invitation_respond"), {"answer": "accept", "password1": NEW_PASSWORD,
                                                    "password2": NEW_PASSWORD})  # fmt: skip

    join(first)
    services.revoke_token(world.owner, token)
    join(second)

    joined = Membership.objects.filter(organization=world.org_a, user__email__in=["first@example.test",
                                                                                  "second@example.test"])
    assert [m.user.email for m in joined] == ["first@example.test"]


def test_inviting_an_existing_member_is_refused(world: World) -> None:
    with pytest.raises(Exception, match="already a member"):
        invite_member(world.admin, world.org_a, email=world.viewer.email.upper(), role=Role.VIEWER)


# --- e-mails name the portal, never the request's host ---------------------------------------------------


def test_the_invitation_mail_names_the_portal_and_its_public_address(
    world: World, client_for: Callable, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        client_for(world.admin).post(reverse("member_add"), {"email": "fresh@example.test", "role": Role.VIEWER},
                                     HTTP_HOST="127.0.0.1")
    message = mail.outbox[-1]

    assert message.subject == "Invitation to Org A on Acme Watch"
    assert "Acme Watch (https://cctv.example.test)" in message.body
    assert "testserver" not in message.body and "127.0.0.1" not in message.body
    link_in(message)


def test_the_password_reset_mail_names_the_portal_and_its_public_address(world: World) -> None:
    Client(HTTP_HOST="127.0.0.1").post(reverse("account_reset_password"), {"email": world.viewer.email})
    message = mail.outbox[-1]

    assert message.subject == "[Acme Watch] Choose a new password"
    assert "https://cctv.example.test/accounts/password/reset/key/" in message.body
    assert "127.0.0.1" not in message.body and "testserver" not in message.body
    assert "Acme Watch" in message.body


def test_a_password_reset_link_counts_as_a_verified_address(world: World) -> None:
    person = make_user("made.by.admin@example.test")
    Client().post(reverse("account_reset_password"), {"email": person.email})
    link = re.search(r"https://cctv\.example\.test(/accounts/password/reset/key/\S+)", mail.outbox[-1].body).group(1)
    client = Client()
    form_url = client.get(link)["Location"]

    page = client.get(form_url).content.decode()
    client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})

    assert "Choose a new password" in page and "Change Password" not in page
    assert EmailAddress.objects.filter(user=person, verified=True).exists()


# --- MFA enrolment works from a fresh account ---------------------------------------------------------------


def test_an_invited_member_of_a_strict_organization_is_guided_to_enrol_and_can(
    world: World, django_capture_on_commit_callbacks: Callable
) -> None:
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.pages.test_auth import current_code

    TOTP.activate(world.admin, generate_totp_secret())  # the inviter of a strict organization has MFA
    world.org_a.require_mfa = True
    world.org_a.save()
    link = _invite(world, "fresh@example.test", django_capture_on_commit_callbacks)
    client = Client()
    client.get(link)

    joined = client.post(reverse("invitation_respond"),
                         {"answer": "accept", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)

    assert joined.redirect_chain[-1][0] == TOTP_SETUP
    secret = joined.context["form"].secret
    activated = client.post(TOTP_SETUP, {"code": current_code(secret)}, follow=True)
    assert activated.status_code == 200
    assert client.get(reverse("dashboard")).status_code == 200
