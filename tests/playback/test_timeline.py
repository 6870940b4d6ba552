"""The timeline API: coverage, gaps and motion events with pre-roll, through the gate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.test import APIClient

from recordings.footage.models import RecordingSettings
from recordings.models import MotionEvent
from tests.api.conftest import API
from tests.conftest import World
from tests.footage.helpers import run_of

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]
T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)
Api = Callable[[str], APIClient]


def url(camera, start: str, end: str, **extra: str) -> str:  # type: ignore[no-untyped-def]
    query = {"start": start, "end": end, **extra}
    return f"{API}/cameras/{camera.public_id}/timeline/?" + "&".join(
        f"{k}={v.replace('+', '%2B')}" for k, v in query.items())


def hour_url(camera) -> str:  # type: ignore[no-untyped-def]
    return url(camera, T0.isoformat(), (T0 + timedelta(hours=1)).isoformat())


def event(camera, start: datetime, seconds: float | None = 20) -> MotionEvent:  # type: ignore[no-untyped-def]
    return MotionEvent.objects.create(
        organization=camera.site.organization, camera=camera, camera_name=camera.name, started_at=start,
        ended_at=None if seconds is None else start + timedelta(seconds=seconds), peak_score=0.2)


def test_timeline_lists_coverage_gaps_and_events_with_their_pre_roll(world: World, api_as: Api) -> None:
    camera = world.camera_a1
    RecordingSettings.objects.create(camera=camera, mode="continuous", pre_roll_seconds=15)
    run_of(camera, T0, 6)  # 08:00:00 - 08:01:00
    run_of(camera, T0 + timedelta(minutes=10), 3)  # 08:10:00 - 08:10:30
    first = event(camera, T0 + timedelta(seconds=30))
    ongoing = event(camera, T0 + timedelta(minutes=10, seconds=5), None)
    event(camera, T0 - timedelta(hours=2))  # before the range
    event(world.camera_a2, T0 + timedelta(minutes=1))  # another camera

    response = api_as("viewer").get(hour_url(camera))

    assert response.status_code == 200, response.content
    body = response.json()
    assert [(c["start"], c["end"]) for c in body["covered"]] == [
        ("2026-03-01T08:00:00Z", "2026-03-01T08:01:00Z"), ("2026-03-01T08:10:00Z", "2026-03-01T08:10:30Z")]
    assert [(g["start"], g["end"]) for g in body["gaps"]] == [
        ("2026-03-01T08:01:00Z", "2026-03-01T08:10:00Z"), ("2026-03-01T08:10:30Z", "2026-03-01T09:00:00Z")]
    assert body["pre_roll_seconds"] == 15
    assert [(e["id"], e["play_from"], e["ended_at"]) for e in body["events"]] == [
        (str(first.public_id), "2026-03-01T08:00:15Z", "2026-03-01T08:00:50Z"),
        (str(ongoing.public_id), "2026-03-01T08:09:50Z", None)]
    assert body["events_truncated"] is False


@pytest.mark.parametrize("who", ["admin_b", "outsider", "token_b"])
def test_a_foreign_cameras_timeline_answers_404(world: World, api_as: Api, who: str) -> None:
    run_of(world.camera_a1, T0, 2)

    assert api_as(who).get(hour_url(world.camera_a1)).status_code == 404


def test_a_restricted_viewer_sees_only_their_sites_timelines(world: World, api_as: Api) -> None:
    assert api_as("restricted_viewer").get(hour_url(world.camera_a1)).status_code == 200
    assert api_as("restricted_viewer").get(hour_url(world.camera_a2)).status_code == 404


@pytest.mark.parametrize(("start", "end", "field"), [
    ("2026-03-01T08:00:00Z", "2026-03-01T07:00:00Z", "end"),
    ("2026-03-01T08:00:00Z", "2026-03-09T08:00:00Z", "end"),
    ("soon", "2026-03-01T07:00:00Z", "start"),
])  # fmt: skip
def test_bad_ranges_answer_400(world: World, api_as: Api, start: str, end: str, field: str) -> None:
    response = api_as("viewer").get(url(world.camera_a1, start, end))

    assert response.status_code == 400, response.content
    assert response.json()[field]


@pytest.mark.parametrize(("start", "end"), [
    ("0001-01-01T00:00:00Z", "0001-01-01T01:00:00Z"),
    ("9999-12-31T22:00:00Z", "9999-12-31T23:59:00Z"),
])  # fmt: skip
def test_ranges_at_the_ends_of_the_calendar_answer_empty_not_500(world: World, api_as: Api, start: str,
                                                                  end: str) -> None:
    """Regression: a range starting in the year 1 raised OverflowError in the index's range query (500)."""
    response = api_as("viewer").get(url(world.camera_a1, start, end))

    assert response.status_code == 200, response.content
    assert (response.json()["covered"], len(response.json()["gaps"])) == ([], 1)
