"""The camera page as the hub: picture, status, PTZ, its motion events with snapshots, its clips,
its footage, a slot for the timeline; and the alert links that lead there."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from recordings import motion
from recordings.models import ClipStatus
from tests.conftest import World
from tests.recordings.helpers import make_clip
from tests.recordings.motion_helpers import make_event

pytestmark = pytest.mark.django_db


def _camera_page(client: object, camera: object, query: str = "") -> str:
    url = reverse("camera_detail", args=[camera.public_id]) + query  # type: ignore[attr-defined]
    response = client.get(url)  # type: ignore[attr-defined]
    assert response.status_code == 200
    return response.content.decode()


def test_the_camera_page_shows_picture_status_events_clips_and_footage(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1)
    clip = make_clip(world.camera_a1)
    other_event, other_clip = make_event(world.camera_a2), make_clip(world.camera_a2)

    page = _camera_page(client_for(world.viewer), world.camera_a1)

    assert f'<cctv-player camera="{world.camera_a1.public_id}" variant="main"' in page
    assert 'id="live-config"' in page and "js/live-player.js" in page
    assert 'id="status-heading"' in page and 'id="recording-' in page and "Footage kept" in page
    # Its motion event, with the snapshot and the boxes to outline on it.
    assert f'id="event-{event.public_id}"' in page
    assert f'src="{reverse("motion_snapshot", args=[event.public_id])}"' in page
    assert 'data-boxes="[[0.1,0.2,0.3,0.4]]"' in page
    # Its clip, playable.
    assert f'data-clip="{clip.public_id}"' in page and reverse("clip_download", args=[clip.public_id]) in page
    # Nothing of another camera.
    assert str(other_event.public_id) not in page and str(other_clip.public_id) not in page
    # Links to everything of this camera.
    assert f'{reverse("alert_list")}?camera={world.camera_a1.public_id}' in page
    assert f'{reverse("clip_list")}?camera={world.camera_a1.public_id}' in page


def test_event_times_are_in_the_site_time_zone(world: World, client_for: Callable) -> None:
    make_event(world.camera_a1, started_at=timezone.now() - timedelta(minutes=3))  # site A1: Europe/Paris
    page = _camera_page(client_for(world.viewer), world.camera_a1)
    section = page[page.index('id="events-heading"'):]
    assert " CET</time>" in section or " CEST</time>" in section


def test_the_event_of_an_alert_link_is_highlighted_even_when_older_than_the_recent_ones(
    world: World, client_for: Callable
) -> None:
    now = timezone.now()
    old = make_event(world.camera_a1, started_at=now - timedelta(days=3))
    for minutes in range(10):
        make_event(world.camera_a1, started_at=now - timedelta(minutes=minutes + 1), snapshot=None)

    page = _camera_page(client_for(world.viewer), world.camera_a1, f"?event={old.public_id}")

    # Beside the picture (before the status card), not only down in the list.
    card = f'<section id="alert-{old.public_id}" class="card event-card camera-alert is-highlighted"'
    assert card in page
    assert page.index(card) < page.index('id="status-heading"')
    assert reverse("motion_snapshot", args=[old.public_id]) in page


@pytest.mark.parametrize("query", ["?event=not-a-uuid", "?event=", "?event=" + "9" * 5000])
def test_an_unreadable_event_parameter_is_ignored(world: World, client_for: Callable, query: str) -> None:
    make_event(world.camera_a1)
    page = _camera_page(client_for(world.viewer), world.camera_a1, query)
    assert "is-highlighted" not in page


def test_an_event_of_another_camera_or_organization_is_not_shown(world: World, client_for: Callable) -> None:
    foreign, sibling = make_event(world.camera_b), make_event(world.camera_a2)
    for event in (foreign, sibling):
        page = _camera_page(client_for(world.admin), world.camera_a1, f"?event={event.public_id}")
        assert f'id="event-{event.public_id}"' not in page and f'id="alert-{event.public_id}"' not in page
        assert "is-highlighted" not in page
        assert reverse("motion_snapshot", args=[event.public_id]) not in page


def test_only_roles_that_may_acknowledge_get_the_form(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1)
    action = reverse("motion_acknowledge", args=[event.public_id])
    assert action in _camera_page(client_for(world.operator), world.camera_a1)
    assert action not in _camera_page(client_for(world.viewer), world.camera_a1)


@pytest.mark.parametrize("who", ["outsider", "admin_b", "restricted_viewer"])
def test_a_camera_out_of_scope_is_not_found(world: World, client_for: Callable, who: str) -> None:
    response = client_for(getattr(world, who)).get(reverse("camera_detail", args=[world.camera_a2.public_id]))
    assert response.status_code == 404


def test_the_camera_page_has_the_ptz_pad_for_a_ptz_camera(world: World, client_for: Callable) -> None:
    from tests.ptz.conftest import give_capabilities

    world.camera_a1.onvif_host, world.camera_a1.onvif_port = "198.51.100.7", 80
    world.camera_a1.save()
    give_capabilities(world.camera_a1)
    assert "data-ptz" in _camera_page(client_for(world.operator), world.camera_a1)
    assert "data-ptz" not in _camera_page(client_for(world.viewer), world.camera_a1)  # no control right


def test_the_timeline_slot_links_to_the_cameras_timeline(world: World, client_for: Callable) -> None:
    page = _camera_page(client_for(world.viewer), world.camera_a1)
    timeline = reverse("camera_timeline", args=[world.camera_a1.public_id])
    assert "data-timeline-slot" in page and 'id="timeline-heading"' in page
    assert f'href="{timeline}">Open the timeline<' in page


def test_the_live_page_links_to_the_camera_page_not_a_details_dead_end(world: World, client_for: Callable) -> None:
    page = client_for(world.viewer).get(reverse("live_camera", args=[world.camera_a1.public_id])).content.decode()
    assert "Camera details" not in page
    assert f'href="{reverse("camera_detail", args=[world.camera_a1.public_id])}">Camera page<' in page


def test_clips_without_a_file_show_their_state(world: World, client_for: Callable) -> None:
    failed = make_clip(world.camera_a1, status=ClipStatus.FAILED)
    page = _camera_page(client_for(world.viewer), world.camera_a1)
    assert f'data-clip="{failed.public_id}"' in page and "The camera sent no video." in page


# --- the alert's camera link ------------------------------------------------------------------------


def test_the_alert_list_links_each_alert_to_its_camera_page_at_the_event(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1)
    page = client_for(world.viewer).get(reverse("alert_list")).content.decode()
    camera_url = reverse("camera_detail", args=[world.camera_a1.public_id])
    target = f"{camera_url}?event={event.public_id}"
    assert f'href="{target}"' in page
    # ... and that link shows the event there.
    landed = _camera_page(client_for(world.viewer), world.camera_a1, f"?event={event.public_id}")
    assert f'id="alert-{event.public_id}"' in landed
    assert f'id="event-{event.public_id}" class="event-card is-highlighted"' in landed  # also marked in the list


def test_the_live_alert_carries_the_camera_page_and_the_site_time_zone(world: World) -> None:
    event = make_event(world.camera_a1)
    payload = motion.alert_payload(event)
    assert payload["camera_url"] == motion.camera_page_url(event)
    assert payload["site_timezone"] == "Europe/Paris"
    json.dumps(payload)


def test_an_alert_of_a_deleted_camera_has_no_camera_link(world: World) -> None:
    event = make_event(world.camera_a1)
    world.camera_a1.delete()
    event.refresh_from_db()
    assert motion.camera_page_url(event) == "" and motion.alert_payload(event)["camera_url"] == ""
