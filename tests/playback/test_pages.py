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
    from recordings.motion.payload import alert_payload

    event = MotionEvent.objects.create(organization=world.org_a, camera=world.camera_a1, camera_name="A1",
                                       started_at=datetime(2026, 3, 1, 8, 0, tzinfo=UTC))

    assert alert_payload(event)["play_url"] == f"/cameras/{world.camera_a1.public_id}/timeline/?event={event.public_id}"


# --- recordings together (a site's or a saved view's cameras at the same moment) --------------------


def _sync_config(response) -> dict:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    return json.loads(html.split('id="sync-config" type="application/json">')[1].split("</script>")[0])


def _get(world: World, who: str, url: str):  # type: ignore[no-untyped-def]
    client = Client()
    client.force_login(getattr(world, who))
    return client.get(url)


def test_a_sites_cameras_play_together_in_its_time_zone_from_the_given_moment(world: World) -> None:
    response = _get(world, "viewer", f"/playback/sites/{world.site_a1.public_id}/?at=2026-03-01T08:00:00%2B01:00")

    assert response.status_code == 200
    config = _sync_config(response)
    assert [camera["name"] for camera in config["cameras"]] == ["A1 Entrance", "A1 Lobby"]
    assert config["cameras"][0]["playbackUrl"] == f"/api/v1/cameras/{world.camera_a1.public_id}/playback/"
    assert (config["timeZone"], config["at"]) == ("Europe/Paris", "2026-03-01T08:00:00+01:00")
    assert 'src="/static/js/sync-playback.js"' in response.content.decode()


@pytest.mark.parametrize("who", ["admin_b", "outsider", "restricted_viewer"])
def test_a_site_the_person_cannot_see_answers_404(world: World, who: str) -> None:
    assert _get(world, who, f"/playback/sites/{world.site_a2.public_id}/").status_code == 404


def test_a_saved_view_plays_only_the_cameras_its_owner_may_still_watch(world: World) -> None:
    from cameras import saved_views

    ids = [str(c.public_id) for c in (world.camera_a1, world.camera_a2)]
    view, _ = saved_views.save_view(world.viewer, world.org_a, name="Wall", layout="2x2", cameras=ids)
    world.membership(world.viewer).sites.set([world.site_a1])

    response = _get(world, "viewer", f"/playback/views/{view.public_id}/")

    assert [camera["id"] for camera in _sync_config(response)["cameras"]] == [str(world.camera_a1.public_id)]
    for other in ("owner", "admin_b"):
        assert _get(world, other, f"/playback/views/{view.public_id}/").status_code == 404


def test_the_timeline_links_its_sites_cameras_together(world: World) -> None:
    html = page_as(world, "viewer", world.camera_a1).content.decode()
    assert f'href="/playback/sites/{world.site_a1.public_id}/"' in html


def _playback_config(response) -> dict:  # type: ignore[no-untyped-def]
    html = response.content.decode()
    return json.loads(html.split('id="playback-config" type="application/json">')[1].split("</script>")[0])


def test_whoever_may_export_gets_the_range_export_panel_for_one_camera(world: World) -> None:
    response = page_as(world, "operator", world.camera_a1)

    assert _playback_config(response)["export"] == {
        "kind": "clip", "url": "/api/v1/clips/range/", "cameras": [str(world.camera_a1.public_id)],
        "clipsUrl": "/clips/"}
    assert "data-range-export" in response.content.decode()


def test_a_viewer_without_the_export_right_gets_no_range_export_panel(world: World) -> None:
    response = page_as(world, "viewer", world.camera_a1)

    assert _playback_config(response)["export"] is None
    assert "data-range-export" not in response.content.decode()
    together = _get(world, "viewer", f"/playback/sites/{world.site_a1.public_id}/")
    assert _sync_config(together)["export"] is None
    assert "data-range-export" not in together.content.decode()


def test_recordings_together_export_every_camera_shown_as_one_zip(world: World) -> None:
    response = _get(world, "operator", f"/playback/sites/{world.site_a1.public_id}/")

    target = _sync_config(response)["export"]
    assert target["kind"] == "bundle" and target["url"] == "/api/v1/exports/"
    assert target["cameras"] == [camera["id"] for camera in _sync_config(response)["cameras"]]
    assert "of every camera shown" in response.content.decode()
