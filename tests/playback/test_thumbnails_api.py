"""Preview thumbnails in the API: listed on the timeline with their URLs, served through the access gate."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from recordings.footage import thumbnails
from tests.api.conftest import API
from tests.conftest import World
from tests.footage.helpers import JPEG_BYTES, ended_ago, thumbnail_for

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]
Api = Callable[[str], APIClient]


def _timeline(client: APIClient, camera, start, end) -> dict:  # type: ignore[no-untyped-def]
    response = client.get(f"{API}/cameras/{camera.public_id}/timeline/",
                          {"start": start.isoformat(), "end": end.isoformat()})
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def pictures(world: World, footage_root: Path) -> list:
    """Camera A1: three minutes of footage, two of them with a preview picture; camera A2: one picture."""
    now = timezone.now()
    segments = [ended_ago(world.camera_a1, now, minutes=minutes) for minutes in (12, 11, 10)]
    taken = [thumbnail_for(segments[0]), thumbnail_for(segments[2])]
    thumbnail_for(ended_ago(world.camera_a2, now, minutes=11))
    return taken


def test_the_timeline_lists_the_minutes_with_a_picture_and_their_urls(world: World, api_as: Api,
                                                                     pictures: list) -> None:
    now = timezone.now()

    body = _timeline(api_as("viewer"), world.camera_a1, now - timedelta(hours=1), now)

    assert body["thumbnail_seconds"] == 60
    assert [item["at"] for item in body["thumbnails"]] == [
        picture.minute.isoformat().replace("+00:00", "Z") for picture in pictures]
    assert [item["url"] for item in body["thumbnails"]] == [
        f"http://testserver{API}/cameras/{world.camera_a1.public_id}/thumbnails/{thumbnails.stamp(p.minute)}/"
        for p in pictures]


def test_a_thumbnail_url_answers_the_jpeg_to_whoever_may_view_the_camera(world: World, api_as: Api,
                                                                        pictures: list) -> None:
    now = timezone.now()
    url = _timeline(api_as("viewer"), world.camera_a1, now - timedelta(hours=1), now)["thumbnails"][0]["url"]

    for who in ("viewer", "restricted_viewer", "token_viewer"):
        response = api_as(who).get(url, HTTP_ACCEPT="image/avif,image/webp,image/*,*/*;q=0.8")
        assert response.status_code == 200, (who, response.status_code)
        assert response["Content-Type"] == "image/jpeg"
        assert response["Cache-Control"].startswith("private")
        assert b"".join(response.streaming_content) == JPEG_BYTES


@pytest.mark.parametrize("who", ["admin_b", "outsider", "token_b", "anonymous"])
def test_a_thumbnail_url_copied_from_its_owner_answers_404_to_another_organization(world: World, api_as: Api,
                                                                                  pictures: list, who: str) -> None:
    now = timezone.now()
    url = _timeline(api_as("viewer"), world.camera_a1, now - timedelta(hours=1), now)["thumbnails"][0]["url"]

    response = api_as(who).get(url, HTTP_ACCEPT="image/jpeg")

    assert response.status_code == (401 if who == "anonymous" else 404)
    assert response["Content-Type"] == "application/json"  # an error is never labelled as a picture
    assert JPEG_BYTES not in response.content


def test_a_restricted_viewer_gets_404_for_a_camera_outside_their_site(world: World, api_as: Api,
                                                                     pictures: list) -> None:
    picture = thumbnails.minutes_in_range(world.camera_a2.pk, timezone.now() - timedelta(hours=1),
                                          timezone.now())[0]
    url = f"{API}/cameras/{world.camera_a2.public_id}/thumbnails/{thumbnails.stamp(picture)}/"

    assert api_as("viewer").get(url).status_code == 200
    assert api_as("restricted_viewer").get(url).status_code == 404


def test_a_minute_without_a_picture_or_a_malformed_one_is_a_404_that_says_why(world: World, api_as: Api,
                                                                             pictures: list) -> None:
    base = f"{API}/cameras/{world.camera_a1.public_id}/thumbnails"
    missing = thumbnails.stamp(pictures[0].minute + timedelta(minutes=1))

    for at in (missing, "20261305T000000Z", "yesterday"):
        response = api_as("viewer").get(f"{base}/{at}/", HTTP_ACCEPT="image/jpeg")
        assert response.status_code == 404, at
        assert "preview picture" in response.json()["detail"]


def test_another_cameras_minute_is_not_served_under_this_camera(world: World, api_as: Api, pictures: list) -> None:
    """Camera A2 has a picture at 11 minutes ago, camera A1 none there: the camera in the URL decides."""
    a2_minute = thumbnails.minutes_in_range(world.camera_a2.pk, timezone.now() - timedelta(hours=1),
                                            timezone.now())[0]
    response = api_as("viewer").get(f"{API}/cameras/{world.camera_a1.public_id}/thumbnails/"
                                    f"{thumbnails.stamp(a2_minute)}/")

    assert response.status_code == 404


def test_thumbnails_are_in_the_schema(api_as: Api) -> None:
    schema = api_as("viewer").get("/api/schema/?format=json").json()

    path = schema["paths"]["/api/v1/cameras/{id}/thumbnails/{at}/"]["get"]
    assert "image/jpeg" in path["responses"]["200"]["content"]
    timeline = schema["components"]["schemas"]["Timeline"]["properties"]
    assert {"thumbnails", "thumbnail_seconds"} <= set(timeline)
