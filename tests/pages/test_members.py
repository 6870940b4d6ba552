"""The members pages: add (existing person or invitation), change, remove, owner rules."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Membership, User
from accounts.roles import Role
from tests.conftest import World
from tests.factories import make_user


def test_member_list_shows_roles_and_restrictions(world: World, client_for: Callable) -> None:
    body = client_for(world.admin).get(reverse("member_list")).content.decode()

    for user in (world.owner, world.admin, world.operator, world.viewer, world.restricted_viewer):
        assert user.email in body
    assert "Whole organization" in body
    assert f"Sites:</span> {world.site_a1.name}" in body
    assert world.admin_b.email not in body


def test_add_existing_person_with_site_restriction(
    world: World, client_for: Callable, django_capture_on_commit_callbacks: Callable
) -> None:
    person = make_user("existing@example.test")

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(
            reverse("member_add"),
            {"email": "Existing@Example.test", "role": Role.OPERATOR, "sites": [str(world.site_a2.public_id)]},
        )

    assert response.status_code == 302
    membership = Membership.objects.get(user=person, organization=world.org_a)
    assert membership.role == Role.OPERATOR
    assert list(membership.sites.all()) == [world.site_a2]
    assert mail.outbox == []


def test_add_new_email_sends_an_invitation_with_a_reset_link(
    world: World, client_for: Callable, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(
            reverse("member_add"), {"email": "fresh@example.test", "role": Role.VIEWER,
                                    "cameras": [str(world.camera_a2.public_id)]}
        )

    assert response.status_code == 302
    user = User.objects.get(email="fresh@example.test")
    assert not user.has_usable_password()
    assert list(Membership.objects.get(user=user).cameras.all()) == [world.camera_a2]
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["fresh@example.test"]
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    # The link lets the invitee choose a password through allauth's normal flow.
    page = Client().get(link.group(1), follow=True)
    assert page.status_code == 200
    assert b"password1" in page.content


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
