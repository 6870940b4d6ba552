"""Legal holds: which footage they protect as it comes and goes, audit, the API and the admin, isolation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from recordings.footage import holds, housekeeping, services, settle
from recordings.footage.models import LegalHold, Segment
from tests.api.conftest import API, rows
from tests.conftest import World
from tests.footage.helpers import add, ended_ago
from tests.footage.test_retention import kept

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)
HOLDS = f"{API}/holds/"
Api = Callable[[str], APIClient]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def held(*segments: Segment) -> list[bool]:
    return [Segment.objects.get(pk=segment.pk).held for segment in segments]


def hold(world: World, start: datetime, end: datetime, camera=None, reason: str = "Case 2026/114") -> LegalHold:  # type: ignore[no-untyped-def]
    return holds.create_hold(world.admin, (camera or world.camera_a1).public_id, start=start, end=end, reason=reason)


# --- which footage -----------------------------------------------------------------------------


@pytest.mark.sqlite
def test_a_hold_flags_the_cameras_footage_in_its_range_on_every_stream(world: World) -> None:
    before, first, last, after = (add(world.camera_a1, at(s)) for s in (0, 10, 20, 30))
    sub = add(world.camera_a1_sub, at(10), stream="sub")
    sub_same_camera = add(world.camera_a1, at(15), stream="sub")
    other_camera = add(world.camera_a2, at(15))

    created = hold(world, at(15), at(25))

    assert held(before, first, last, after, sub_same_camera, sub, other_camera) == [
        False, True, True, False, True, False, False]
    event = AuditEvent.objects.get(action="hold.create")
    assert (event.organization_id, event.target_id, event.actor) == (world.org_a.pk, str(created.public_id),
                                                                     world.admin)
    assert event.detail["reason"] == "Case 2026/114" and event.detail["segments"] == 3
    assert event.detail["start"] == at(15).isoformat() and event.detail["camera"] == str(world.camera_a1.public_id)


@pytest.mark.sqlite
def test_footage_recorded_into_a_held_range_later_is_held_as_it_is_indexed(world: World) -> None:
    hold(world, at(0), at(3600))  # a range that reaches into the future

    inside, outside = add(world.camera_a1, at(100)), add(world.camera_a1, at(4000))

    assert (inside.held, outside.held) == (True, False)
    assert held(inside, outside) == [True, False]


@pytest.mark.sqlite
def test_lifting_a_hold_releases_its_footage_but_not_what_another_hold_covers(world: World) -> None:
    segments = [add(world.camera_a1, at(s)) for s in (0, 10, 20, 30)]
    first, second = hold(world, at(0), at(25)), hold(world, at(22), at(40), reason="Second case")

    holds.lift_hold(world.admin, first)

    assert held(*segments) == [False, False, True, True]
    assert not LegalHold.objects.filter(pk=first.pk).exists()
    lifted = AuditEvent.objects.get(action="hold.lift")
    assert lifted.target_id == str(first.public_id) and lifted.detail["reason"] == "Case 2026/114"
    holds.lift_hold(world.admin, second)
    assert held(*segments) == [False] * 4


@pytest.mark.sqlite
def test_moving_a_hold_releases_the_old_range_and_holds_the_new(world: World) -> None:
    segments = [add(world.camera_a1, at(s)) for s in (0, 10, 20, 30)]
    created = hold(world, at(0), at(15))

    moved = holds.update_hold(world.admin, created, start=at(22), end=at(40), reason="Case 2026/114, part 2")

    assert held(*segments) == [False, False, True, True]
    assert (moved.start, moved.end) == (at(22), at(40))
    event = AuditEvent.objects.get(action="hold.update")
    assert event.detail["changed"] == ["end", "reason", "start"] and event.detail["before"]["end"] == at(15).isoformat()


@pytest.mark.sqlite
def test_a_deleted_cameras_hold_keeps_protecting_and_can_still_be_lifted(world: World, footage_root: Path) -> None:
    now = timezone.now()
    old = ended_ago(world.camera_a2, now, days=10)
    created = hold(world, old.start, old.end, camera=world.camera_a2)
    world.camera_a2.delete()
    created.refresh_from_db()

    housekeeping.expire_footage(now, 100)
    assert kept(old) == [True] and created.camera_id is None
    with pytest.raises(ValidationError, match="can be lifted but not moved"):
        holds.update_hold(world.admin, created, end=old.end + timedelta(hours=1))

    holds.lift_hold(world.admin, created)
    housekeeping.expire_footage(now, 100)
    assert kept(old) == [False]


@pytest.mark.sqlite
def test_the_events_mode_buffer_keeps_held_footage(world: World, footage_root: Path) -> None:
    now = timezone.now()
    buffered = [ended_ago(world.camera_a1, now, minutes=m, kind="buffer") for m in (5, 4, 3)]  # no event claims them
    hold(world, buffered[1].start, buffered[1].end)
    plan = services.Plan(world.camera_a1.pk, world.camera_a1.public_id, world.org_a.pk, "UTC", "events", ("main",),
                         timedelta(seconds=5), timedelta(seconds=5))

    settle.settle(plan, now)

    assert kept(*buffered) == [False, True, False]


@pytest.mark.parametrize(("values", "field"), [
    ({"start": at(10), "end": at(10)}, "end"),
    ({"start": at(10), "end": at(0)}, "end"),
    ({"start": datetime(2026, 3, 1, 8, 0), "end": at(10)}, "start"),  # noqa: DTZ001  (no time zone: refused)
    ({"reason": "   "}, "reason"),
    ({"reason": "x" * 501}, "reason"),
])  # fmt: skip
def test_bad_holds_are_refused_with_the_field(world: World, values: dict, field: str) -> None:
    with pytest.raises(ValidationError) as refused:
        holds.create_hold(world.admin, world.camera_a1.public_id, **{"start": at(0), "end": at(10),
                                                                     "reason": "Case", **values})

    assert field in refused.value.message_dict
    assert not LegalHold.objects.exists() and not AuditEvent.objects.filter(action="hold.create").exists()


def test_only_managers_of_the_camera_set_holds(world: World) -> None:
    for who in (world.viewer, world.operator):
        with pytest.raises(PermissionDenied):
            holds.create_hold(who, world.camera_a1.public_id, start=at(0), end=at(10), reason="Case")
    for who in (world.admin_b, world.outsider):
        with pytest.raises(Http404):
            holds.create_hold(who, world.camera_a1.public_id, start=at(0), end=at(10), reason="Case")
    assert not LegalHold.objects.exists()


# --- the API -----------------------------------------------------------------------------------


def body(camera, start: datetime = T0, end: datetime | None = None, reason: str = "Police request 88") -> dict:  # type: ignore[no-untyped-def]
    return {"camera": str(camera.public_id), "start": start.isoformat(),
            "end": (end or start + timedelta(hours=1)).isoformat(), "reason": reason}


@pytest.mark.sqlite
def test_an_admin_sets_changes_and_lifts_a_hold_through_the_api(world: World, api_as: Api) -> None:
    segment = add(world.camera_a1, at(60))
    client = api_as("admin")

    created = client.post(HOLDS, body(world.camera_a1), format="json")
    assert created.status_code == 201, created.content
    data = created.json()
    assert (data["camera"], data["camera_name"], data["organization"]) == (str(world.camera_a1.public_id),
                                                                           "A1 Entrance", world.org_a.pk)
    assert (data["reason"], data["created_by"], data["camera_deleted"]) == ("Police request 88", world.admin.email,
                                                                            False)
    assert held(segment) == [True]
    url = f"{HOLDS}{data['id']}/"
    assert [row["id"] for row in rows(client.get(HOLDS, {"camera": str(world.camera_a1.public_id)}))] == [data["id"]]
    assert rows(client.get(HOLDS, {"covers": at(10).isoformat()}))
    assert rows(client.get(HOLDS, {"covers": at(7200).isoformat()})) == []

    changed = client.patch(url, {"start": at(120).isoformat(), "camera": str(world.camera_a2.public_id)},
                           format="json")
    assert changed.status_code == 200, changed.content
    assert changed.json()["camera"] == str(world.camera_a1.public_id)  # the camera stays
    assert held(segment) == [False]

    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert list(AuditEvent.objects.filter(action__startswith="hold.").order_by("pk").values_list("action", flat=True)
                ) == ["hold.create", "hold.update", "hold.lift"]


@pytest.mark.parametrize(("change", "field"), [
    ({"end": T0.isoformat()}, "end"),
    ({"start": "yesterday"}, "start"),
    ({"reason": ""}, "reason"),
    ({"camera": "not-an-id"}, "camera"),
])  # fmt: skip
def test_bad_input_is_a_400_with_the_field(world: World, api_as: Api, change: dict, field: str) -> None:
    response = api_as("admin").post(HOLDS, {**body(world.camera_a1), **change}, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json() and response.json()["detail"]
    assert not LegalHold.objects.exists()


@pytest.mark.parametrize("who", ["admin_b", "token_b", "outsider", "restricted_viewer"])
def test_foreign_holds_answer_404_and_are_never_listed(world: World, api_as: Api, who: str) -> None:
    own = hold(world, at(0), at(60), camera=world.camera_a2)
    url = f"{HOLDS}{own.public_id}/"
    client = api_as(who)

    assert rows(client.get(HOLDS)) == []
    assert client.get(url).status_code == 404
    assert client.patch(url, {"reason": "mine now"}, format="json").status_code == 404
    assert client.delete(url).status_code == 404
    assert client.post(HOLDS, body(world.camera_a2), format="json").status_code in (403, 404)
    assert list(LegalHold.objects.values_list("pk", "reason")) == [(own.pk, "Case 2026/114")]


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("operator", 403), ("token_viewer", 403),
                                             ("anonymous", 401)])
def test_members_who_do_not_manage_cannot_see_or_change_holds(world: World, api_as: Api, who: str,
                                                              status: int) -> None:
    own = hold(world, at(0), at(60))
    client = api_as(who)

    assert client.get(f"{HOLDS}{own.public_id}/").status_code == status
    assert client.delete(f"{HOLDS}{own.public_id}/").status_code == status
    assert client.post(HOLDS, body(world.camera_a1), format="json").status_code == status
    if who != "anonymous":
        assert rows(client.get(HOLDS)) == []
    assert LegalHold.objects.count() == 1


def test_a_token_of_an_admin_sets_a_hold(world: World, api_as: Api) -> None:
    response = api_as("token_admin").post(HOLDS, body(world.camera_a1), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["created_by"].startswith("API token A integration")
    assert LegalHold.objects.get().created_by is None


def test_the_schema_documents_holds(world: World, api_as: Api) -> None:
    paths = api_as("viewer").get("/api/schema/?format=json").json()["paths"]

    assert {"get", "post"} <= set(paths["/api/v1/holds/"])
    assert {"get", "put", "patch", "delete"} <= set(paths["/api/v1/holds/{id}/"])


# --- the admin ---------------------------------------------------------------------------------


def test_the_admin_lists_own_holds_only_and_sets_lifts_them_through_the_service(
    world: World, client_for: Callable[..., Client]
) -> None:
    foreign = holds.create_hold(world.admin_b, world.camera_b.public_id, start=at(0), end=at(60), reason="B case")
    segment = add(world.camera_a1, at(30))
    client = client_for(world.admin)

    added = client.post(reverse("admin:footage_legalhold_add"), {
        "camera": world.camera_a1.pk, "start_0": "2026-03-01", "start_1": "08:00:00", "end_0": "2026-03-01",
        "end_1": "09:00:00", "reason": "Insurance claim 5"})

    assert added.status_code == 302, added.content.decode()[-3000:]
    own = LegalHold.objects.get(organization=world.org_a)
    assert (own.reason, held(segment)) == ("Insurance claim 5", [True])
    assert AuditEvent.objects.filter(action="hold.create", organization=world.org_a).exists()
    listing = client.get(reverse("admin:footage_legalhold_changelist"))
    assert list(listing.context["cl"].result_list) == [own]
    assert client.get(reverse("admin:footage_legalhold_change", args=[foreign.pk])).status_code == 404
    assert client.post(reverse("admin:footage_legalhold_delete", args=[foreign.pk]), {"post": "yes"}).status_code == 404

    lifted = client.post(reverse("admin:footage_legalhold_delete", args=[own.pk]), {"post": "yes"})
    assert lifted.status_code == 302
    assert not LegalHold.objects.filter(pk=own.pk).exists() and held(segment) == [False]
    assert AuditEvent.objects.filter(action="hold.lift", organization=world.org_a).exists()
    assert LegalHold.objects.filter(pk=foreign.pk).exists()


def test_the_admin_cannot_hold_a_foreign_camera(world: World, client_for: Callable[..., Client]) -> None:
    response = client_for(world.admin).post(reverse("admin:footage_legalhold_add"), {
        "camera": world.camera_b.pk, "start_0": "2026-03-01", "start_1": "08:00:00", "end_0": "2026-03-01",
        "end_1": "09:00:00", "reason": "Not mine"})

    assert response.status_code == 200
    assert "camera" in response.context["adminform"].form.errors
    assert not LegalHold.objects.exists()
