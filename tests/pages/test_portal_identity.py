"""The portal's configured name on its pages and in the admin, its web app manifest and favicon, and
invitation e-mails that give times in the invited person's zone rather than bare UTC."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.core import mail
from django.urls import reverse

from accounts.invitations import invite_member
from accounts.roles import Role
from tests.conftest import World
from tests.support.factories import make_site


@pytest.fixture(autouse=True)
def _named_portal(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CCTV_PORTAL_NAME = "Acme Watch"
    settings.CCTV_PUBLIC_URL = "https://cctv.example.test"


def test_pages_carry_the_configured_name(world: World, client_for: Callable, client) -> None:  # type: ignore[no-untyped-def]
    for body in (client.get(reverse("account_login")).content.decode(),
                 client_for(world.admin).get(reverse("dashboard")).content.decode()):
        assert re.search(r'class="brand"[^>]*>\s*<span[^>]*></span>Acme Watch', body)
        assert "· Acme Watch</title>" in body
        assert "CCTV Portal" not in body


def test_the_admin_header_carries_the_configured_name(world: World, client_for: Callable) -> None:
    body = client_for(world.admin).get(reverse("admin:index")).content.decode()

    assert "Acme Watch administration" in body
    assert "CCTV portal" not in body


def test_the_manifest_names_the_portal_and_lists_its_icons(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(reverse("web_manifest"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert data["name"] == "Acme Watch" and data["display"] == "standalone"
    assert [(i["sizes"], i["purpose"]) for i in data["icons"]] == [
        ("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")]
    login = client.get(reverse("account_login")).content.decode()
    assert f'<link rel="manifest" href="{reverse("web_manifest")}">' in login


def test_the_favicon_is_served_at_the_root(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert response.content[:4] == b"\x00\x00\x01\x00"  # an ICO header


# --- invitation e-mails --------------------------------------------------------------------------


def _deadline_line(body: str) -> str:
    found = re.search(r"The link works until ([^.]+)\.", body)
    assert found, body
    return found.group(1)


def test_an_invitation_to_sites_gives_the_deadline_in_their_zone(
    world: World, django_capture_on_commit_callbacks: Callable
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        invite_member(world.admin, world.org_a, email="new@example.test", role=Role.VIEWER, sites=[world.site_a1])

    deadline = _deadline_line(mail.outbox[-1].body)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d CES?T \(Europe/Paris\)", deadline), deadline


def test_an_invitation_without_one_zone_uses_the_inviters(
    world: World, client_for: Callable, django_capture_on_commit_callbacks: Callable
) -> None:
    make_site(world.org_a, "Tokyo office", timezone="Asia/Tokyo")  # the organization's sites disagree
    client = client_for(world.admin)
    client.cookies["cctv_tz"] = "America/New_York"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("member_add"), {"email": "later@example.test", "role": Role.VIEWER})

    assert response.status_code == 302
    deadline = _deadline_line(mail.outbox[-1].body)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d E[SD]T \(America/New_York\)", deadline), deadline


def test_a_member_still_to_enrol_mfa_gets_the_manifest_and_favicon(world: World, client_for: Callable) -> None:
    world.org_a.require_mfa = True
    world.org_a.save()
    client = client_for(world.viewer)
    assert client.get(reverse("dashboard")).status_code == 302  # sent to enrolment, as everywhere

    assert client.get(reverse("web_manifest")).status_code == 200
    assert client.get("/favicon.ico").status_code == 200
