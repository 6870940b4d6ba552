"""Times as people read them: a camera's in its site's zone, the rest in the viewer's, never bare UTC."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.models import AuditEvent
from portal import timezones
from tests.conftest import World

pytestmark = pytest.mark.django_db

WINTER_NOON_UTC = datetime(2026, 1, 15, 12, 0, 0, tzinfo=UTC)


def _render(source: str, **context: object) -> str:
    return Template(source).render(Context(context))


# --- the tag and the zone rules (no request) ---------------------------------------------------------


def test_when_prints_a_time_element_in_the_zone_of_the_site(world: World) -> None:
    html = _render("{% when moment camera %}", moment=WINTER_NOON_UTC, camera=world.camera_a1)  # Europe/Paris
    assert html == '<time datetime="2026-01-15T13:00:00+01:00">2026-01-15 13:00:00 CET</time>'


def test_when_formats_and_empty_values(world: World) -> None:
    noon = WINTER_NOON_UTC
    assert _render('{% when moment "Asia/Tokyo" "minutes" %}', moment=noon).endswith(">2026-01-15 21:00 JST</time>")
    assert _render('{% when moment None "date" %}', moment=noon).endswith(">2026-01-15</time>")
    assert _render('{% when moment None "nonsense" %}', moment=noon).endswith(">2026-01-15 12:00:00 UTC</time>")
    assert _render('{% when moment None "minutes" "never" %}', moment=None) == "never"


def test_an_objects_zone_is_its_cameras_sites(world: World) -> None:
    from tests.recordings.motion_helpers import make_event

    event = make_event(world.camera_a1, snapshot=None)
    assert str(timezones.zone_of(event)) == "Europe/Paris"
    assert str(timezones.zone_of(world.site_a1)) == "Europe/Paris"
    assert str(timezones.zone_of(None)) == "UTC"  # no viewer zone active: the portal's TIME_ZONE


@pytest.mark.parametrize("name", ["", "Not/A_Zone", "../../etc/passwd", "/etc/localtime", "x" * 200, "Europe/../UTC"])
def test_only_real_zone_names_are_taken(name: str) -> None:
    assert timezones.zone_named(name) is None


# --- pages -------------------------------------------------------------------------------------------


def test_times_of_no_site_are_in_the_viewers_zone_from_the_browser_cookie(world: World, client_for: Callable) -> None:
    client = client_for(world.admin)
    client.cookies["cctv_tz"] = "America/New_York"
    page = client.get(reverse("audit_log")).content.decode()
    assert "When (UTC)" not in page
    audit.record(world.admin, "camera.delete", organization=world.org_a, target=world.camera_a2)
    AuditEvent.objects.filter(action="camera.delete").update(created_at=WINTER_NOON_UTC)
    page = client.get(reverse("audit_log")).content.decode()
    assert ">2026-01-15 07:00:00 EST</time>" in page
    assert timezone.get_current_timezone_name() == "UTC"  # the request's zone did not leak out of it


@pytest.mark.parametrize("cookie", ["Not/A_Zone", "../../etc/passwd", "%00", "x" * 5000])
def test_a_bad_zone_cookie_falls_back_to_the_portals_zone(world: World, client_for: Callable, cookie: str) -> None:
    client = client_for(world.admin)
    client.cookies["cctv_tz"] = cookie
    audit.record(world.admin, "camera.delete", organization=world.org_a, target=world.camera_a2)
    AuditEvent.objects.filter(action="camera.delete").update(created_at=WINTER_NOON_UTC)
    response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    assert ">2026-01-15 12:00:00 UTC</time>" in response.content.decode()


def test_a_cameras_times_follow_its_site_whatever_the_viewers_zone(world: World, client_for: Callable) -> None:
    world.camera_a1.status_changed_at = WINTER_NOON_UTC
    world.camera_a1.save(update_fields=["status_changed_at"])
    client = client_for(world.viewer)
    client.cookies["cctv_tz"] = "America/New_York"
    page = client.get(reverse("camera_detail", args=[world.camera_a1.public_id])).content.decode()
    assert ">2026-01-15 13:00 CET</time>" in page
    assert "since 2026-01-15 13:00 CET" in page  # the status badge's tooltip
    assert not re.search(r"\d\d:\d\d(:\d\d)? UTC", page)


def test_clip_times_are_in_the_site_zone(world: World, client_for: Callable) -> None:
    from recordings.models import Clip
    from tests.recordings.helpers import make_clip

    clip = make_clip(world.camera_a1)
    Clip.objects.filter(pk=clip.pk).update(created_at=WINTER_NOON_UTC)
    page = client_for(world.viewer).get(reverse("clip_list")).content.decode()
    assert "Requested (UTC)" not in page
    assert ">2026-01-15 13:00:00 CET</time>" in page
