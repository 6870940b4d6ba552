"""The members pages: invite, withdraw, change, remove, owner rules (the invitee's side: test_invitations.py)."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Invitation, Membership, User
from accounts.roles import Role
from tests.conftest import World


def test_member_list_shows_roles_and_restrictions(world: World, client_for: Callable) -> None:
    body = client_for(world.admin).get(reverse("member_list")).content.decode()

    for user in (world.owner, world.admin, world.operator, world.viewer, world.restricted_viewer):
        assert user.email in body
    assert "Whole organization" in body
    assert f"Sites:</span> {world.site_a1.name}" in body
    assert world.admin_b.email not in body


def test_inviting_shows_the_invitation_as_pending_until_it_is_answered(
    world: World, client_for: Callable, django_capture_on_commit_callbacks: Callable
) -> None:
    client = client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("member_add"),
            {"email": "Fresh@Example.test", "role": Role.OPERATOR, "sites": [str(world.site_a2.public_id)]},
        )

    assert response.status_code == 302
    invitation = Invitation.objects.get(organization=world.org_a)
    assert (invitation.email, invitation.role, list(invitation.sites.all())) == (
        "Fresh@example.test", Role.OPERATOR, [world.site_a2]
    )
    assert not User.objects.filter(email__iexact="fresh@example.test").exists()
    assert [message.to for message in mail.outbox] == [["Fresh@example.test"]]
    listing = client.get(reverse("member_list")).content.decode()
    assert "Invitations waiting for an answer" in listing and "Fresh@example.test" in listing


def test_withdrawing_an_invitation_kills_its_link(
    world: World, client_for: Callable, django_capture_on_commit_callbacks: Callable
) -> None:
    client = client_for(world.admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("member_add"), {"email": "late@example.test", "role": Role.VIEWER})
    invitation = Invitation.objects.get()
    link = re.search(r"https?://\S+?(/invitations/\S+/)", mail.outbox[0].body).group(1)

    response = client.post(reverse("invitation_withdraw", args=[invitation.public_id]))

    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "withdrawn"
    assert AuditEvent.objects.filter(action="invitation.withdraw", actor=world.admin).exists()
    assert Client().get(link, follow=True).status_code == 404


def test_invitations_of_another_organization_cannot_be_withdrawn(
    world: World, client_for: Callable
) -> None:
    from accounts.invitations import invite_member

    invitation = invite_member(world.admin_b, world.org_b, email="b-guest@example.test", role=Role.VIEWER)

    response = client_for(world.admin).post(reverse("invitation_withdraw", args=[invitation.public_id]))

    assert response.status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == "pending"


def test_adding_a_member_twice_is_an_inline_error(world: World, client_for: Callable) -> None:
    response = client_for(world.admin).post(reverse("member_add"), {"email": world.viewer.email, "role": Role.ADMIN})

    assert response.status_code == 200
    assert "already a member" in str(response.context["form"].errors["email"])
    assert world.membership(world.viewer).role == Role.VIEWER


def test_restrictions_for_an_admin_are_an_inline_error(world: World, client_for: Callable) -> None:
    response = client_for(world.admin).post(
        reverse("member_add"),
        {"email": "limited@example.test", "role": Role.ADMIN, "sites": [str(world.site_a1.public_id)]},
    )

    assert response.status_code == 200
    assert "operators and viewers" in str(response.context["form"].errors["role"])
    assert not User.objects.filter(email="limited@example.test").exists()


def test_admin_cannot_grant_owner(world: World, client_for: Callable) -> None:
    response = client_for(world.admin).post(reverse("member_add"), {"email": "boss@example.test", "role": Role.OWNER})

    assert response.status_code == 200
    assert "Only an owner" in response.content.decode()
    assert not User.objects.filter(email="boss@example.test").exists()


def test_admin_cannot_demote_the_owner(world: World, client_for: Callable) -> None:
    url = reverse("member_edit", args=[world.membership(world.owner).pk])

    response = client_for(world.admin).post(url, {"role": Role.VIEWER})

    assert response.status_code == 200
    assert "Only an owner" in response.content.decode()
    assert world.membership(world.owner).role == Role.OWNER


def test_last_owner_cannot_step_down(world: World, client_for: Callable) -> None:
    url = reverse("member_edit", args=[world.membership(world.owner).pk])

    response = client_for(world.owner).post(url, {"role": Role.ADMIN})

    assert response.status_code == 200
    assert "at least one owner" in response.content.decode()
    assert world.membership(world.owner).role == Role.OWNER


def test_last_owner_cannot_be_removed(world: World, client_for: Callable) -> None:
    url = reverse("member_remove", args=[world.membership(world.owner).pk])

    response = client_for(world.owner).post(url)

    assert response.status_code == 200
    assert "at least one owner" in response.content.decode()
    assert Membership.objects.filter(user=world.owner, organization=world.org_a).exists()


def test_owner_promotes_someone_to_owner(world: World, client_for: Callable) -> None:
    url = reverse("member_edit", args=[world.membership(world.admin).pk])

    response = client_for(world.owner).post(url, {"role": Role.OWNER})

    assert response.status_code == 302
    assert world.membership(world.admin).role == Role.OWNER


def test_change_role_and_restrictions(world: World, client_for: Callable) -> None:
    membership = world.membership(world.restricted_viewer)
    url = reverse("member_edit", args=[membership.pk])
    client = client_for(world.admin)
    assert f'value="{world.site_a1.public_id}"' in client.get(url).content.decode()

    response = client.post(url, {"role": Role.OPERATOR, "cameras": [str(world.camera_a2.public_id)]})

    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.OPERATOR
    assert list(membership.sites.all()) == []
    assert list(membership.cameras.all()) == [world.camera_a2]
    event = AuditEvent.objects.get(action="member.update")
    assert event.detail["old_role"] == Role.VIEWER and event.ip_address == "127.0.0.1"


def test_remove_member_after_confirming(world: World, client_for: Callable) -> None:
    url = reverse("member_remove", args=[world.membership(world.operator).pk])
    client = client_for(world.admin)
    assert world.operator.email in client.get(url).content.decode()

    response = client.post(url)

    assert response.status_code == 302
    assert not Membership.objects.filter(user=world.operator, organization=world.org_a).exists()
    assert User.objects.filter(pk=world.operator.pk).exists()


def test_member_form_offers_only_this_organizations_sites_and_cameras(world: World, client_for: Callable) -> None:
    form = client_for(world.admin).get(reverse("member_add")).context["form"]

    assert set(form.fields["sites"].queryset) == {world.site_a1, world.site_a2}
    assert set(form.fields["cameras"].queryset) == set(world.cameras_a)


def test_foreign_camera_restriction_is_refused(world: World, client_for: Callable) -> None:
    response = client_for(world.admin).post(
        reverse("member_add"),
        {"email": "x@example.test", "role": Role.VIEWER, "cameras": [str(world.camera_b.public_id)]},
    )

    assert response.status_code == 200
    assert "cameras" in response.context["form"].errors
    assert not User.objects.filter(email="x@example.test").exists()
