"""Acknowledging many alerts at once (ticked ones, or all the page showed) with one note; the badge."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from recordings import motion
from recordings.models import MotionEvent
from tests.conftest import World
from tests.recordings.motion_helpers import acknowledged, make_event

pytestmark = pytest.mark.django_db

BULK = "/alerts/acknowledge/"


def _post(client: object, data: dict) -> object:
    return client.post(BULK, {"next": "/alerts/", **data}, follow=True)  # type: ignore[attr-defined]


def _open(*events: MotionEvent) -> list[bool]:
    return [not MotionEvent.objects.get(pk=event.pk).is_acknowledged for event in events]


def test_the_ticked_alerts_are_acknowledged_with_one_note_each_audited(world: World, client_for: Callable) -> None:
    first, second, untouched = make_event(world.camera_a1), make_event(world.camera_a2), make_event(world.camera_a1)

    response = _post(client_for(world.operator), {
        "scope": "selected", "event": [str(first.public_id), str(second.public_id)], "note": "Cleaners",
    })

    assert response.redirect_chain[-1][0] == "/alerts/"
    assert "2 alerts acknowledged." in response.content.decode()
    assert _open(first, second, untouched) == [False, False, True]
    for event in (first, second):
        event.refresh_from_db()
        assert (event.acknowledged_by, event.acknowledgement_note) == (world.operator, "Cleaners")
    audited = AuditEvent.objects.filter(action="motion.acknowledge")
    assert sorted(audited.values_list("target_id", flat=True)) == sorted([str(first.public_id), str(second.public_id)])
    assert {entry.actor for entry in audited} == {world.operator}


def test_all_shown_acknowledges_exactly_the_rows_the_page_listed(world: World, client_for: Callable) -> None:
    shown = [make_event(world.camera_a1) for _ in range(3)]
    not_shown = make_event(world.camera_a1)

    response = _post(client_for(world.operator), {
        "scope": "shown", "shown": [str(event.public_id) for event in shown],
        "event": [str(not_shown.public_id)],  # a ticked box does not widen "all shown"
    })

    assert "3 alerts acknowledged." in response.content.decode()
    assert _open(*shown, not_shown) == [False, False, False, True]


def test_ten_alerts_at_once_from_the_page(world: World, client_for: Callable) -> None:
    events = [make_event(world.camera_a1, snapshot=None) for _ in range(10)]
    client = client_for(world.operator)
    page = client.get(reverse("alert_list")).content.decode()
    assert "Acknowledge all shown (10)" in page
    for event in events:
        assert f'<input type="hidden" name="shown" value="{event.public_id}">' in page
        assert f'form="bulk-ack" name="event" value="{event.public_id}"' in page

    _post(client, {"scope": "shown", "shown": [str(event.public_id) for event in events], "note": "Drill"})

    assert MotionEvent.objects.filter(acknowledgement_note="Drill").count() == 10
    assert 'data-count="0" hidden' in client.get(reverse("alert_list")).content.decode()


def test_viewers_get_no_bulk_form_and_their_posts_change_nothing(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1)
    client = client_for(world.viewer)
    assert 'id="bulk-ack"' not in client.get(reverse("alert_list")).content.decode()

    response = _post(client, {"scope": "selected", "event": [str(event.public_id)]})

    assert response.status_code == 200
    assert "1 alert could not be acknowledged" in response.content.decode()
    assert _open(event) == [True]
    assert not AuditEvent.objects.filter(action="motion.acknowledge").exists()


def test_foreign_and_unreadable_ids_are_refused_and_the_rest_goes_through(world: World, client_for: Callable) -> None:
    mine, foreign = make_event(world.camera_a1), make_event(world.camera_b)

    response = _post(client_for(world.operator), {
        "scope": "selected", "event": [str(mine.public_id), str(foreign.public_id), "not-an-id"],
    })

    body = response.content.decode()
    assert "1 alert acknowledged." in body and "2 alerts could not be acknowledged" in body
    assert str(foreign.public_id) not in body
    assert _open(mine, foreign) == [False, True]


def test_alerts_someone_else_acknowledged_are_reported_not_overwritten(world: World, client_for: Callable) -> None:
    done = acknowledged(make_event(world.camera_a1), by="admin@a.example.test", note="first")
    response = _post(client_for(world.operator), {"scope": "selected", "event": [str(done.public_id)], "note": "x"})
    assert "1 alert had been acknowledged by someone else already." in response.content.decode()
    done.refresh_from_db()
    assert (done.acknowledged_by_label, done.acknowledgement_note) == ("admin@a.example.test", "first")


@pytest.mark.parametrize(("data", "message"), [
    ({"event": []}, "Choose the alerts to acknowledge."),
    ({"scope": "selected", "event": ["  "]}, "Choose the alerts to acknowledge."),
    ({"note": "x" * 501}, "Keep the note under 500 characters."),
    ({"many": True}, f"Acknowledge at most {motion.MAX_BULK} alerts at once."),
])
def test_bad_requests_are_a_message_and_change_nothing(
    world: World, client_for: Callable, data: dict, message: str
) -> None:
    event = make_event(world.camera_a1)
    if data.pop("many", False):
        data = {"scope": "selected", "event": [str(event.public_id)] + [f"{n:032x}" for n in range(motion.MAX_BULK)]}
    else:
        data = {"scope": "selected", "event": [str(event.public_id)], **data}
    response = _post(client_for(world.operator), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _open(event) == [True]
    assert not AuditEvent.objects.filter(action="motion.acknowledge").exists()


def test_bulk_acknowledge_needs_post_and_a_login(world: World, client_for: Callable, client) -> None:  # type: ignore[no-untyped-def]
    assert client_for(world.operator).get(BULK).status_code == 405
    response = client.post(BULK, {"event": [str(make_event(world.camera_a1).public_id)]})
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_foreign_next_url_is_ignored(world: World, client_for: Callable) -> None:
    event = make_event(world.camera_a1)
    response = client_for(world.operator).post(
        BULK, {"event": [str(event.public_id)], "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("alert_list")


# --- the badge ---------------------------------------------------------------------------------------------


def test_the_badge_leaves_out_alerts_of_deleted_cameras(world: World, client_for: Callable) -> None:
    from recordings import alerts

    make_event(world.camera_a1)
    make_event(world.camera_a2)
    world.camera_a2.delete()
    assert alerts.unacknowledged_count(world.viewer) == 1
    assert 'data-count="1"' in client_for(world.viewer).get(reverse("alert_list")).content.decode()
