"""The recording API through the access gate: settings, footage in a range, storage; isolation everywhere."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.renderers import JSONRenderer
from rest_framework.test import APIClient

from recordings.footage import index
from recordings.footage.api import _intervals
from recordings.footage.models import RecordingSettings, Segment, StoragePolicy
from recordings.footage.serializers import RangeAnswerSerializer, SegmentSerializer
from tests.api.conftest import API
from tests.conftest import World
from tests.footage.helpers import add, run_of

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)
Api = Callable[[str], APIClient]


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def settings_url(camera) -> str:  # type: ignore[no-untyped-def]
    return f"{API}/cameras/{camera.public_id}/recording/"


def range_url(camera, start: datetime = T0, end: datetime | None = None, **extra: str) -> str:  # type: ignore[no-untyped-def]
    query = {"start": start.isoformat(), "end": (end or start + timedelta(hours=1)).isoformat(), **extra}
    return f"{API}/cameras/{camera.public_id}/recordings/?" + "&".join(
        f"{k}={v.replace('+', '%2B')}" for k, v in query.items()
    )


def storage_url(organization) -> str:  # type: ignore[no-untyped-def]
    return f"{API}/organizations/{organization.pk}/storage/"


# --- settings ------------------------------------------------------------------------------


def test_settings_read_as_off_with_health_until_saved(world: World, api_as: Api) -> None:
    response = api_as("viewer").get(settings_url(world.camera_a1))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["mode"], body["stream"], body["pre_roll_seconds"], body["updated_at"]) == ("off", "main", 10, None)
    assert body["health"]["state"] == "off"


def test_an_admin_switches_recording_on(world: World, api_as: Api) -> None:
    response = api_as("admin").patch(settings_url(world.camera_a1_sub),
                                     {"mode": "continuous", "stream": "sub"}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["mode"], response.json()["health"]["state"]) == ("continuous", "waiting")
    assert RecordingSettings.objects.get(camera=world.camera_a1_sub).stream == "sub"


def test_put_needs_every_field(world: World, api_as: Api) -> None:
    response = api_as("admin").put(settings_url(world.camera_a1), {"mode": "events"}, format="json")

    assert response.status_code == 400
    assert "stream" in response.json()
    assert not RecordingSettings.objects.exists()


@pytest.mark.parametrize(("body", "field"), [
    ({"mode": "always"}, "mode"),
    ({"pre_roll_seconds": 301}, "pre_roll_seconds"),
    ({"event_retention_days": 0}, "event_retention_days"),
    ({"pre_roll_seconds": "lots"}, "pre_roll_seconds"),
])  # fmt: skip
def test_bad_settings_answer_400_with_the_field(world: World, api_as: Api, body: dict, field: str) -> None:
    response = api_as("admin").patch(settings_url(world.camera_a1), body, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json() and response.json()["detail"]
    assert not RecordingSettings.objects.exists()


@pytest.mark.parametrize(("who", "status"), [("viewer", 403), ("operator", 403), ("token_viewer", 403),
                                             ("admin_b", 404), ("token_b", 404), ("outsider", 404),
                                             ("anonymous", 401)])
def test_only_managers_of_the_camera_change_settings(world: World, api_as: Api, who: str, status: int) -> None:
    response = api_as(who).patch(settings_url(world.camera_a1), {"mode": "continuous"}, format="json")

    assert response.status_code == status
    assert not RecordingSettings.objects.exists()


def test_a_foreign_camera_is_missing_even_with_bad_values(world: World, api_as: Api) -> None:
    assert api_as("admin_b").patch(settings_url(world.camera_a1), {"mode": "x"}, format="json").status_code == 404
    assert api_as("admin_b").get(settings_url(world.camera_a1)).status_code == 404
    assert api_as("restricted_viewer").get(settings_url(world.camera_a2)).status_code == 404


def test_options_tells_who_may_change_recording_settings(world: World, api_as: Api) -> None:
    """OPTIONS here answered 500: the metadata's PUT check asked the viewset for a queryset it did not have."""
    admin, viewer = api_as("admin").options(settings_url(world.camera_a1)), api_as("viewer").options(
        settings_url(world.camera_a1))

    assert (admin.status_code, viewer.status_code) == (200, 200)
    assert "mode" in admin.json()["actions"]["PUT"]
    assert "actions" not in viewer.json()


# --- footage in a range ------------------------------------------------------------------------


def test_a_range_lists_segments_and_gaps(world: World, api_as: Api) -> None:
    run_of(world.camera_a1, at(0), 3)
    run_of(world.camera_a1, at(40), 2)

    response = api_as("viewer").get(range_url(world.camera_a1, at(0), at(70)))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["camera"], body["stream"], body["covered_seconds"]) == (str(world.camera_a1.public_id), "main", 50)
    assert [g["seconds"] for g in body["gaps"]] == [10, 10]  # 30..40 and 60..70
    assert len(body["segments"]) == 5
    assert set(body["segments"][0]) == {"start", "end", "duration", "bytes", "kind", "has_motion", "codec",
                                        "width", "height", "tier"}


def test_coverage_alone_on_request(world: World, api_as: Api) -> None:
    run_of(world.camera_a1, at(0), 3)

    body = api_as("viewer").get(range_url(world.camera_a1, at(0), at(30), segments="false")).json()
    assert body["segments"] == [] and body["covered_seconds"] == 30


def test_the_sub_stream_is_read_by_default_when_it_is_the_one_recorded(world: World, api_as: Api) -> None:
    api_as("admin").patch(settings_url(world.camera_a1_sub), {"mode": "continuous", "stream": "sub"}, format="json")
    add(world.camera_a1_sub, at(0), stream="sub")

    body = api_as("viewer").get(range_url(world.camera_a1_sub, at(0), at(10))).json()
    assert (body["stream"], len(body["segments"])) == ("sub", 1)
    assert api_as("viewer").get(range_url(world.camera_a1_sub, at(0), at(10), stream="main")).json()["segments"] == []


@pytest.mark.parametrize(("query", "field"), [
    ("start=2026-03-01T08:00:00Z", "end"),
    ("start=yesterday&end=2026-03-01T08:00:00Z", "start"),
    ("start=2026-03-01T09:00:00Z&end=2026-03-01T08:00:00Z", "end"),
    ("start=2026-03-01T08:00:00Z&end=2026-03-02T08:00:01Z", "end"),
    ("start=2026-03-01T08:00:00Z&end=2026-03-01T09:00:00Z&stream=third", "stream"),
])  # fmt: skip
def test_a_bad_range_is_a_clear_400(world: World, api_as: Api, query: str, field: str) -> None:
    response = api_as("viewer").get(f"{API}/cameras/{world.camera_a1.public_id}/recordings/?{query}")

    assert response.status_code == 400, response.content
    assert response.json()[field]


@pytest.mark.parametrize("who", ["admin_b", "token_b", "outsider"])
def test_foreign_footage_is_missing(world: World, api_as: Api, who: str) -> None:
    run_of(world.camera_a1, at(0), 3)

    assert api_as(who).get(range_url(world.camera_a1, at(0), at(30))).status_code == 404
    assert api_as(who).get(f"{API}/cameras/{world.camera_a1.public_id}/recordings/?start=bad").status_code == 404


def test_a_restricted_viewer_reaches_only_their_sites_cameras(world: World, api_as: Api) -> None:
    run_of(world.camera_a2, at(0), 1)

    assert api_as("restricted_viewer").get(range_url(world.camera_a2, at(0), at(10))).status_code == 404
    assert api_as("restricted_viewer").get(range_url(world.camera_a1, at(0), at(10))).status_code == 200


# --- storage -----------------------------------------------------------------------------------------


def test_storage_shows_usage_quota_and_each_cameras_share(world: World, api_as: Api) -> None:
    StoragePolicy.objects.create(organization=world.org_a, quota_bytes=10_000)
    run_of(world.camera_a1, at(0), 2, size=2000)
    add(world.camera_a2, at(0), size=1000)
    add(world.camera_b, at(0), size=99_999)
    world.camera_a2.delete()  # its footage stays counted until retention

    response = api_as("viewer").get(storage_url(world.org_a))

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["used_bytes"], body["segments"], body["quota_bytes"], body["used_share"]) == (5000, 3, 10_000, 0.5)
    assert [(c["camera_name"], c["bytes"]) for c in body["cameras"]] == [("A1 Entrance", 4000)]
    assert body["other_bytes"] == 1000


def test_storage_of_an_organization_without_footage_is_empty(world: World, api_as: Api) -> None:
    body = api_as("owner").get(storage_url(world.org_a)).json()
    assert (body["used_bytes"], body["quota_bytes"], body["used_share"], body["cameras"]) == (0, None, None, [])


@pytest.mark.parametrize(("who", "status"), [("admin_b", 404), ("token_b", 404), ("outsider", 404),
                                             ("restricted_viewer", 403), ("anonymous", 401)])
def test_other_organizations_storage_is_not_visible(world: World, api_as: Api, who: str, status: int) -> None:
    add(world.camera_a1, at(0))
    response = api_as(who).get(storage_url(world.org_a))

    assert response.status_code == status
    assert "used_bytes" not in response.json()


def test_owners_and_admins_change_quota_and_default_retention(world: World, api_as: Api) -> None:
    response = api_as("admin").patch(storage_url(world.org_a), {"quota_bytes": 5 * 10**9,
                                                                "continuous_retention_days": 3}, format="json")

    assert response.status_code == 200, response.content
    assert (response.json()["quota_bytes"], response.json()["continuous_retention_days"]) == (5 * 10**9, 3)
    assert api_as("viewer").patch(storage_url(world.org_a), {"quota_bytes": 1}, format="json").status_code == 403
    assert api_as("admin_b").patch(storage_url(world.org_a), {"quota_bytes": 1}, format="json").status_code == 404
    bad = api_as("admin").patch(storage_url(world.org_a), {"event_retention_days": 0}, format="json")
    assert bad.status_code == 400 and "event_retention_days" in bad.json()
    assert StoragePolicy.objects.get(organization=world.org_a).quota_bytes == 5 * 10**9


def test_the_schema_documents_the_recording_api(world: World, api_as: Api) -> None:
    paths = api_as("viewer").get("/api/schema/?format=json").json()["paths"]

    assert {"get", "put", "patch"} <= set(paths["/api/v1/cameras/{id}/recording/"])
    assert "get" in paths["/api/v1/cameras/{id}/recordings/"]
    assert {"get", "patch"} <= set(paths["/api/v1/organizations/{id}/storage/"])


def test_a_range_starting_in_the_year_1_answers_empty_not_500(world: World, api_as: Api) -> None:
    """Regression: the index's range query moved the start 300 s back, out of datetime's range (500)."""
    start = datetime(1, 1, 1, tzinfo=UTC)
    response = api_as("viewer").get(range_url(world.camera_a1, start, start + timedelta(hours=1)))

    assert response.status_code == 200, response.content
    assert response.json()["covered"] == []


def answer_data(camera, answer: index.RangeAnswer) -> dict:  # type: ignore[no-untyped-def]
    """What the view gives its serializer."""
    return {"camera": camera.public_id, "stream": answer.stream, "start": answer.start, "end": answer.end,
            "covered_seconds": answer.covered_seconds, "covered": _intervals(answer.covered),
            "gaps": _intervals(answer.gaps), "segments": answer.segments}


@pytest.mark.sqlite
def test_the_listing_is_the_document_drfs_fields_and_renderer_write(world: World, api_as: Api) -> None:
    """The day listing skips the per-segment fields and renders with orjson: the bytes must not change for that."""
    for offset in (0, 10.000001, 20.5, 30.999999):
        add(world.camera_a1, at(offset), 9.5, size=1234)
    motion = add(world.camera_a1, at(40), 10.0, kind="buffer")
    Segment.objects.filter(pk=motion.pk).update(has_motion=True, kind="event")
    answer = index.footage_in_range(world.camera_a1.pk, "main", at(0), at(60))
    document = dict(RangeAnswerSerializer(answer_data(world.camera_a1, answer)).data)
    document["segments"] = [SegmentSerializer().to_representation(segment) for segment in answer.segments]

    response = api_as("viewer").get(range_url(world.camera_a1, at(0), at(60)))

    assert response.status_code == 200, response.content
    assert response.content == JSONRenderer().render(document)
    assert response.json()["segments"][1]["start"] == "2026-03-01T08:00:10.000001Z"


def test_with_another_time_zone_active_segments_go_through_the_fields(world: World) -> None:
    add(world.camera_a1, at(0))
    answer = index.footage_in_range(world.camera_a1.pk, "main", at(0), at(10))

    with timezone.override("Europe/Paris"):
        listed = RangeAnswerSerializer(answer_data(world.camera_a1, answer)).data["segments"]

    assert listed[0]["start"] == "2026-03-01T09:00:00+01:00"
