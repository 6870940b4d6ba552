"""Organization switcher, organization settings and the audit log page."""

from __future__ import annotations

from collections.abc import Callable

from django.urls import reverse

from accounts import audit
from accounts.models import AuditEvent
from accounts.organizations import SESSION_KEY
from accounts.roles import Role
from tests.conftest import World
from tests.support.factories import make_member, make_organization, make_user

# --- switcher ----------------------------------------------------------------------


def test_switcher_lists_only_my_organizations(world: World, client_for: Callable) -> None:
    make_organization("Org C")

    body = client_for(world.viewer).get(reverse("dashboard")).content.decode()

    assert f'<option value="{world.org_a.pk}" selected>Org A</option>' in body
    assert "Org B" not in body and "Org C" not in body


def test_switching_changes_the_active_organization(world: World, client_for: Callable) -> None:
    make_member(world.viewer, world.org_b, Role.VIEWER)
    client = client_for(world.viewer)

    response = client.post(reverse("organization_switch"), {"organization": world.org_b.pk, "next": "/sites/"})

    assert response.status_code == 302 and response["Location"] == "/sites/"
    assert client.session[SESSION_KEY] == world.org_b.pk
    body = client.get(reverse("dashboard")).content.decode()
    assert world.camera_b.name in body
    assert world.camera_a1.name not in body


def test_switching_to_a_foreign_organization_answers_404(world: World, client_for: Callable) -> None:
    client = client_for(world.viewer)

    for value in (world.org_b.pk, 999999, "not-a-number", ""):
        response = client.post(reverse("organization_switch"), {"organization": value})
        assert response.status_code == 404, value
    assert SESSION_KEY not in client.session
    assert world.camera_a1.name in client.get(reverse("dashboard")).content.decode()


def test_switch_ignores_an_offsite_next(world: World, client_for: Callable) -> None:
    response = client_for(world.viewer).post(
        reverse("organization_switch"), {"organization": world.org_a.pk, "next": "https://evil.example/"}
    )

    assert response["Location"] == reverse("dashboard")


# --- settings --------------------------------------------------------------------------


def test_admin_renames_and_requires_mfa(world: World, client_for: Callable) -> None:
    client = client_for(world.admin)
    assert 'value="Org A"' in client.get(reverse("organization_settings")).content.decode()

    response = client.post(reverse("organization_settings"), {"name": "Org A Renamed", "require_mfa": "on"})

    assert response.status_code == 302
    world.org_a.refresh_from_db()
    assert (world.org_a.name, world.org_a.require_mfa) == ("Org A Renamed", True)
    assert AuditEvent.objects.filter(action="organization.update", organization=world.org_a).exists()


def test_taken_organization_name_is_an_inline_error(world: World, client_for: Callable) -> None:
    response = client_for(world.admin).post(reverse("organization_settings"), {"name": "Org B"})

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    world.org_a.refresh_from_db()
    assert world.org_a.name == "Org A"


# --- audit log -------------------------------------------------------------------------


def _logged_in_without_login_events(client_for: Callable, user: object) -> object:
    """A client for ``user``; the auth.login events of logging it in are dropped so tests count their own."""
    client = client_for(user)
    AuditEvent.objects.filter(action="auth.login").delete()
    return client


def test_audit_log_lists_this_organizations_events_newest_first(world: World, client_for: Callable) -> None:
    client = _logged_in_without_login_events(client_for, world.admin)
    audit.record(world.owner, "site.update", organization=world.org_a, target=world.site_a1, changed=["name"])
    audit.record(world.admin, "camera.delete", organization=world.org_a, target=world.camera_a2)
    audit.record(world.admin_b, "site.delete", organization=world.org_b, target=world.site_b)

    response = client.get(reverse("audit_log"))

    events = list(response.context["page"].object_list)
    assert [e.action for e in events] == ["camera.delete", "site.update"]
    body = response.content.decode()
    assert "changed: name" in body
    assert world.site_b.name not in body


def test_audit_log_filters_by_action_and_actor(world: World, client_for: Callable) -> None:
    audit.record(world.owner, "site.update", organization=world.org_a, target=world.site_a1)
    audit.record(world.admin, "site.update", organization=world.org_a, target=world.site_a2)
    audit.record(world.admin, "camera.delete", organization=world.org_a, target=world.camera_a2)
    client = client_for(world.admin)

    by_action = client.get(reverse("audit_log"), {"action": "site.update"}).context["page"].object_list
    by_both = client.get(reverse("audit_log"), {"action": "site.update", "actor": world.admin.email})

    assert {e.target_label for e in by_action} == {world.site_a1.name, world.site_a2.name}
    assert [e.target_label for e in by_both.context["page"].object_list] == [world.site_a2.name]
    assert by_both.context["form"].fields["actor"].choices[0] == ("", "Everyone")


def test_audit_log_filter_does_not_offer_other_organizations_actors(world: World, client_for: Callable) -> None:
    audit.record(world.admin_b, "site.delete", organization=world.org_b, target=world.site_b)

    form = client_for(world.admin).get(reverse("audit_log")).context["form"]

    assert world.admin_b.email not in dict(form.fields["actor"].choices)
    assert "site.delete" not in dict(form.fields["action"].choices)


def test_audit_log_paginates_by_fifty(world: World, client_for: Callable) -> None:
    client = _logged_in_without_login_events(client_for, world.admin)
    for n in range(120):
        audit.record(world.owner, f"test.event{n:03}", organization=world.org_a)

    first = client.get(reverse("audit_log")).context["page"]
    last = client.get(reverse("audit_log"), {"page": 3}).context["page"]

    assert (len(first.object_list), first.paginator.num_pages) == (50, 3)
    assert first.object_list[0].action == "test.event119"
    assert len(last.object_list) == 20


def test_pagination_links_keep_the_filter(world: World, client_for: Callable) -> None:
    for _ in range(60):
        audit.record(world.owner, "test.many", organization=world.org_a)

    body = client_for(world.admin).get(reverse("audit_log"), {"action": "test.many"}).content.decode()

    assert "?action=test.many&amp;page=2" in body


def test_audit_records_the_client_ip_of_page_actions(world: World, client_for: Callable) -> None:
    client_for(world.admin).post(
        reverse("site_create"), {"name": "Via page", "timezone": "UTC"}, REMOTE_ADDR="203.0.113.9"
    )

    event = AuditEvent.objects.get(action="site.create")
    assert event.ip_address == "203.0.113.9"
    assert event.actor == world.admin


def test_a_person_managing_two_organizations_sees_the_active_ones_log(world: World, client_for: Callable) -> None:
    person = make_user("two@example.test")
    make_member(person, world.org_a, Role.ADMIN)
    make_member(person, world.org_b, Role.ADMIN)
    client = _logged_in_without_login_events(client_for, person)
    audit.record(world.admin_b, "site.delete", organization=world.org_b, target=world.site_b)

    assert client.get(reverse("audit_log")).context["page"].paginator.count == 0
    client.post(reverse("organization_switch"), {"organization": world.org_b.pk})
    assert [e.action for e in client.get(reverse("audit_log")).context["page"]] == ["site.delete"]
