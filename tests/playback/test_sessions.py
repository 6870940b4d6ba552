"""Playback sessions through the API, on real PostgreSQL and real fMP4 files: playlist, bytes, gate, expiry."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from recordings.footage import layout
from recordings.footage.models import Segment
from recordings.playback import sessions
from tests.api.conftest import API
from tests.conftest import World
from tests.playback.helpers import record

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]
T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)
Api = Callable[[str], APIClient]


def open_session(client: APIClient, camera, start: datetime = T0, end: datetime | None = None,  # type: ignore[no-untyped-def]
                 **extra: str):
    body = {"start": start.isoformat(), "end": (end or start + timedelta(hours=1)).isoformat(), **extra}
    return client.post(f"{API}/cameras/{camera.public_id}/playback/", body, format="json")


def path_of(url: str) -> str:
    return urlsplit(url).path


def segment_urls(playlist_url: str, text: str) -> list[str]:
    return [path_of(urljoin(playlist_url, line)) for line in text.splitlines() if line.startswith("s/")]


@pytest.fixture
def recorded(world: World, footage_root: Path, fmp4_files: list[Path]) -> list[Segment]:
    return record(world.camera_a1, fmp4_files, T0)


def test_a_viewer_plays_recorded_footage_through_a_playlist(world: World, api_as: Api, recorded: list) -> None:
    viewer = api_as("viewer")
    created = open_session(viewer, world.camera_a1)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["stream"], body["live"], body["codecs"]) == ("main", False, recorded[0].codecs)
    assert body["codecs"].startswith("avc1.")

    playlist = viewer.get(path_of(body["playlist_url"]))
    assert playlist.status_code == 200, playlist.content
    assert playlist["Content-Type"] == "application/vnd.apple.mpegurl"
    text = playlist.content.decode()
    first = recorded[0]
    assert f'#EXT-X-MAP:URI="s/{first.pk}.mp4",BYTERANGE="{first.init_size}@0"' in text
    assert "#EXT-X-PLAYLIST-TYPE:VOD" in text and text.rstrip().endswith("#EXT-X-ENDLIST")
    assert "#EXT-X-PROGRAM-DATE-TIME:2026-03-01T08:00:00.000Z" in text
    assert "#EXT-X-DISCONTINUITY" not in text  # one run, back to back
    assert text.count("#EXT-X-MAP") == 1
    urls = segment_urls(body["playlist_url"], text)
    assert len(urls) == len(recorded)

    # The segment's media part, by the byte range the playlist names.
    file_bytes = layout.path_of(first.key).read_bytes()
    part = viewer.get(urls[0], HTTP_RANGE=f"bytes={first.init_size}-{first.bytes - 1}")
    assert part.status_code == 206
    assert b"".join(part.streaming_content) == file_bytes[first.init_size:]
    assert part["Content-Range"] == f"bytes {first.init_size}-{first.bytes - 1}/{first.bytes}"
    init = viewer.get(urls[0], HTTP_RANGE=f"bytes=0-{first.init_size - 1}")
    assert b"".join(init.streaming_content) == file_bytes[:first.init_size]


def test_every_session_is_audited_with_who_camera_and_range(world: World, api_as: Api, recorded: list) -> None:
    body = open_session(api_as("viewer"), world.camera_a1).json()

    event = AuditEvent.objects.get(action="playback.start")
    assert (event.actor, event.organization, event.target_id) == (world.viewer, world.org_a,
                                                                  str(world.camera_a1.public_id))
    assert event.detail == {"session": body["session"], "stream": "main", "start": T0.isoformat(),
                            "end": (T0 + timedelta(hours=1)).isoformat()}


def test_gaps_and_new_runs_are_discontinuities_with_their_own_map(world: World, api_as: Api, recorded: list,
                                                                  fmp4_files: list[Path]) -> None:
    later = record(world.camera_a1, fmp4_files, T0 + timedelta(minutes=5), run="0ddba11a")
    viewer = api_as("viewer")
    body = open_session(viewer, world.camera_a1).json()

    text = viewer.get(path_of(body["playlist_url"])).content.decode()

    assert text.count("#EXT-X-DISCONTINUITY") == 1
    assert text.count("#EXT-X-MAP") == 2
    assert f'#EXT-X-MAP:URI="s/{later[0].pk}.mp4"' in text
    assert "#EXT-X-PROGRAM-DATE-TIME:2026-03-01T08:05:00.000Z" in text


def test_a_range_reaching_past_now_is_an_event_playlist(world: World, api_as: Api, footage_root: Path,
                                                        fmp4_files: list[Path]) -> None:
    start = timezone.now() - timedelta(minutes=1)
    record(world.camera_a1, fmp4_files, start)
    viewer = api_as("viewer")
    body = open_session(viewer, world.camera_a1, start, start + timedelta(hours=1)).json()

    text = viewer.get(path_of(body["playlist_url"])).content.decode()

    assert body["live"] is True
    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in text and "#EXT-X-ENDLIST" not in text


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["admin_b", "outsider", "token_b", "anonymous"])
def test_a_copied_playlist_url_answers_404_to_anyone_else(world: World, api_as: Api, recorded: list,
                                                          who: str) -> None:
    body = open_session(api_as("owner"), world.camera_a1).json()
    owner_text = api_as("owner").get(path_of(body["playlist_url"])).content.decode()
    segment = segment_urls(body["playlist_url"], owner_text)[0]

    assert api_as(who).get(path_of(body["playlist_url"])).status_code == 404
    assert api_as(who).get(segment).status_code == 404


def test_same_organization_colleague_cannot_use_anothers_session(world: World, api_as: Api,
                                                                  recorded: list) -> None:
    body = open_session(api_as("owner"), world.camera_a1).json()

    assert api_as("viewer").get(path_of(body["playlist_url"])).status_code == 404


def test_an_api_token_session_is_the_tokens_alone(world: World, api_as: Api, recorded: list) -> None:
    body = open_session(api_as("token_viewer"), world.camera_a1).json()
    url = path_of(body["playlist_url"])

    assert api_as("token_viewer").get(url).status_code == 200
    assert api_as("owner").get(url).status_code == 404  # the token's creator, signed in as a person


def test_losing_access_ends_the_session_at_the_next_request(world: World, api_as: Api, recorded: list) -> None:
    viewer = api_as("viewer")
    body = open_session(viewer, world.camera_a1).json()
    text = viewer.get(path_of(body["playlist_url"])).content.decode()
    segment = segment_urls(body["playlist_url"], text)[0]

    world.membership(world.viewer).delete()

    assert viewer.get(path_of(body["playlist_url"])).status_code == 404
    assert viewer.get(segment).status_code == 404


def test_an_expired_session_answers_404(world: World, api_as: Api, recorded: list, settings,  # type: ignore[no-untyped-def]
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    viewer = api_as("viewer")
    body = open_session(viewer, world.camera_a1).json()
    text = viewer.get(path_of(body["playlist_url"])).content.decode()
    segment = segment_urls(body["playlist_url"], text)[0]
    expires_at = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert expires_at - timezone.now() <= timedelta(seconds=settings.CCTV_PLAYBACK_SESSION_SECONDS)

    later = expires_at + timedelta(seconds=1)
    monkeypatch.setattr(sessions.timezone, "now", lambda: later)

    assert viewer.get(path_of(body["playlist_url"])).status_code == 404
    assert viewer.get(segment).status_code == 404


def test_an_altered_token_answers_404(world: World, api_as: Api, recorded: list) -> None:
    viewer = api_as("viewer")
    body = open_session(viewer, world.camera_a1).json()
    token = path_of(body["playlist_url"]).split("/")[2]
    session = sessions.unsign(token)
    # Same signature, another camera: the signature no longer matches.
    forged = token.replace(token.split(":")[0], sessions.sign(
        sessions.Session(session.id, session.principal, world.camera_b.public_id, session.stream, session.start,
                         session.end, session.expires_at)).split(":")[0])

    assert viewer.get(f"/playback/{forged}/index.m3u8").status_code == 404
    assert viewer.get(f"/playback/{token[:-2]}xx/index.m3u8").status_code == 404


def test_a_session_serves_only_its_own_cameras_segments(world: World, api_as: Api, recorded: list,
                                                        fmp4_files: list[Path]) -> None:
    foreign = record(world.camera_b, fmp4_files, T0)[0]
    outside = record(world.camera_a1, fmp4_files[:1], T0 + timedelta(hours=3))[0]
    viewer = api_as("viewer")
    body = open_session(viewer, world.camera_a1).json()
    base = path_of(body["playlist_url"]).rsplit("/", 1)[0]

    assert viewer.get(f"{base}/s/{recorded[0].pk}.mp4").status_code == 200
    assert viewer.get(f"{base}/s/{foreign.pk}.mp4").status_code == 404
    assert viewer.get(f"{base}/s/{outside.pk}.mp4").status_code == 404  # outside the session's range


@pytest.mark.parametrize("who", ["admin_b", "outsider", "restricted_viewer"])
def test_a_foreign_camera_answers_404_and_opens_nothing(world: World, api_as: Api, recorded: list,
                                                        fmp4_files: list[Path], who: str) -> None:
    camera = world.camera_a2 if who == "restricted_viewer" else world.camera_a1
    record(world.camera_a2, fmp4_files, T0)

    response = open_session(api_as(who), camera)

    assert response.status_code == 404
    assert not AuditEvent.objects.filter(action="playback.start").exists()


@pytest.mark.parametrize(("start", "end", "field"), [
    (T0, T0 - timedelta(seconds=1), "end"),
    (T0, T0 + timedelta(hours=25), "end"),
    (T0 + timedelta(days=3), T0 + timedelta(days=3, hours=1), "detail"),  # nothing recorded there
    (datetime(1, 1, 1, tzinfo=UTC), datetime(1, 1, 1, 1, tzinfo=UTC), "detail"),
])  # fmt: skip
def test_bad_ranges_answer_400_with_a_message(world: World, api_as: Api, recorded: list, start: datetime,
                                              end: datetime, field: str) -> None:
    response = open_session(api_as("viewer"), world.camera_a1, start, end)

    assert response.status_code == 400, response.content
    assert response.json()[field]
    assert not AuditEvent.objects.filter(action="playback.start").exists()


def test_unreadable_input_answers_400(world: World, api_as: Api, recorded: list) -> None:
    response = api_as("viewer").post(f"{API}/cameras/{world.camera_a1.public_id}/playback/",
                                     {"start": "yesterday", "end": T0.isoformat(), "stream": "third"},
                                     format="json")

    assert response.status_code == 400
    assert set(response.json()) >= {"start", "stream"}


# --- bytes: nginx in the compose deployment ------------------------------------------------------


def test_with_an_accel_prefix_nginx_sends_the_bytes(world: World, api_as: Api, recorded: list, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CCTV_PLAYBACK_ACCEL_PREFIX = "/_footage/"
    viewer = api_as("viewer")
    body = open_session(viewer, world.camera_a1).json()
    segment = segment_urls(body["playlist_url"], viewer.get(path_of(body["playlist_url"])).content.decode())[0]

    response = viewer.get(segment, HTTP_RANGE="bytes=0-99")

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == f"/_footage/{recorded[0].key}"
    assert response.content == b""


def test_a_segment_whose_file_is_gone_answers_404(world: World, api_as: Api, recorded: list) -> None:
    viewer = api_as("viewer")
    body = open_session(viewer, world.camera_a1).json()
    segment = segment_urls(body["playlist_url"], viewer.get(path_of(body["playlist_url"])).content.decode())[0]
    layout.path_of(recorded[0].key).unlink()

    response = viewer.get(segment)

    assert response.status_code == 404
    assert re.search("no longer stored", response.content.decode())


@pytest.mark.parametrize("segment_id", ["99999999999999999999999", "0"])
def test_segment_ids_out_of_range_answer_404(world: World, api_as: Api, recorded: list, segment_id: str) -> None:
    viewer = api_as("viewer")
    body = open_session(viewer, world.camera_a1).json()
    base = path_of(body["playlist_url"]).rsplit("/", 1)[0]

    assert viewer.get(f"{base}/s/{segment_id}.mp4").status_code == 404


def test_an_organization_turning_on_mfa_ends_sessions_of_people_without_it(world: World, api_as: Api,
                                                                           recorded: list) -> None:
    viewer = api_as("viewer")
    body = open_session(viewer, world.camera_a1).json()
    text = viewer.get(path_of(body["playlist_url"])).content.decode()
    segment = segment_urls(body["playlist_url"], text)[0]
    world.org_a.require_mfa = True
    world.org_a.save()

    # Like the API: a 403 that says why (a player cannot follow a redirect to a page); no footage comes back.
    for url in (path_of(body["playlist_url"]), segment):
        response = viewer.get(url)
        assert response.status_code == 403 and "two-factor" in response.json()["detail"].lower(), response.content
