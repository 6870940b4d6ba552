"""Recording health on the camera page and the dashboard, and pushed live to the people who may see it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cameras.models import Gateway
from recordings.footage import health, recorders
from recordings.footage.models import HealthState, Recorder, RecordingHealth, RecordingSettings
from signaling.routing import websocket_urlpatterns
from tests.conftest import World
from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user


def _recording(world: World) -> Recorder:
    gateway = Gateway.objects.create(name="gw", api_url="http://127.0.0.1:1")
    row = recorders.register("host/gw", gateway)
    health.set_state(world.camera_a1.pk, world.camera_a1.public_id, HealthState.RECORDING, recorder=row)
    today = health.local_day(timezone.now(), world.site_a1.timezone)  # the site's day (Paris), not UTC's
    RecordingHealth.objects.filter(camera=world.camera_a1).update(last_segment_at=timezone.now(),
                                                                  bytes_today=3 * 1024 * 1024, day=today)
    return row


@pytest.mark.django_db
def test_the_camera_page_shows_recording_health(world: World, client_for: Callable) -> None:
    _recording(world)

    page = client_for(world.viewer).get(reverse("camera_detail", args=[world.camera_a1.public_id])).content.decode()

    assert f'data-recording-status="{world.camera_a1.public_id}"' in page
    assert "badge-rec-recording" in page and "3.0\xa0MB" in page
    assert 'type="module" src="/static/js/recording-health.js"' in page


@pytest.mark.django_db
def test_a_dead_recorders_camera_reads_as_waiting_with_the_reason(world: World, client_for: Callable) -> None:
    row = _recording(world)
    Recorder.objects.filter(pk=row.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))

    page = client_for(world.viewer).get(reverse("camera_detail", args=[world.camera_a1.public_id])).content.decode()

    assert "badge-rec-waiting" in page and health.RECORDER_GONE in page


@pytest.mark.django_db
def test_the_dashboard_shows_a_badge_on_recorded_cameras_only(world: World, client_for: Callable) -> None:
    _recording(world)
    client = client_for(world.viewer)
    client.get(reverse("dashboard"))  # warm the per-session lookups

    with CaptureQueriesContext(connection) as one_camera:
        page = client.get(reverse("dashboard")).content.decode()
    assert page.count("data-recording-status=") == 1
    assert f'data-recording-status="{world.camera_a1.public_id}"' in page

    for number in range(5):
        camera = make_camera(world.site_a2, f"More {number}")
        health.set_state(camera.pk, camera.public_id, HealthState.RECONNECTING, "Connecting.")
    with CaptureQueriesContext(connection) as six_cameras:
        page = client.get(reverse("dashboard")).content.decode()
    assert page.count("data-recording-status=") == 6
    assert len(six_cameras) == len(one_camera)  # one health query per page, not one per camera


# --- pushed live -----------------------------------------------------------------------------

application = URLRouter(websocket_urlpatterns)


async def _open(user) -> WebsocketCommunicator:  # type: ignore[no-untyped-def]
    communicator = WebsocketCommunicator(application, "/ws/events/")
    communicator.scope["user"] = user
    assert (await communicator.connect())[0]
    return communicator


@pytest.mark.django_db(transaction=True)
async def test_a_state_change_reaches_exactly_the_people_allowed() -> None:
    org_a, org_b = await sync_to_async(make_organization)("A"), await sync_to_async(make_organization)("B")
    site_1, site_2 = await sync_to_async(make_site)(org_a, "One"), await sync_to_async(make_site)(org_a, "Two")
    owner, restricted, outsider = [await sync_to_async(make_user)() for _ in range(3)]
    await sync_to_async(make_member)(owner, org_a, Role.OWNER)
    await sync_to_async(make_member)(restricted, org_a, Role.VIEWER, sites=[site_1])
    await sync_to_async(make_member)(outsider, org_b, Role.OWNER)
    camera = await sync_to_async(make_camera)(site_2, "c2")
    gateway = await sync_to_async(Gateway.objects.create)(name="gw", api_url="http://127.0.0.1:1")
    recorder = await sync_to_async(recorders.register)("host/gw", gateway)
    streams = [await _open(user) for user in (owner, restricted, outsider)]

    await sync_to_async(health.set_state)(camera.pk, camera.public_id, HealthState.FAILING,
                                          "The camera stopped sending video.", recorder=recorder)

    event = await streams[0].receive_json_from(timeout=3)
    assert event == {"type": "recording.status", "camera": str(camera.public_id), "state": "failing",
                     "label": "Failing", "reason": "The camera stopped sending video.",
                     "changed_at": event["changed_at"], "last_segment_at": None}
    assert await streams[1].receive_nothing(timeout=0.5)
    assert await streams[2].receive_nothing(timeout=0.2)
    for stream in streams:
        await stream.disconnect()


@pytest.mark.django_db
def test_a_channel_layer_that_is_down_costs_the_push_not_the_recording(world: World, monkeypatch,
                                                                       django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    """Regression: with Redis gone, the push after commit raised out of the recorder and killed it."""
    import redis

    from portal import events

    class LayerDown:
        async def group_send(self, group: str, event: dict) -> None:
            raise redis.ConnectionError("Error 111 connecting")

    monkeypatch.setattr(events, "get_channel_layer", LayerDown)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        changed = health.set_state(world.camera_a1.pk, world.camera_a1.public_id, HealthState.RECONNECTING,
                                   "Connecting.")

    assert changed and len(callbacks) == 1
    assert RecordingHealth.objects.get(camera=world.camera_a1).state == HealthState.RECONNECTING


# --- the settings page -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_changes_recording_on_the_settings_page(world: World, client_for: Callable) -> None:
    client = client_for(world.admin)
    url = reverse("camera_recording", args=[world.camera_a1_sub.public_id])
    assert "Motion events only" in client.get(url).content.decode()

    response = client.post(url, {"mode": "events", "stream": "sub", "pre_roll_seconds": "15",
                                 "post_roll_seconds": "20", "continuous_retention_days": "",
                                 "event_retention_days": "90"})

    assert response.status_code == 302
    row = RecordingSettings.objects.get(camera=world.camera_a1_sub)
    assert (row.mode, row.stream, row.pre_roll_seconds, row.event_retention_days) == ("events", "sub", 15, 90)
    assert row.continuous_retention_days is None
    detail = client.get(reverse("camera_detail", args=[world.camera_a1_sub.public_id])).content.decode()
    assert "badge-rec-waiting" in detail


@pytest.mark.django_db
def test_bad_values_come_back_on_the_form_and_nothing_is_saved(world: World, client_for: Callable) -> None:
    url = reverse("camera_recording", args=[world.camera_a1.public_id])
    response = client_for(world.admin).post(url, {"mode": "continuous", "stream": "main",
                                                  "pre_roll_seconds": "301", "post_roll_seconds": "5"})

    assert response.status_code == 200
    assert "pre_roll_seconds" in response.context["form"].errors
    assert not RecordingSettings.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("operator", 403), ("admin_b", 404),
                                             ("restricted_viewer", 403)])
def test_the_settings_page_is_for_managers_of_the_camera(world: World, client_for: Callable, who: str,
                                                         status: int) -> None:
    url = reverse("camera_recording", args=[world.camera_a1.public_id])
    client = client_for(getattr(world, who))

    assert client.get(url).status_code == status
    assert client.post(url, {"mode": "continuous", "stream": "main", "pre_roll_seconds": "5",
                             "post_roll_seconds": "5"}).status_code == status
    assert not RecordingSettings.objects.exists()
