"""The motion API: events (scope, filters, acknowledge, snapshot) and a camera's motion settings."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from recordings.models import MotionSettings
from tests.api.conftest import API, rows
from tests.conftest import World
from tests.recordings.motion_helpers import JPEG_BYTES, acknowledged, make_event

pytestmark = pytest.mark.django_db

EVENTS = f"{API}/motion-events/"


def _detail(event: object, suffix: str = "") -> str:
    return f"{EVENTS}{event.public_id}/{suffix}"  # type: ignore[attr-defined]


def _motion(camera: object) -> str:
    return f"{API}/cameras/{camera.public_id}/motion/"  # type: ignore[attr-defined]


def _ids(response: object) -> set[str]:
    return {row["id"] for row in rows(response)}


# --- listing and filters ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "visible"),
    [
        ("viewer", {"a1", "a2"}),
        ("restricted_viewer", {"a1"}),
        ("token_viewer", {"a1", "a2"}),
        ("admin_b", {"b"}),
        ("outsider", set()),
    ],
)
def test_list_holds_only_events_of_visible_cameras(
    world: World, api_as: Callable[[str], APIClient], who: str, visible: set[str]
) -> None:
    events = {"a1": make_event(world.camera_a1), "a2": make_event(world.camera_a2), "b": make_event(world.camera_b)}
    assert _ids(api_as(who).get(EVENTS)) == {str(events[name].public_id) for name in visible}


def test_anonymous_is_refused(world: World, api_as: Callable[[str], APIClient]) -> None:
    assert api_as("anonymous").get(EVENTS).status_code in (401, 403)


def test_event_shape(world: World, api_as: Callable[[str], APIClient]) -> None:
    event = make_event(world.camera_a1, seconds=12)
    body = api_as("viewer").get(_detail(event)).json()
    assert body["id"] == str(event.public_id)
    assert (body["camera"], body["site"]) == (str(world.camera_a1.public_id), str(world.site_a1.public_id))
    assert (body["camera_name"], body["site_name"], body["organization"]) == ("A1 Entrance", "A Head Office",
                                                                             world.org_a.pk)
    assert (body["duration"], body["peak_score"], body["boxes"]) == (12.0, 0.123, [[0.1, 0.2, 0.3, 0.4]])
    assert body["snapshot"] == f"http://testserver{_detail(event, 'snapshot/')}"
    assert (body["acknowledged"], body["acknowledged_by"], body["acknowledged_at"]) == (False, "", None)
    assert "source" not in str(body) and "rtsp" not in str(body)


def test_filters(world: World, api_as: Callable[[str], APIClient]) -> None:
    now = timezone.now()
    old = make_event(world.camera_a1, started_at=now - timedelta(days=2))
    new = acknowledged(make_event(world.camera_a1, started_at=now - timedelta(minutes=1)))
    other = make_event(world.camera_a2, alerted=False)
    client = api_as("admin")

    assert _ids(client.get(EVENTS, {"camera": world.camera_a2.public_id})) == {str(other.public_id)}
    assert _ids(client.get(EVENTS, {"site": world.site_a1.public_id})) == {str(old.public_id), str(new.public_id)}
    since = (now - timedelta(days=1)).isoformat()
    assert _ids(client.get(EVENTS, {"since": since})) == {str(new.public_id), str(other.public_id)}
    assert _ids(client.get(EVENTS, {"until": since})) == {str(old.public_id)}
    assert _ids(client.get(EVENTS, {"acknowledged": "true"})) == {str(new.public_id)}
    assert _ids(client.get(EVENTS, {"acknowledged": "false"})) == {str(old.public_id), str(other.public_id)}
    assert _ids(client.get(EVENTS, {"alerted": "false"})) == {str(other.public_id)}
    # A camera of another organization is a filter that matches nothing, not an error.
    assert _ids(client.get(EVENTS, {"camera": world.camera_b.public_id})) == set()


def test_newest_first(world: World, api_as: Callable[[str], APIClient]) -> None:
    now = timezone.now()
    old = make_event(world.camera_a1, started_at=now - timedelta(hours=2))
    new = make_event(world.camera_a1, started_at=now - timedelta(minutes=2))
    assert [row["id"] for row in rows(api_as("viewer").get(EVENTS))] == [str(new.public_id), str(old.public_id)]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"since": "yesterday"}, "since", "Give an ISO 8601 date and time, such as 2026-03-01T08:00:00Z."),
        ({"until": "2026-13-45T99:00"}, "until", "Give an ISO 8601 date and time, such as 2026-03-01T08:00:00Z."),
        ({"camera": "not-a-uuid"}, "camera", "Give a camera id (a UUID)."),
        ({"site": "12"}, "site", "Give a site id (a UUID)."),
        ({"acknowledged": "maybe"}, "acknowledged", "Use true or false."),
    ],
)
def test_bad_filter_values_are_a_clear_400(
    world: World, api_as: Callable[[str], APIClient], params: dict, field: str, message: str
) -> None:
    response = api_as("viewer").get(EVENTS, params)
    assert response.status_code == 400
    body = response.json()
    assert body[field] == [message] and body["detail"]


@pytest.mark.parametrize("who", ["admin_b", "outsider"])
def test_foreign_event_is_not_found(world: World, api_as: Callable[[str], APIClient], who: str) -> None:
    event = make_event(world.camera_a1)
    assert api_as(who).get(_detail(event)).status_code == 404


def test_malformed_id_is_not_found(world: World, api_as: Callable[[str], APIClient]) -> None:
    assert api_as("viewer").get(f"{EVENTS}nope/").status_code == 404


# --- acknowledging ---------------------------------------------------------------------------------


def test_operator_acknowledges(world: World, api_as: Callable[[str], APIClient]) -> None:
    event = make_event(world.camera_a1)
    response = api_as("operator").post(_detail(event, "acknowledge/"), {"note": "Delivery van"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["acknowledged"], body["acknowledged_by"], body["acknowledgement_note"]) == (
        True, "operator@a.example.test", "Delivery van"
    )
    audit = AuditEvent.objects.get(action="motion.acknowledge")
    assert (audit.actor, audit.target_id) == (world.operator, str(event.public_id))
    assert audit.detail["note"] == "Delivery van"


def test_api_token_acknowledges_without_a_note(world: World, api_as: Callable[[str], APIClient]) -> None:
    event = make_event(world.camera_a2)
    response = api_as("token_admin").post(_detail(event, "acknowledge/"), {}, format="json")
    assert response.status_code == 200
    assert response.json()["acknowledged_by"].startswith("API token A integration")


@pytest.mark.parametrize("who", ["viewer", "restricted_viewer", "token_viewer"])
def test_visible_but_not_allowed_is_403(world: World, api_as: Callable[[str], APIClient], who: str) -> None:
    event = make_event(world.camera_a1)
    response = api_as(who).post(_detail(event, "acknowledge/"), {"note": "x"}, format="json")
    assert response.status_code == 403
    event.refresh_from_db()
    assert not event.is_acknowledged


@pytest.mark.parametrize("who", ["admin_b", "token_b", "outsider"])
def test_acknowledging_a_foreign_event_is_404(world: World, api_as: Callable[[str], APIClient], who: str) -> None:
    event = make_event(world.camera_a1)
    assert api_as(who).post(_detail(event, "acknowledge/"), {}, format="json").status_code == 404
    event.refresh_from_db()
    assert not event.is_acknowledged


def test_double_acknowledge_is_409_naming_who(world: World, api_as: Callable[[str], APIClient]) -> None:
    event = make_event(world.camera_a1)
    assert api_as("operator").post(_detail(event, "acknowledge/"), {}, format="json").status_code == 200
    response = api_as("admin").post(_detail(event, "acknowledge/"), {"note": "me too"}, format="json")
    assert response.status_code == 409
    assert response.json()["detail"].startswith("operator@a.example.test acknowledged this alert at")
    assert AuditEvent.objects.filter(action="motion.acknowledge").count() == 1


def test_too_long_note_is_400(world: World, api_as: Callable[[str], APIClient]) -> None:
    event = make_event(world.camera_a1)
    response = api_as("operator").post(_detail(event, "acknowledge/"), {"note": "x" * 501}, format="json")
    assert response.status_code == 400 and "note" in response.json()


# --- snapshots ---------------------------------------------------------------------------------------


def test_snapshot_is_the_jpeg(world: World, api_as: Callable[[str], APIClient]) -> None:
    event = make_event(world.camera_a1)
    response = api_as("token_viewer").get(_detail(event, "snapshot/"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg" and response["Cache-Control"].startswith("private")
    assert b"".join(response.streaming_content) == JPEG_BYTES
    # Asking for a JPEG explicitly works too.
    response = api_as("viewer").get(_detail(event, "snapshot/"), HTTP_ACCEPT="image/jpeg")
    assert response.status_code == 200


@pytest.mark.parametrize("who", ["admin_b", "outsider", "restricted_viewer"])
def test_snapshot_out_of_scope_is_404(world: World, api_as: Callable[[str], APIClient], who: str) -> None:
    event = make_event(world.camera_a2)
    assert api_as(who).get(_detail(event, "snapshot/")).status_code == 404


@pytest.mark.parametrize("accept", ["image/jpeg", "*/*"])
def test_snapshot_errors_are_labelled_json_whatever_was_accepted(
    world: World, api_as: Callable[[str], APIClient], accept: str
) -> None:
    """A 404 asked for as a JPEG came back as JSON text labelled image/jpeg (so did 401 and 403)."""
    event = make_event(world.camera_a2)

    missing = api_as("restricted_viewer").get(_detail(event, "snapshot/"), HTTP_ACCEPT=accept)
    anonymous = api_as("anonymous").get(_detail(event, "snapshot/"), HTTP_ACCEPT=accept)

    assert (missing.status_code, missing["Content-Type"]) == (404, "application/json")
    assert (anonymous.status_code, anonymous["Content-Type"]) == (401, "application/json")
    assert missing.json() == {"detail": "Not found."}


def test_event_without_snapshot(world: World, api_as: Callable[[str], APIClient]) -> None:
    event = make_event(world.camera_a1, snapshot=None)
    assert api_as("viewer").get(_detail(event)).json()["snapshot"] is None
    response = api_as("viewer").get(_detail(event, "snapshot/"))
    assert response.status_code == 404 and response.json()["detail"]


def test_snapshot_on_s3_is_a_presigned_redirect(world: World, api_as: Callable[[str], APIClient]) -> None:
    event = make_event(world.camera_a1)
    with (
        mock.patch("recordings.storage.is_remote", return_value=True),
        mock.patch("recordings.storage.presigned_url", return_value="https://bucket.example/x?sig=1") as sign,
    ):
        response = api_as("viewer").get(_detail(event, "snapshot/"))
    assert response.status_code == 302 and response["Location"] == "https://bucket.example/x?sig=1"
    assert sign.call_args.args[0] == event.snapshot.name
    assert sign.call_args.kwargs == {"inline": True, "content_type": "image/jpeg"}


# --- motion settings ---------------------------------------------------------------------------------------

FULL = {
    "enabled": True, "sensitivity": 80, "min_area": 2.5, "analysis_fps": 6, "cooldown_seconds": 30,
    "masks": [[[0.1, 0.1], [0.4, 0.1], [0.4, 0.3], [0.1, 0.3]]],
    "schedule": [{"days": [5, 6], "start": "22:00", "end": "06:00"}],
}


def test_settings_default_to_off(world: World, api_as: Callable[[str], APIClient]) -> None:
    response = api_as("viewer").get(_motion(world.camera_a1))
    assert response.status_code == 200
    body = response.json()
    assert body["camera"] == str(world.camera_a1.public_id)
    assert (body["enabled"], body["masks"], body["schedule"], body["updated_at"]) == (False, [], [], None)


def test_settings_round_trip(world: World, api_as: Callable[[str], APIClient]) -> None:
    client = api_as("admin")
    response = client.put(_motion(world.camera_a1), FULL, format="json")
    assert response.status_code == 200, response.json()
    again = api_as("viewer").get(_motion(world.camera_a1)).json()
    assert {key: again[key] for key in FULL} == FULL
    assert again["updated_at"] is not None

    response = client.patch(_motion(world.camera_a1), {"sensitivity": 20}, format="json")
    assert response.status_code == 200
    saved = MotionSettings.objects.get(camera=world.camera_a1)
    assert (saved.sensitivity, saved.analysis_fps, saved.masks) == (20, 6, FULL["masks"])
    assert AuditEvent.objects.filter(action="motion.settings").count() == 2


def test_token_admin_changes_settings(world: World, api_as: Callable[[str], APIClient]) -> None:
    response = api_as("token_admin").patch(_motion(world.camera_a2), {"enabled": True}, format="json")
    assert response.status_code == 200 and response.json()["enabled"] is True


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"sensitivity": 0}, "sensitivity"),
        ({"analysis_fps": 16}, "analysis_fps"),
        ({"min_area": 0}, "min_area"),
        ({"masks": [[[0, 0], [1, 1]]]}, "masks"),
        ({"masks": [[[0, 0], [2, 1], [1, 1]]]}, "masks"),
        ({"masks": "everything"}, "masks"),
        ({"schedule": [{"days": [7], "start": "08:00", "end": "09:00"}]}, "schedule"),
        ({"schedule": [{"days": [1], "start": "8am", "end": "09:00"}]}, "schedule"),
        ({"enabled": "perhaps"}, "enabled"),
    ],
)
def test_bad_settings_are_field_errors(
    world: World, api_as: Callable[[str], APIClient], change: dict, field: str
) -> None:
    response = api_as("admin").patch(_motion(world.camera_a1), change, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body[field] and body["detail"]
    assert not MotionSettings.objects.exists()


def test_put_needs_every_field(world: World, api_as: Callable[[str], APIClient]) -> None:
    response = api_as("admin").put(_motion(world.camera_a1), {"enabled": True}, format="json")
    assert response.status_code == 400 and "sensitivity" in response.json()


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("operator", 403), ("token_viewer", 403)])
def test_changing_settings_needs_manage(
    world: World, api_as: Callable[[str], APIClient], who: str, status: int
) -> None:
    response = api_as(who).patch(_motion(world.camera_a1), {"enabled": True}, format="json")
    assert response.status_code == status
    assert not MotionSettings.objects.exists()


@pytest.mark.parametrize("who", ["admin_b", "token_b", "outsider"])
def test_settings_of_a_foreign_camera_are_404(world: World, api_as: Callable[[str], APIClient], who: str) -> None:
    client = api_as(who)
    assert client.get(_motion(world.camera_a1)).status_code == 404
    assert client.patch(_motion(world.camera_a1), {"sensitivity": "bad"}, format="json").status_code == 404
    assert client.get(f"{API}/cameras/nope/motion/").status_code == 404


def test_schema_documents_the_endpoints(world: World, api_as: Callable[[str], APIClient]) -> None:
    response = api_as("viewer").get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    assert {"get"} <= set(paths["/api/v1/motion-events/"])
    assert "post" in paths["/api/v1/motion-events/{id}/acknowledge/"]
    assert "get" in paths["/api/v1/motion-events/{id}/snapshot/"]
    assert {"get", "put", "patch"} <= set(paths["/api/v1/cameras/{id}/motion/"])
