"""Motion alert pages: the alert list, acknowledging, snapshots, the nav badge, camera motion settings."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from unittest import mock

import httpx
import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from cameras.go2rtc import Go2RTCClient, Go2RTCError
from cameras.models import Camera, Gateway
from cameras.streams import stream_name
from recordings.models import MotionEvent, MotionSettings
from recordings.schedules import MAX_WINDOWS
from tests.conftest import World
from tests.recordings.motion_helpers import JPEG_BYTES, acknowledged, make_event, schedule_rows

pytestmark = pytest.mark.django_db

ALERTS = "/alerts/"


def _page(client: object, params: dict | None = None) -> str:
    response = client.get(ALERTS, params or {})  # type: ignore[attr-defined]
    assert response.status_code == 200
    return response.content.decode()


# --- the alert list ------------------------------------------------------------------------------


def test_alert_list_shows_only_events_of_visible_cameras(world: World, client_for: Callable) -> None:
    a1, a2, b = make_event(world.camera_a1), make_event(world.camera_a2), make_event(world.camera_b)

    page = _page(client_for(world.viewer))
    assert f'data-event="{a1.public_id}"' in page and f'data-event="{a2.public_id}"' in page
    assert str(b.public_id) not in page
    assert reverse("motion_snapshot", args=[a1.public_id]) in page
    assert "A Head Office" in page and "12 s" in page and "12.3 %" in page

    restricted = _page(client_for(world.restricted_viewer))
    assert str(a1.public_id) in restricted and str(a2.public_id) not in restricted

    assert str(a1.public_id) not in _page(client_for(world.outsider))
    assert str(b.public_id) in _page(client_for(world.admin_b))


def test_alert_list_needs_a_login(world: World, client) -> None:  # type: ignore[no-untyped-def]
    response = client.get(ALERTS)
    assert response.status_code == 302 and "login" in response["Location"]


def test_newest_first_in_site_time(world: World, client_for: Callable) -> None:
    now = timezone.now()
    old = make_event(world.camera_a1, started_at=now - timedelta(hours=3))
    new = make_event(world.camera_a1, started_at=now - timedelta(minutes=1))
    page = _page(client_for(world.viewer))
    assert page.index(str(new.public_id)) < page.index(str(old.public_id))
    assert "CET" in page or "CEST" in page  # site A1 is in Europe/Paris


def test_filters_by_camera_site_dates_and_acknowledged(world: World, client_for: Callable) -> None:
    a1, a2 = make_event(world.camera_a1), acknowledged(make_event(world.camera_a2))
    client = client_for(world.admin)

    page = _page(client, {"camera": world.camera_a2.public_id})
    assert str(a2.public_id) in page and str(a1.public_id) not in page
    page = _page(client, {"site": world.site_a1.public_id})
    assert str(a1.public_id) in page and str(a2.public_id) not in page
    page = _page(client, {"acknowledged": "yes"})
    assert str(a2.public_id) in page and str(a1.public_id) not in page
    page = _page(client, {"acknowledged": "no"})
    assert str(a1.public_id) in page and str(a2.public_id) not in page
    page = _page(client, {"date_from": "2000-01-01", "date_to": "2000-01-02"})
    assert "No alerts match this filter" in page
    today = timezone.localdate().isoformat()
    page = _page(client, {"date_from": today, "date_to": today})
    assert str(a1.public_id) in page and str(a2.public_id) in page


def test_bad_filter_values_are_ignored_with_a_message(world: World, client_for: Callable) -> None:
    a1 = make_event(world.camera_a1)
    page = _page(client_for(world.admin), {
        "camera": world.camera_b.public_id, "date_from": "yesterday", "acknowledged": "maybe",
    })
    assert "Ignored the filters that were not understood: camera, from, acknowledged." in page
    assert str(a1.public_id) in page  # nothing was filtered out by them


def test_the_named_event_is_highlighted_on_its_page(world: World, client_for: Callable) -> None:
    now = timezone.now()
    events = [make_event(world.camera_a1, started_at=now - timedelta(minutes=n), snapshot=None) for n in range(30)]
    target = events[27]  # the 28th newest: page 2 of 25
    response = client_for(world.viewer).get(ALERTS, {"event": target.public_id})
    assert response.context["page"].number == 2
    page = response.content.decode()
    assert f'id="event-{target.public_id}" data-event="{target.public_id}"' in page
    assert 'class="is-highlighted" aria-current="true"' in page
    # A foreign event is just "not in this list".
    other = make_event(world.camera_b)
    assert "That alert is not in this list" in _page(client_for(world.viewer), {"event": other.public_id})
    assert "That alert is not in this list" in _page(client_for(world.viewer), {"event": "nope"})


def test_acknowledge_form_only_for_roles_that_may(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1)
    action = reverse("motion_acknowledge", args=[event.public_id])
    assert f'action="{action}"' in _page(client_for(world.operator))
    viewer_page = _page(client_for(world.viewer))
    assert f'action="{action}"' not in viewer_page and "Not acknowledged" in viewer_page


def test_event_text_is_escaped(world: World, client_for: Callable) -> None:
    make_event(world.camera_a1, camera_name='<script>alert("x")</script>')
    page = _page(client_for(world.viewer))
    assert '<script>alert("x")</script>' not in page and "&lt;script&gt;" in page


def test_live_config_is_only_for_the_unfiltered_first_page(world: World, client_for: Callable) -> None:
    make_event(world.camera_a1)
    response = client_for(world.operator).get(ALERTS)
    config = json.loads(response.context["alerts_config"])
    assert config["live"] is True
    assert set(config["ackCameras"]) == {str(c.public_id) for c in world.cameras_a}
    assert config["ackUrl"] == "/alerts/{event}/acknowledge/"
    filtered = client_for(world.operator).get(ALERTS, {"acknowledged": "no"})
    assert json.loads(filtered.context["alerts_config"])["live"] is False


# --- acknowledging -----------------------------------------------------------------------------------


def test_operator_acknowledges_with_a_note_and_it_is_audited(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1)
    response = client_for(world.operator).post(
        reverse("motion_acknowledge", args=[event.public_id]), {"note": "Cleaner, all fine", "next": "/alerts/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/alerts/"
    assert "acknowledged" in response.content.decode()
    event.refresh_from_db()
    assert event.is_acknowledged and event.acknowledged_by == world.operator
    assert event.acknowledgement_note == "Cleaner, all fine"
    audit = AuditEvent.objects.get(action="motion.acknowledge")
    assert (audit.actor, audit.target_id, audit.organization) == (world.operator, str(event.public_id), world.org_a)
    assert "Cleaner, all fine" in response.content.decode()


def test_viewer_may_not_acknowledge(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1)
    response = client_for(world.viewer).post(reverse("motion_acknowledge", args=[event.public_id]))
    assert response.status_code == 403
    event.refresh_from_db()
    assert not event.is_acknowledged
    assert not AuditEvent.objects.filter(action="motion.acknowledge").exists()


@pytest.mark.parametrize("who", ["outsider", "admin_b"])
def test_foreign_event_is_not_found(world: World, client_for: Callable, who: str) -> None:
    event = make_event(world.camera_a1)
    response = client_for(getattr(world, who)).post(reverse("motion_acknowledge", args=[event.public_id]))
    assert response.status_code == 404
    event.refresh_from_db()
    assert not event.is_acknowledged


def test_restricted_operator_cannot_reach_other_sites(world: World, client_for: Callable) -> None:
    from accounts.roles import Role
    from tests.support.factories import make_member, make_user

    operator = make_user()
    make_member(operator, world.org_a, Role.OPERATOR, sites=[world.site_a1])
    event = make_event(world.camera_a2)
    assert client_for(operator).post(reverse("motion_acknowledge", args=[event.public_id])).status_code == 404


def test_double_acknowledge_is_a_message_not_an_error(world: World, client_for: Callable) -> None:
    event = acknowledged(make_event(world.camera_a1), by="admin@a.example.test")
    response = client_for(world.operator).post(reverse("motion_acknowledge", args=[event.public_id]), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == f"/alerts/?event={event.public_id}"
    assert "admin@a.example.test acknowledged this alert at" in response.content.decode()
    event.refresh_from_db()
    assert event.acknowledged_by_label == "admin@a.example.test"


def test_too_long_note_is_a_message(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1)
    response = client_for(world.operator).post(
        reverse("motion_acknowledge", args=[event.public_id]), {"note": "x" * 501}, follow=True
    )
    assert "Keep the note under 500 characters." in response.content.decode()
    event.refresh_from_db()
    assert not event.is_acknowledged


def test_acknowledge_ignores_a_foreign_next_url(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1)
    response = client_for(world.operator).post(
        reverse("motion_acknowledge", args=[event.public_id]), {"next": "https://evil.example/"}
    )
    assert response["Location"] == f"/alerts/?event={event.public_id}"


def test_acknowledge_needs_post(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1)
    assert client_for(world.operator).get(reverse("motion_acknowledge", args=[event.public_id])).status_code == 405


# --- snapshots -----------------------------------------------------------------------------------------


def test_snapshot_is_served_to_viewers_of_the_camera(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1)
    response = client_for(world.restricted_viewer).get(reverse("motion_snapshot", args=[event.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content) == JPEG_BYTES


@pytest.mark.parametrize("who", ["outsider", "admin_b", "restricted_viewer"])
def test_snapshot_of_a_camera_out_of_scope_is_not_found(world: World, client_for: Callable, who: str) -> None:
    event = make_event(world.camera_a2)
    response = client_for(getattr(world, who)).get(reverse("motion_snapshot", args=[event.public_id]))
    assert response.status_code == 404


def test_event_without_snapshot_is_not_found(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1, snapshot=None)
    assert client_for(world.viewer).get(reverse("motion_snapshot", args=[event.public_id])).status_code == 404


def test_open_event_snapshot_is_not_cached(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1, seconds=None)
    response = client_for(world.viewer).get(reverse("motion_snapshot", args=[event.public_id]))
    assert response["Cache-Control"] == "private, no-cache"


# --- navigation badge ------------------------------------------------------------------------------


def _badge(client: object) -> str:
    page = client.get(reverse("dashboard")).content.decode()  # type: ignore[attr-defined]
    start = page.index("data-alert-badge ")
    return page[start : page.index("</a>", start)]


@pytest.mark.sqlite
def test_nav_badge_counts_recent_unacknowledged_alerts_of_visible_cameras(
    world: World, client_for: Callable
) -> None:
    now = timezone.now()
    make_event(world.camera_a1)
    make_event(world.camera_a2)
    acknowledged(make_event(world.camera_a1))
    make_event(world.camera_a1, started_at=now - timedelta(hours=25))
    make_event(world.camera_a1, alerted=False)
    make_event(world.camera_b)

    badge = _badge(client_for(world.viewer))
    assert 'data-count="2"' in badge and "hidden" not in badge.split(">")[0]
    assert 'data-count="1"' in _badge(client_for(world.restricted_viewer))
    assert 'data-count="0" hidden' in _badge(client_for(world.outsider))

    body = client_for(world.viewer).get(reverse("alert_badge")).json()
    assert body["count"] == 2


@pytest.mark.sqlite
def test_badge_caps_its_count(world: World, client_for: Callable) -> None:
    for _ in range(101):
        make_event(world.camera_a1, snapshot=None)
    assert ">99+<" in _badge(client_for(world.viewer))


def test_every_signed_in_page_has_the_alerts_link_toasts_and_script(world: World, client_for: Callable) -> None:
    page = client_for(world.viewer).get(reverse("clip_list")).content.decode()
    assert f'href="{reverse("alert_list")}"' in page
    assert 'aria-live="polite"' in page and "data-alert-toasts" in page
    assert "js/alerts.js" in page


def test_signed_out_pages_have_no_alert_script(world: World, client) -> None:  # type: ignore[no-untyped-def]
    page = client.get(reverse("account_login")).content.decode()
    assert "js/alerts.js" not in page and "data-alert-toasts" not in page


# --- camera motion settings -----------------------------------------------------------------------------


WEEKNIGHTS = {"days": ["0", "1", "2", "3", "4"], "start": "18:00", "end": "07:00"}


def _settings_post(*windows: dict[str, object], saved: int = 0, **overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "enabled": "on", "sensitivity": "70", "min_area": "1.5", "analysis_fps": "4", "cooldown_seconds": "120",
        "masks": json.dumps([[[0, 0], [0.5, 0], [0.5, 0.5]]]),
        **schedule_rows(*(windows or (WEEKNIGHTS,)), saved=saved),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_admin_saves_motion_settings(world: World, client_for: Callable) -> None:
    url = reverse("camera_motion", args=[world.camera_a1.public_id])
    response = client_for(world.admin).post(url, _settings_post())
    assert response.status_code == 302 and response["Location"] == url
    saved = MotionSettings.objects.get(camera=world.camera_a1)
    assert (saved.enabled, saved.sensitivity, saved.min_area, saved.analysis_fps, saved.cooldown_seconds) == (
        True, 70, 1.5, 4, 120
    )
    assert saved.schedule == [{"days": [0, 1, 2, 3, 4], "start": "18:00", "end": "07:00"}]
    assert saved.masks == [[[0.0, 0.0], [0.5, 0.0], [0.5, 0.5]]]
    assert AuditEvent.objects.filter(action="motion.settings", actor=world.admin).exists()

    page = client_for(world.admin).get(url).content.decode()
    assert "[[[0.0, 0.0], [0.5, 0.0], [0.5, 0.5]]]" in page.replace("&quot;", '"')
    assert 'value="18:00"' in page and reverse("camera_snapshot", args=[world.camera_a1.public_id]) in page


def test_empty_schedule_means_always(world: World, client_for: Callable) -> None:
    url = reverse("camera_motion", args=[world.camera_a1.public_id])
    client_for(world.admin).post(url, _settings_post({"start": "", "end": ""}, enabled=None, masks=""))
    saved = MotionSettings.objects.get(camera=world.camera_a1)
    assert (saved.enabled, saved.schedule, saved.masks) == (False, [], [])


def test_bad_mask_is_shown_next_to_the_masks(world: World, client_for: Callable) -> None:
    url = reverse("camera_motion", args=[world.camera_a1.public_id])
    response = client_for(world.admin).post(url, _settings_post(masks=json.dumps([[[0, 0], [1, 1]]])))
    assert response.status_code == 200
    assert response.context["form"].errors["masks"] == ["A mask is a polygon of 3 to 64 points."]
    assert "A mask is a polygon of 3 to 64 points." in response.content.decode()
    assert not MotionSettings.objects.exists()


def test_unreadable_masks_are_a_field_error(world: World, client_for: Callable) -> None:
    url = reverse("camera_motion", args=[world.camera_a1.public_id])
    response = client_for(world.admin).post(url, _settings_post(masks="[[[0,0]"))
    assert "could not be read" in response.context["form"].errors["masks"][0]
    assert not MotionSettings.objects.exists()


@pytest.mark.parametrize(
    ("window", "message"),
    [
        ({**WEEKNIGHTS, "start": "25:00"}, "Enter a valid time."),
        ({**WEEKNIGHTS, "end": ""}, "Give both a start and an end time, or neither."),
        ({**WEEKNIGHTS, "days": ["7"]}, "Select a valid choice. 7 is not one of the available choices."),
    ],
)
def test_a_bad_window_is_shown_in_its_row_and_nothing_is_saved(
    world: World, client_for: Callable, window: dict, message: str
) -> None:
    url = reverse("camera_motion", args=[world.camera_a1.public_id])
    response = client_for(world.admin).post(url, _settings_post(WEEKNIGHTS, window))
    assert response.status_code == 200
    assert response.context["form"].windows.errors[0] == {}
    assert message in str(response.context["form"].windows.errors[1])
    assert message in response.content.decode()
    assert not MotionSettings.objects.exists()


def test_more_windows_than_a_schedule_holds_are_refused_whole(world: World, client_for: Callable) -> None:
    url = reverse("camera_motion", args=[world.camera_a1.public_id])
    response = client_for(world.admin).post(url, _settings_post(*[WEEKNIGHTS] * (MAX_WINDOWS + 1)))
    assert response.status_code == 200
    assert f"A schedule has at most {MAX_WINDOWS} time windows." in response.content.decode()
    assert not MotionSettings.objects.exists()


def test_a_post_without_the_window_rows_is_an_error_not_a_crash(world: World, client_for: Callable) -> None:
    url = reverse("camera_motion", args=[world.camera_a1.public_id])
    data = {k: v for k, v in _settings_post().items() if not k.startswith("window-")}
    response = client_for(world.admin).post(url, data)
    assert response.status_code == 200
    assert "ManagementForm data is missing" in response.content.decode()
    assert not MotionSettings.objects.exists()


def test_days_without_times_mean_all_day_and_times_without_days_every_day(
    world: World, client_for: Callable
) -> None:
    url = reverse("camera_motion", args=[world.camera_a1.public_id])
    client_for(world.admin).post(url, _settings_post({"days": ["5", "6"]}, {"start": "22:00", "end": "06:00"}))
    assert MotionSettings.objects.get(camera=world.camera_a1).schedule == [
        {"days": [5, 6], "start": "00:00", "end": "00:00"},
        {"days": [0, 1, 2, 3, 4, 5, 6], "start": "22:00", "end": "06:00"},
    ]


def test_out_of_range_numbers_come_back_from_the_service(world: World, client_for: Callable) -> None:
    url = reverse("camera_motion", args=[world.camera_a1.public_id])
    response = client_for(world.admin).post(url, _settings_post(sensitivity="0", analysis_fps="30"))
    errors = response.context["form"].errors
    assert "sensitivity" in errors and "analysis_fps" in errors
    assert not MotionSettings.objects.exists()


def test_every_window_of_a_schedule_is_shown_changed_removed_or_added(world: World, client_for: Callable) -> None:
    MotionSettings.objects.create(camera=world.camera_a1, schedule=[
        {"days": [0], "start": "08:00", "end": "09:00"}, {"days": [5, 6], "start": "00:00", "end": "23:59"},
    ])
    url = reverse("camera_motion", args=[world.camera_a1.public_id])
    page = client_for(world.admin).get(url).content.decode()
    assert page.count("data-schedule-window") == 3  # the two windows and a blank row to add one
    assert 'value="08:00"' in page and 'value="23:59"' in page and "Window 2" in page

    client_for(world.admin).post(url, _settings_post(
        {"days": ["0", "2"], "start": "08:00", "end": "10:00"},
        {"days": ["5", "6"], "start": "00:00", "end": "23:59", "DELETE": "on"},
        {"days": ["4"], "start": "20:00", "end": "23:00"},
        saved=2,
    ))
    assert MotionSettings.objects.get(camera=world.camera_a1).schedule == [
        {"days": [0, 2], "start": "08:00", "end": "10:00"}, {"days": [4], "start": "20:00", "end": "23:00"},
    ]


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("operator", 403), ("admin_b", 404), ("outsider", 404)])
def test_motion_settings_need_the_manage_right(world: World, client_for: Callable, who: str, status: int) -> None:
    url = reverse("camera_motion", args=[world.camera_a1.public_id])
    client = client_for(getattr(world, who))
    assert client.get(url).status_code == status
    assert client.post(url, _settings_post()).status_code == status
    assert not MotionSettings.objects.exists()


def test_camera_pages_link_to_motion_settings(world: World, client_for: Callable) -> None:
    url = reverse("camera_motion", args=[world.camera_a1.public_id])
    assert url in client_for(world.admin).get(reverse("camera_edit", args=[world.camera_a1.public_id])).content.decode()
    page = client_for(world.admin).get(reverse("camera_detail", args=[world.camera_a1.public_id]))
    assert url in page.content.decode()
    assert url not in client_for(world.viewer).get(
        reverse("camera_detail", args=[world.camera_a1.public_id])
    ).content.decode()


# --- the camera's live snapshot ----------------------------------------------------------------------------


@pytest.fixture
def gateway() -> Gateway:
    return Gateway.objects.create(name="gw", api_url="http://gw.internal:1984", rtsp_url="rtsp://gw.internal:8554")


def _on(camera: Camera, gateway: Gateway) -> Camera:
    camera.gateway = gateway
    camera.save(update_fields=["gateway"])
    return camera


@pytest.mark.parametrize("who", ["outsider", "admin_b"])
def test_camera_snapshot_of_a_foreign_camera_is_not_found(
    world: World, client_for: Callable, gateway: Gateway, who: str
) -> None:
    camera = _on(world.camera_a1, gateway)
    with mock.patch.object(Go2RTCClient, "snapshot", autospec=True) as snapshot:
        response = client_for(getattr(world, who)).get(reverse("camera_snapshot", args=[camera.public_id]))
    assert response.status_code == 404
    snapshot.assert_not_called()


def test_camera_snapshot_asks_the_gateway_for_the_sub_stream(
    world: World, client_for: Callable, gateway: Gateway
) -> None:
    camera = _on(world.camera_a1_sub, gateway)
    with mock.patch.object(Go2RTCClient, "snapshot", autospec=True, return_value=JPEG_BYTES) as snapshot:
        response = client_for(world.restricted_viewer).get(reverse("camera_snapshot", args=[camera.public_id]))
    assert response.status_code == 200
    assert (response["Content-Type"], response.content) == ("image/jpeg", JPEG_BYTES)
    assert response["Cache-Control"] == "private, no-store"
    assert snapshot.call_args.args[1] == stream_name(camera.public_id, "sub")


def test_camera_snapshot_failure_is_a_short_503(world: World, client_for: Callable, gateway: Gateway) -> None:
    camera = _on(world.camera_a1, gateway)
    failure = Go2RTCError("gateway unreachable: http://gw.internal:1984 refused", retryable=True)
    with mock.patch.object(Go2RTCClient, "snapshot", autospec=True, side_effect=failure) as snapshot:
        response = client_for(world.viewer).get(reverse("camera_snapshot", args=[camera.public_id]))
    assert response.status_code == 503
    body = response.content.decode()
    assert "gw.internal" not in body and "no picture" in body
    assert snapshot.call_args.args[1] == stream_name(camera.public_id)


def test_camera_without_gateway_has_no_snapshot(world: World, client_for: Callable) -> None:
    response = client_for(world.viewer).get(reverse("camera_snapshot", args=[world.camera_a1.public_id]))
    assert response.status_code == 503


def _client_answering(handler: Callable[[httpx.Request], httpx.Response]) -> Go2RTCClient:
    client = Go2RTCClient("http://gw.internal:1984")
    client._http = httpx.Client(base_url="http://gw.internal:1984", transport=httpx.MockTransport(handler))
    return client


def test_go2rtc_client_snapshot() -> None:
    seen: list[httpx.URL] = []

    def frame(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        return httpx.Response(200, content=JPEG_BYTES, headers={"Content-Type": "image/jpeg"})

    assert _client_answering(frame).snapshot("cam-x-sub") == JPEG_BYTES
    assert (seen[0].path, seen[0].params["src"]) == ("/api/frame.jpeg", "cam-x-sub")

    with pytest.raises(Go2RTCError) as empty:
        _client_answering(lambda request: httpx.Response(200, content=b"")).snapshot("cam-x-sub")
    assert empty.value.retryable
    with pytest.raises(Go2RTCError) as missing:
        _client_answering(lambda request: httpx.Response(404, text="stream not found")).snapshot("cam-x-sub")
    assert not missing.value.retryable
    with pytest.raises(Go2RTCError) as broken:
        _client_answering(lambda request: httpx.Response(500, text="ffmpeg failed")).snapshot("cam-x-sub")
    assert broken.value.retryable


def test_motion_events_survive_in_the_list_after_their_camera_is_deleted(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1)
    world.camera_a1.delete()
    page = _page(client_for(world.admin))
    assert str(event.public_id) in page and "Camera deleted" in page
    assert MotionEvent.objects.get(pk=event.pk).camera is None


@pytest.mark.parametrize("page", ["alert_list", "clip_list"])
@pytest.mark.parametrize("dates", [{"date_to": "9999-12-31"}, {"date_from": "0001-01-01", "date_to": "9999-12-31"}])
def test_date_filters_up_to_the_last_day_there_is(page: str, dates: dict[str, str], world: World,
                                                  client_for: Callable) -> None:
    """To 9999-12-31 was an OverflowError (the day after it does not exist), so a 500."""
    make_event(world.camera_a1)

    response = client_for(world.admin).get(reverse(page), dates)

    assert response.status_code == 200
