"""Organization, membership, token, audit and user admin: writes through accounts.services."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import AuditEvent, Invitation, Membership, Organization, User
from accounts.roles import Role
from tests.admin.conftest import staff
from tests.conftest import World

INVITATION_ADD = reverse("admin:accounts_invitation_add")


def membership_url(membership: Membership, view: str = "change") -> str:
    return reverse(f"admin:accounts_membership_{view}", args=[membership.pk])


def test_admin_invites_a_person_through_the_service(
    world: World, admin_a: Client, django_capture_on_commit_callbacks: Callable
) -> None:
    data = {"email": "new.guard@a.example.test", "organization": world.org_a.pk, "role": Role.VIEWER,
            "sites": [world.site_a1.pk]}

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_a.post(INVITATION_ADD, data)

    assert response.status_code == 302
    invitation = Invitation.objects.get(email="new.guard@a.example.test")
    assert (invitation.organization, invitation.role, invitation.invited_by) == (world.org_a, Role.VIEWER, world.admin)
    assert list(invitation.sites.all()) == [world.site_a1]
    assert not Membership.objects.filter(user__email="new.guard@a.example.test").exists()
    assert AuditEvent.objects.filter(action="member.invite", actor=world.admin, organization=world.org_a).count() == 1
    assert [m.to for m in mail.outbox] == [["new.guard@a.example.test"]]
    shown = admin_a.get(reverse("admin:accounts_invitation_change", args=[invitation.pk]))
    assert shown.status_code == 200 and "new.guard@a.example.test" in shown.content.decode()


def test_memberships_are_not_added_in_the_admin(admin_a: Client) -> None:
    assert admin_a.get(reverse("admin:accounts_membership_add")).status_code == 403


@pytest.mark.parametrize("foreign", ["organization", "site", "camera"])
def test_invitation_cannot_name_another_tenants_rows(world: World, admin_a: Client, foreign: str) -> None:
    data = {"email": "x@a.example.test", "organization": world.org_a.pk, "role": Role.VIEWER}
    data |= {
        "organization": {"organization": world.org_b.pk},
        "site": {"sites": [world.site_b.pk]},
        "camera": {"cameras": [world.camera_b.pk]},
    }[foreign]

    response = admin_a.post(INVITATION_ADD, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert not Invitation.objects.exists()
    assert "Org B" not in response.content.decode()


def test_admin_cannot_grant_the_owner_role(world: World, admin_a: Client) -> None:
    membership = world.membership(world.viewer)

    response = admin_a.post(membership_url(membership), {"role": Role.OWNER})

    assert response.status_code == 200
    assert "Only an owner" in str(response.context["adminform"].form.non_field_errors())
    membership.refresh_from_db()
    assert membership.role == Role.VIEWER
    assert not AuditEvent.objects.filter(action="member.update").exists()


def test_admin_changes_a_members_role_and_limits(world: World, admin_a: Client) -> None:
    membership = world.membership(world.viewer)

    response = admin_a.post(membership_url(membership), {"role": Role.OPERATOR, "cameras": [world.camera_a2.pk]})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.OPERATOR
    assert list(membership.cameras.all()) == [world.camera_a2]
    assert AuditEvent.objects.get(action="member.update").detail["old_role"] == Role.VIEWER


def test_change_form_offers_only_the_members_organization(world: World, superuser: User, client_for: Callable) -> None:
    response = client_for(superuser).get(membership_url(world.membership(world.viewer)))

    form = response.context["adminform"].form
    assert set(form.fields["sites"].queryset) == {world.site_a1, world.site_a2}
    assert world.camera_b not in form.fields["cameras"].queryset


def test_removing_the_last_owner_is_refused_with_a_message(world: World, client_for: Callable) -> None:
    client = client_for(staff(world.owner))
    membership = world.membership(world.owner)

    response = client.post(membership_url(membership, "delete"), {"post": "yes"}, follow=True)

    assert "at least one owner" in response.content.decode()
    assert Membership.objects.filter(pk=membership.pk).exists()
    assert not AuditEvent.objects.filter(action="member.remove").exists()


def test_bulk_removal_is_all_or_nothing(world: World, client_for: Callable) -> None:
    client = client_for(staff(world.owner))
    owner, viewer = world.membership(world.owner), world.membership(world.viewer)
    data = {"action": "delete_selected", "_selected_action": [viewer.pk, owner.pk], "post": "yes"}

    response = client.post(reverse("admin:accounts_membership_changelist"), data, follow=True)

    assert "at least one owner" in response.content.decode()
    assert Membership.objects.filter(pk__in=[owner.pk, viewer.pk]).count() == 2
    assert not AuditEvent.objects.filter(action="member.remove").exists()


def test_bulk_removal_goes_through_the_service(world: World, admin_a: Client) -> None:
    viewer, operator = world.membership(world.viewer), world.membership(world.operator)
    data = {"action": "delete_selected", "_selected_action": [viewer.pk, operator.pk], "post": "yes"}

    response = admin_a.post(reverse("admin:accounts_membership_changelist"), data)

    assert response.status_code == 302
    assert not Membership.objects.filter(pk__in=[viewer.pk, operator.pk]).exists()
    assert AuditEvent.objects.filter(action="member.remove", actor=world.admin).count() == 2


def test_revoke_action_revokes_own_tokens_only(world: World, admin_a: Client) -> None:
    token_a, key_a = services.create_token(world.owner, world.org_a, name="A integration", role="viewer")
    token_b, _ = services.create_token(world.admin_b, world.org_b, name="B integration", role="viewer")
    data = {"action": "revoke_tokens", "_selected_action": [token_a.pk, token_b.pk]}

    response = admin_a.post(reverse("admin:accounts_apitoken_changelist"), data)
    page = admin_a.get(reverse("admin:accounts_apitoken_change", args=[token_a.pk])).content.decode()

    assert response.status_code == 302
    token_a.refresh_from_db()
    token_b.refresh_from_db()
    assert (token_a.is_active, token_b.is_active) == (False, True)
    assert AuditEvent.objects.filter(action="token.revoke", organization=world.org_a).count() == 1
    assert key_a not in page and token_a.key_hash not in page


def test_tokens_are_not_created_edited_or_deleted_in_the_admin(world: World, admin_a: Client) -> None:
    token, _ = services.create_token(world.owner, world.org_a, name="A integration", role="viewer")

    add = admin_a.get(reverse("admin:accounts_apitoken_add"))
    change = admin_a.post(reverse("admin:accounts_apitoken_change", args=[token.pk]), {"name": "renamed"})
    delete = admin_a.post(reverse("admin:accounts_apitoken_delete", args=[token.pk]), {"post": "yes"})

    assert (add.status_code, change.status_code, delete.status_code) == (403, 403, 403)
    token.refresh_from_db()
    assert token.name == "A integration"


def test_audit_trail_is_read_only(world: World, admin_a: Client) -> None:
    services.update_organization(world.admin, world.org_a, name="Org A renamed")
    event = AuditEvent.objects.get(action="organization.update")
    change_url = reverse("admin:accounts_auditevent_change", args=[event.pk])

    view = admin_a.get(change_url)
    edit = admin_a.post(change_url, {"action": "forged"})
    delete = admin_a.post(reverse("admin:accounts_auditevent_delete", args=[event.pk]), {"post": "yes"})
    add = admin_a.get(reverse("admin:accounts_auditevent_add"))

    assert view.status_code == 200
    assert (edit.status_code, delete.status_code, add.status_code) == (403, 403, 403)
    event.refresh_from_db()
    assert event.action == "organization.update"


def test_org_admin_renames_own_organization_but_cannot_create_one(world: World, admin_a: Client) -> None:
    url = reverse("admin:accounts_organization_change", args=[world.org_a.pk])

    add = admin_a.get(reverse("admin:accounts_organization_add"))
    renamed = admin_a.post(url, {"name": "Org A Security", "require_mfa": "on"})

    assert renamed.status_code == 302
    world.org_a.refresh_from_db()
    assert (world.org_a.name, world.org_a.require_mfa) == ("Org A Security", True)
    assert AuditEvent.objects.get(action="organization.update").detail["changed"] == ["name", "require_mfa"]
    assert add.status_code == 403


def test_superuser_creates_an_organization(superuser: User, client_for: Callable) -> None:
    client = client_for(superuser)

    taken = client.post(reverse("admin:accounts_organization_add"), {"name": "Org C"})
    again = client.post(reverse("admin:accounts_organization_add"), {"name": "Org C"})

    assert taken.status_code == 302
    assert again.status_code == 200 and "name" in again.context["adminform"].form.errors
    organization = Organization.objects.get(name="Org C")
    assert AuditEvent.objects.filter(action="organization.create", organization=organization).count() == 1


def test_superuser_adds_a_person_by_email(superuser: User, client_for: Callable) -> None:
    data = {"email": "Someone@Example.test", "usable_password": "false", "password1": "", "password2": ""}

    response = client_for(superuser).post(reverse("admin:accounts_user_add"), data)

    assert response.status_code == 302
    user = User.objects.get(email__iexact="someone@example.test")
    assert user.username == user.email
    assert not user.has_usable_password()


def test_user_admin_is_for_superusers_only(world: World, admin_a: Client) -> None:
    url = reverse("admin:accounts_user_change", args=[world.viewer.pk])

    assert admin_a.get(url).status_code == 404  # like a missing person (tests/admin/test_admin_oracles.py)
    assert admin_a.get(reverse("admin:accounts_user_changelist")).status_code == 403
