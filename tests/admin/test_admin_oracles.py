"""No admin URL tells a staff user whether a row outside their scope exists.

Regression (issue 10): for superuser-only models, ``/admin/<model>/<id>/history/``
answered 403 for an existing row and 302 for a missing one; with DEBUG on,
``/admin/r/<content type>/<id>/`` said whether any row of any model existed,
across tenants. Each test compares the answer for a real row outside the
user's scope with the answer for a missing one: they must be identical.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent, Organization, User
from cameras.models import Camera, Gateway
from tests.conftest import World

MISSING_ID = 987654321
CSRF_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def admin_url(model: type[models.Model], view: str, *args: object) -> str:
    if view == "password_change":  # Django's UserAdmin names this URL after auth.User, whatever the model
        return reverse("admin:auth_user_password_change", args=args)
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def answer(client: Client, url: str) -> tuple[int, str, str]:
    """Status, redirect target and body of a GET, with the URL (which names the id) blanked out of the body."""
    response = client.get(url)
    body = response.content.decode().replace(url, "<url>").replace(url.lstrip("/"), "<url>")
    body = CSRF_TOKEN.sub("<csrf>", body)  # masked afresh on every page
    return response.status_code, response.get("Location", ""), body


@pytest.fixture
def gateway(db: None) -> Gateway:
    return Gateway.objects.create(name="platform-gw", api_url="http://10.1.1.1:1984")


SUPERUSER_ONLY_URLS = [(User, view) for view in ("change", "history", "delete", "password_change")] + [
    (Gateway, view) for view in ("change", "history", "delete")
]


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
@pytest.mark.parametrize(("model", "view"), SUPERUSER_ONLY_URLS, ids=lambda v: getattr(v, "__name__", v))
def test_superuser_only_rows_answer_like_missing_ones(
    world: World, gateway: Gateway, admin_a: Client, settings, model: type[models.Model], view: str, debug: bool  # type: ignore[no-untyped-def]
) -> None:
    settings.DEBUG = debug
    existing = world.viewer.pk if model is User else gateway.pk

    real = answer(admin_a, admin_url(model, view, existing))
    missing = answer(admin_a, admin_url(model, view, MISSING_ID))

    assert real == missing
    assert real[0] == 404


def test_a_superuser_still_reaches_those_rows(
    world: World, gateway: Gateway, superuser: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(superuser)

    for url in (admin_url(User, "history", world.viewer.pk), admin_url(Gateway, "change", gateway.pk)):
        assert client.get(url).status_code == 200, url


def _view_on_site(model: type[models.Model], object_id: object) -> str:
    return f"/admin/r/{ContentType.objects.get_for_model(model).pk}/{object_id}/"


@pytest.mark.parametrize("debug", [False, True], ids=["debug-off", "debug-on"])
def test_view_on_site_shortcut_says_nothing_about_rows_outside_the_scope(
    world: World, gateway: Gateway, admin_a: Client, settings, debug: bool  # type: ignore[no-untyped-def]
) -> None:
    settings.DEBUG = debug
    foreign_event = AuditEvent.objects.create(organization=world.org_b, action="test.marker")
    missing = answer(admin_a, _view_on_site(Camera, MISSING_ID))
    rows = {
        "camera of another organization": (Camera, world.camera_b.pk),
        "organization of another tenant": (Organization, world.org_b.pk),
        "audit event of another tenant": (AuditEvent, foreign_event.pk),
        "a person (superuser-only)": (User, world.admin_b.pk),
        "a gateway (superuser-only)": (Gateway, gateway.pk),
        "a model outside the admin": (ContentType, ContentType.objects.first().pk),
    }

    for label, (model, pk) in rows.items():
        assert answer(admin_a, _view_on_site(model, pk)) == answer(admin_a, _view_on_site(model, MISSING_ID)), label
    assert missing[0] == 404
    unknown_model = answer(admin_a, f"/admin/r/{MISSING_ID}/{world.camera_b.pk}/")
    assert unknown_model[:2] == missing[:2]


def test_autocomplete_shows_a_foreign_camera_no_more_than_a_missing_one(world: World, admin_a: Client) -> None:
    params = {"app_label": "accounts", "model_name": "membership", "field_name": "cameras"}

    foreign = admin_a.get(reverse("admin:autocomplete"), {**params, "term": world.camera_b.name})
    missing = admin_a.get(reverse("admin:autocomplete"), {**params, "term": "No Such Camera"})

    assert foreign.status_code == missing.status_code == 200
    assert foreign.json() == missing.json() == {"results": [], "pagination": {"more": False}}
