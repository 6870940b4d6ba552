"""Invitation e-mails for people added by an organization admin.

The new account has no password; the e-mail carries allauth's password-reset
link, so the invitee chooses one through the normal, rate-limited flow.
"""

from __future__ import annotations

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse

from accounts.models import Organization, User


def invitation_link(user: User, base_url: str | None = None) -> str:
    path = reverse(
        "account_reset_password_from_key",
        kwargs={"uidb36": user_pk_to_url_str(user), "key": default_token_generator.make_token(user)},
    )
    return (base_url or settings.CCTV_PUBLIC_URL).rstrip("/") + path


def send_invitation(user: User, organization: Organization, base_url: str | None = None) -> None:
    link = invitation_link(user, base_url)
    send_mail(
        subject=f"You have been added to {organization.name} on the CCTV portal",
        message=(
            f"Hello,\n\nYou now have access to {organization.name}'s cameras.\n"
            f"Choose your password here to sign in:\n\n{link}\n\n"
            "If you did not expect this e-mail, you can ignore it.\n"
        ),
        from_email=None,
        recipient_list=[user.email],
    )
