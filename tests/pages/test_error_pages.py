"""Not-found and not-allowed pages in the portal's layout, with DEBUG on too (issue 14).

With DEBUG on (as ``bin/start`` runs), following a link to a camera that is
gone or not yours showed Django's technical 404 page. Pages now render the
portal's ``404.html``; an address that matches no URL at all keeps the
technical page while DEBUG is on (it lists the URL patterns for developers).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import World

TECHNICAL = "Django tried these URL patterns"


@pytest.fixture(params=[True, False], ids=["debug-on", "debug-off"])
def debug(request, settings) -> bool:  # type: ignore[no-untyped-def]
    settings.DEBUG = request.param
    return request.param


def assert_portal_page(response, status: int, heading: str) -> None:  # type: ignore[no-untyped-def]
    body = response.content.decode()
    assert response.status_code == status
    assert "/static/css/portal.css" in body and f"<h1>{heading}</h1>" in body
    assert TECHNICAL not in body and "technical" not in body.lower()


def test_a_missing_or_foreign_camera_gets_the_portals_404(
    world: World, client_for: Callable[..., Client], debug: bool
) -> None:
    client = client_for(world.viewer)

    for public_id in (uuid.uuid4(), world.camera_b.public_id):
        for name in ("camera_detail", "live_camera"):
            assert_portal_page(client.get(reverse(name, args=[public_id])), 404, "Not found")


def test_a_role_that_may_not_gets_the_portals_403(world: World, client_for: Callable[..., Client], debug: bool) -> None:
    response = client_for(world.viewer).get(reverse("camera_edit", args=[world.camera_a1.public_id]))

    assert_portal_page(response, 403, "Not allowed")


def test_a_stale_form_gets_the_portals_403_with_advice(world: World, debug: bool) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.admin)

    response = client.post(reverse("site_create"), {"name": "No token", "timezone": "UTC"})

    assert_portal_page(response, 403, "Not allowed")
    assert "reload the page and try again" in response.content.decode()


def test_the_api_keeps_its_json_404(world: World, client_for: Callable[..., Client], debug: bool) -> None:
    response = client_for(world.viewer).get(f"/api/v1/cameras/{uuid.uuid4()}/")

    assert (response.status_code, response.json()) == (404, {"detail": "Not found."})


def test_an_address_that_matches_nothing_keeps_the_developers_page_while_debugging(
    world: World, client_for: Callable[..., Client], settings  # type: ignore[no-untyped-def]
) -> None:
    settings.DEBUG = True

    response = client_for(world.viewer).get("/no-such-page/")

    assert response.status_code == 404 and TECHNICAL in response.content.decode()
