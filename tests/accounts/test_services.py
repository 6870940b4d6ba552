"""Member and token services: owner rules, restrictions, invitations."""

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from accounts import services
from accounts.invitations import invite_member
from accounts.models import AuditEvent, Invitation, User, hash_token_key
from accounts.roles import Role
from tests.support.factories import make_member, make_organization, make_site, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def org_with_owner_and_admin() -> tuple:
    org = make_organization("Org A")
    owner, admin = make_user(), make_user()
    make_member(owner, org, Role.OWNER)
    make_member(admin, org, Role.ADMIN)
    return org, owner, admin


def test_inviting_a_new_email_creates_no_account_but_sends_an_invitation(
    org_with_owner_and_admin: tuple, django_capture_on_commit_callbacks
) -> None:
    org, _, admin = org_with_owner_and_admin
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invite_member(admin, org, email="New.Person@Example.com", role=Role.VIEWER)
    assert invitation.email == "New.Person@example.com"
    assert not User.objects.filter(email__iexact="new.person@example.com").exists()
    assert len(mail.outbox) == 1
    assert "/invitations/" in mail.outbox[0].body


def test_admin_cannot_grant_owner(org_with_owner_and_admin: tuple) -> None:
    org, _, admin = org_with_owner_and_admin
    with pytest.raises(PermissionDenied):
        invite_member(admin, org, email="x@example.com", role=Role.OWNER)
    assert not Invitation.objects.exists()


def test_last_owner_cannot_be_demoted_or_removed(org_with_owner_and_admin: tuple) -> None:
    org, owner, _ = org_with_owner_and_admin
    membership = owner.memberships.get()
    with pytest.raises(ValidationError):
        services.change_member(owner, membership, role=Role.ADMIN)
    with pytest.raises(ValidationError):
        services.remove_member(owner, membership)
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_restrictions_only_for_operators_and_viewers(org_with_owner_and_admin: tuple) -> None:
    org, owner, _ = org_with_owner_and_admin
    site = make_site(org, "S")
    with pytest.raises(ValidationError):
        invite_member(owner, org, email="a@example.com", role=Role.ADMIN, sites=[site])
    invitation = invite_member(owner, org, email="v@example.com", role=Role.VIEWER, sites=[site])
    assert list(invitation.sites.all()) == [site]


def test_restriction_to_another_organizations_site_is_refused(org_with_owner_and_admin: tuple) -> None:
    org, owner, _ = org_with_owner_and_admin
    foreign_site = make_site(make_organization("Org B"), "B")
    with pytest.raises(ValidationError):
        invite_member(owner, org, email="v@example.com", role=Role.VIEWER, sites=[foreign_site])
    assert not Invitation.objects.exists()


def test_token_key_is_returned_once_and_stored_hashed(org_with_owner_and_admin: tuple) -> None:
    org, _, admin = org_with_owner_and_admin
    token, key = services.create_token(admin, org, name="NVR sync", role=Role.VIEWER)
    assert key.startswith(f"cctv_{token.prefix}_")
    assert token.key_hash == hash_token_key(key)
    assert key not in str(token.__dict__)
    services.revoke_token(admin, token)
    assert list(AuditEvent.objects.values_list("action", flat=True).order_by("pk")) == [
        "token.create",
        "token.revoke",
    ]
