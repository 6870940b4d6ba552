"""The timeline page: who may open it, what it starts with, and where it is linked from."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from tests.conftest import World

pytestmark = pytest.mark.django_db


def page_as(world: World, who: str, camera) -> object:  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(getattr(world, who))
    return client.get(f"/cameras/{camera.public_id}/timeline/?at=2026-03-01T08:00:00%2B01:00")


def test_a_viewer_opens_a_cameras_timeline_in_its_sites_time_zone(world: World) -> None:
    world.site_a1.timezone = "Europe/Paris"
    world.site_a1.save()

    response = page_as(world, "viewer", world.camera_a1)

    assert response.status_code == 200
    html = response.content.decode()
    config = json.loads(html.split('id="playback-config" type="application/json">')[1].split("</script>")[0])
    assert config["timeZone"] == "Europe/Paris"
    assert config["at"] == "2026-03-01T08:00:00+01:00"
    assert config["playbackUrl"] == f"/api/v1/cameras/{world.camera_a1.public_id}/playback/"
    assert f'href="/live/cameras/{world.camera_a1.public_id}/"' in html  # the way back to live
    assert 'src="/static/js/timeline.js"' in html


@pytest.mark.parametrize("who", ["admin_b", "outsider"])
def test_a_foreign_cameras_timeline_answers_404(world: World, who: str) -> None:
    assert page_as(world, who, world.camera_a1).status_code == 404


def test_the_restricted_viewer_reaches_only_their_sites_timelines(world: World) -> None:
    assert page_as(world, "restricted_viewer", world.camera_a2).status_code == 404


def test_the_camera_page_links_the_timeline_for_viewers_too(world: World) -> None:
    client = Client()
    client.force_login(world.viewer)

    html = client.get(f"/cameras/{world.camera_a1.public_id}/").content.decode()

    assert f'href="/cameras/{world.camera_a1.public_id}/timeline/"' in html


def test_an_alerts_play_link_starts_at_the_events_pre_roll(world: World) -> None:
    from datetime import UTC, datetime, timedelta

    from recordings.footage.models import RecordingSettings
    from recordings.models import MotionEvent

    RecordingSettings.objects.create(camera=world.camera_a1, pre_roll_seconds=12)
    started = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    event = MotionEvent.objects.create(organization=world.org_a, camera=world.camera_a1, camera_name="A1",
                                       started_at=started, ended_at=started + timedelta(seconds=5))
    foreign = MotionEvent.objects.create(organization=world.org_b, camera=world.camera_b, camera_name="B",
                                         started_at=started)
    client = Client()
    client.force_login(world.viewer)

    listed = client.get("/alerts/").content.decode()
    link = f"/cameras/{world.camera_a1.public_id}/timeline/?event={event.public_id}"
    assert f'href="{link}"' in listed

    def start_of(query: str) -> str | None:
        html = client.get(f"/cameras/{world.camera_a1.public_id}/timeline/?{query}").content.decode()
        return json.loads(html.split('id="playback-config" type="application/json">')[1].split("</script>")[0])["at"]

    assert start_of(f"event={event.public_id}") == "2026-03-01T07:59:48+00:00"
    assert start_of(f"event={foreign.public_id}") is None  # not this camera's, not visible: ignored
    assert start_of("event=nonsense") is None


def test_a_live_alert_carries_the_link_that_plays_it(world: World) -> None:
    from datetime import UTC, datetime

    from recordings.models import MotionEvent
    from recordings.motion import alert_payload

    event = MotionEvent.objects.create(organization=world.org_a, camera=world.camera_a1, camera_name="A1",
                                       started_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC))

    assert alert_payload(event)["play_url"] == f"/cameras/{world.camera_a1.public_id}/timeline/?event={event.public_id}"
