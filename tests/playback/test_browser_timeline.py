"""The timeline page in a real Chromium, served by Daphne from real PostgreSQL and real fMP4 footage.

The synthetic recording spells its own second in the picture (``timecode``),
so the test reads from the screen which moment is playing: after a click on
the timeline, the frame shown must be from the clicked moment, within one
keyframe interval (1 s here).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.roles import Role
from recordings.footage.models import Segment
from recordings.models import MotionEvent
from tests.live.conftest import Server, _start
from tests.playback.helpers import playback_site, record, take_thumbnails
from tests.playback.timecode import READ_PICTURE_JS, make_timecoded_segments
from tests.support.browser import PageProblems, launch, serve_static
from tests.support.factories import make_camera, session_id
from tests.support.services import free_port, stop_process, wait_for_port

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RECORDED_SECONDS = 180
KEYFRAME_SECONDS = 1


@pytest.fixture(scope="module")
def timecoded(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return make_timecoded_segments(tmp_path_factory.mktemp("timecoded"), seconds=RECORDED_SECONDS)


@pytest.fixture
def footage(settings, tmp_path: Path, timecoded: list[Path]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A camera with three minutes of footage that ended 20 s ago, a viewer, and one motion event."""
    org, site, viewer = playback_site(settings, tmp_path / "recordings", "Playback Org", Role.VIEWER)
    camera = make_camera(site, "Yard")
    start = (timezone.now() - timedelta(seconds=RECORDED_SECONDS + 20)).replace(microsecond=0)
    segments = record(camera, timecoded, start)
    event = MotionEvent.objects.create(organization=org, camera=camera, camera_name=camera.name,
                                       started_at=start + timedelta(seconds=175),
                                       ended_at=start + timedelta(seconds=178), peak_score=0.3)
    return {"camera": camera, "viewer": viewer, "start": start, "event": event, "root": settings.CCTV_RECORDINGS_DIR,
            "segments": segments}


@pytest.fixture
def pictures(footage: dict[str, Any]) -> list:
    """The recorder's preview pictures of the footage: one per minute (real JPEGs from its segments)."""
    return take_thumbnails(footage["segments"])


@pytest.fixture
def hevc_camera(footage: dict[str, Any], tmp_path: Path) -> Any:
    """A second camera of the same organization whose recording is H.265 (hvc1), ending 20 s ago."""
    files = make_timecoded_segments(tmp_path / "hevc", seconds=30, encoder=(
        "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error", "-tag:v", "hvc1"))
    camera = make_camera(footage["camera"].site, "Back door")
    record(camera, files, (timezone.now() - timedelta(seconds=50)).replace(microsecond=0))
    return camera


@pytest.fixture
def daphne_env() -> dict[str, str]:
    """Settings of the Daphne under test beyond the defaults; a test may parametrize it."""
    return {}


@pytest.fixture
def daphne(footage: dict[str, Any], daphne_env: dict[str, str], tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    log_path = tmp_path / "daphne.log"
    process = _start([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "portal.asgi:application"],
                     log_path, DJANGO_SETTINGS_MODULE="tests.settings", CCTV_RECORDINGS_DIR=str(footage["root"]),
                     **daphne_env)
    try:
        wait_for_port(port, timeout=30)
    except TimeoutError:
        stop_process(process)
        raise RuntimeError(f"daphne did not start:\n{log_path.read_text()[-3000:]}") from None
    yield Server(port, process, log_path)
    stop_process(process)


@pytest.fixture
def screen() -> dict[str, Any]:
    """Playwright context options: a desktop window unless a test parametrizes a phone."""
    return {"viewport": {"width": 1280, "height": 800}}


@pytest.fixture
def page(footage: dict[str, Any], daphne: Server, screen: dict[str, Any], tmp_path: Path,
         monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    cookie = {"name": "sessionid", "value": session_id(footage["viewer"]), "url": daphne.http_url}
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as driver:
        context = launch(driver, tmp_path / "chromium-profile", **screen)
        serve_static(context)
        context.add_cookies([cookie])
        page = context.new_page()
        page.problems = PageProblems(page)  # CSP violations and uncaught errors (strict CSP: hls.js, its worker)
        page.console_lines = []  # shown when a wait fails
        page.on("console", lambda message: page.console_lines.append(f"{message.type}: {message.text}"))
        page.on("requestfailed", lambda request: page.console_lines.append(f"failed: {request.url}"))
        page.on("response", lambda response: response.status >= 400 and page.console_lines.append(
            f"{response.status}: {response.url}"))
        yield page
        context.close()


def _ms(moment: Any) -> int:
    return round(moment.timestamp() * 1000)




def _picture(page: Any) -> dict:
    return page.evaluate(READ_PICTURE_JS)


def _wait_playing_target(page: Any, start: Any, previous_target: int = 0) -> dict:
    """Wait until the page plays a new seek target and its clock agrees with the picture; returns the reading.

    A reading taken in the frame of the click can still show the picture and clock of what played
    before (the page's clock is redrawn on the next animation frame): the wait is for the first
    reading whose picture is near the target and whose clock says the picture's moment.
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    try:
        _wait_for_target(page, _ms(start), previous_target)
    except PlaywrightTimeout:
        message = page.locator("[data-message]").text_content()
        state = page.evaluate("""() => { const v = document.querySelector('[data-video]');
          return {data: {...document.querySelector('[data-playback]').dataset}, ready: v.readyState,
                  network: v.networkState, src: v.src, error: v.error && v.error.message, time: v.currentTime,
                  paused: v.paused, buffered: v.buffered.length ? [v.buffered.start(0), v.buffered.end(0)] : []}; }""")
        raise AssertionError(f"no playing frame: {_picture(page)}, {state}, message {message!r}, "
                             f"console {page.console_lines[-20:]}") from None
    return _picture(page)


def _wait_for_target(page: Any, start_ms: int, previous_target: int) -> None:
    page.wait_for_function(
        f"""([start, previous]) => {{
          const read = ({READ_PICTURE_JS})();
          if (!read || !read.target || read.target === previous || read.paused || !read.wallclock) return false;
          const picture = start + read.seconds * 1000;
          return picture >= read.target - 3000 && picture <= read.target + 5000
            && Math.abs(read.wallclock - picture) < 1500;
        }}""",
        arg=[start_ms, previous_target], timeout=30_000,
    )


def _open(page: Any, daphne: Server, camera: Any) -> None:
    page.goto(f"{daphne.http_url}/cameras/{camera.public_id}/timeline/")
    page.wait_for_selector("[data-playback][data-ready=true]")


def _x_of(page: Any, moment_ms: int) -> float:
    """Where ``moment_ms`` is on the bar now (the page says which range the bar shows)."""
    page.locator("[data-timeline]").scroll_into_view_if_needed()
    bar = page.locator("[data-timeline]").bounding_box()
    view = page.evaluate("() => { const d = document.querySelector('[data-playback]').dataset;"
                         " return [Number(d.viewStart), Number(d.viewEnd)]; }")
    return bar["x"] + bar["width"] * (moment_ms - view[0]) / (view[1] - view[0])


def _bar_y(page: Any) -> float:
    bar = page.locator("[data-timeline]").bounding_box()
    return bar["y"] + 5


def _zoom_in(page: Any, steps: int) -> None:
    """Press the bar's "+" ``steps`` times (24 h -> 6 h -> 1 h -> 15 min), each time until the range changed."""
    for _ in range(steps):
        before = page.evaluate("() => document.querySelector('[data-playback]').dataset.viewStart")
        page.locator("[data-view=in]").click()
        page.wait_for_function("(before) => document.querySelector('[data-playback]').dataset.viewStart !== before",
                               arg=before, timeout=10_000)


def _click_at(page: Any, moment_ms: int) -> None:
    page.mouse.click(_x_of(page, moment_ms), _bar_y(page))


def _play_precisely(page: Any, start: Any, aim: int) -> dict:
    """Click ``aim`` on the bar, the way a person would, and return the first playing reading after it.

    A first click on the 24-hour bar (a pixel is about a minute) plays somewhere in the middle of the
    recording; zooming in keeps what plays in view, down to 15 minutes (a pixel is then under a
    second), and a second click hits the moment.
    """
    _click_at(page, _ms(start) + RECORDED_SECONDS * 500)
    rough = _wait_playing_target(page, start)
    _zoom_in(page, 3)
    view = page.evaluate("() => document.querySelector('[data-playback]').dataset")
    assert round(float(view["viewEnd"]) - float(view["viewStart"])) == 15 * 60 * 1000
    _click_at(page, aim)
    return _wait_playing_target(page, start, rough["target"])


def test_clicking_the_timeline_plays_the_clicked_moment(footage: dict[str, Any], daphne: Server, page: Any) -> None:
    camera, start = footage["camera"], footage["start"]
    _open(page, daphne, camera)
    assert page.locator(".timeline-covered").count() == 1
    assert page.locator(".timeline-event").count() == 1

    aim = _ms(start) + 70_000
    shown = _play_precisely(page, start, aim)
    target = shown["target"]
    assert abs(target - aim) <= 1000  # the click landed where aimed, to a pixel
    # The picture says which second of the recording is on screen: the clicked one, within a keyframe interval.
    picture_ms = _ms(start) + shown["seconds"] * 1000
    assert target - KEYFRAME_SECONDS * 1000 <= picture_ms <= target + 2000, (shown, target)
    # The wall clock the page shows agrees with the picture.
    assert abs(shown["wallclock"] - picture_ms) <= 1500, shown

    # It plays on: the picture's second moves forward.
    page.wait_for_function(
        f"(before) => {{ const read = ({READ_PICTURE_JS})(); return read && read.seconds > before; }}",
        arg=shown["seconds"], timeout=15_000,
    )

    # Shift+Right: the next motion event, from its pre-roll (10 s by default).
    page.keyboard.press("Shift+ArrowRight")
    at_event = _wait_playing_target(page, start, target)
    play_from = _ms(footage["event"].started_at) - 10_000
    assert at_event["target"] == play_from
    picture_ms = _ms(start) + at_event["seconds"] * 1000
    assert play_from - KEYFRAME_SECONDS * 1000 <= picture_ms <= play_from + 2000, at_event
    assert page.problems.take() == []


@pytest.mark.parametrize("daphne_env", [{"CCTV_PLAYBACK_SESSION_SECONDS": "30"}])
def test_playback_carries_on_when_its_session_runs_out(footage: dict[str, Any], daphne: Server, page: Any) -> None:
    """Segment URLs stop working with their session; the page opens a new one and plays on from the same moment."""
    _open(page, daphne, footage["camera"])
    shown = _play_precisely(page, footage["start"], _ms(footage["start"]) + 40_000)
    page.keyboard.press("l")  # playing: faster, 2x (the session's 30 s then cover about 60 s of footage)

    # Past the session's end (30 s of wall time), the picture keeps counting on.
    page.wait_for_function(
        f"""([before, sessions]) => {{
          const read = ({READ_PICTURE_JS})();
          const root = document.querySelector('[data-playback]');
          return read && !read.paused && read.seconds >= before + 70 && Number(root.dataset.sessions) >= sessions;
        }}""",
        arg=[shown["seconds"], 2], timeout=90_000,
    )
    assert any(line.startswith("404: ") and "/playback/" in line for line in page.console_lines)  # it did expire
    assert page.locator("[data-message]").is_hidden()


def test_h265_footage_plays_or_says_why_it_cannot_never_a_black_player(hevc_camera: Any, daphne: Server,
                                                                         page: Any) -> None:
    _open(page, daphne, hevc_camera)
    _click_at(page, page.evaluate("Date.now()") - 35_000)

    page.wait_for_function(
        f"""() => {{ const read = ({READ_PICTURE_JS})();
          return (read && !read.paused && read.wallclock > 0)
            || !document.querySelector('[data-message]').hidden; }}""",
        timeout=30_000,
    )
    codecs = Segment.objects.filter(camera=hevc_camera).values_list("codecs", flat=True).first()
    assert codecs.startswith("hvc1.")
    supported = page.evaluate("(codecs) => MediaSource.isTypeSupported(`video/mp4; codecs=\"${codecs}\"`)", codecs)
    message = page.locator("[data-message]")
    if supported:  # this Chromium decodes H.265: it plays
        assert _picture(page)["wallclock"] > 0 and message.is_hidden()
    else:
        assert "cannot decode this camera's recorded video (H.265)" in message.text_content()
        assert page.evaluate("() => document.querySelector('[data-video]').readyState") == 0


PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True}


@pytest.mark.parametrize("screen", [PHONE])
def test_on_a_phone_a_tap_plays_the_tapped_moment(footage: dict[str, Any], daphne: Server, page: Any) -> None:
    """390 px wide: the page starts at ?at= (an alert's link), the zoom buttons narrow the bar, a tap plays."""
    camera, start = footage["camera"], footage["start"]
    page.goto(f"{daphne.http_url}/cameras/{camera.public_id}/timeline/?at={start.isoformat().replace('+', '%2B')}")
    page.wait_for_selector("[data-playback][data-ready=true]")
    first = _wait_playing_target(page, start)
    _zoom_in(page, 4)  # 24 h -> 5 min, centred on what plays
    aim = _ms(start) + 100_000 if first["seconds"] < 60 else _ms(start) + 20_000
    page.touchscreen.tap(_x_of(page, aim), _bar_y(page))

    shown = _wait_playing_target(page, start, first["target"])
    assert abs(shown["target"] - aim) <= 1500  # a 390 px bar of 5 minutes: under a second a pixel
    picture_ms = _ms(start) + shown["seconds"] * 1000
    assert aim - 1000 - KEYFRAME_SECONDS * 1000 <= picture_ms <= aim + 2500, shown


# --- preview pictures over the bar ---------------------------------------------------------------


def _local_minute(moment_ms: int, timezone_name: str) -> str:
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    return datetime.fromtimestamp(moment_ms / 1000, UTC).astimezone(ZoneInfo(timezone_name)).strftime("%H:%M")


def _preview(page: Any) -> dict:
    return page.evaluate("""() => { const p = document.querySelector('[data-preview]');
      const img = p.querySelector('img');
      return {hidden: p.hidden, at: Number(p.dataset.at || 0), src: img.getAttribute('src') || '',
              width: img.naturalWidth, complete: img.complete,
              time: p.querySelector('[data-preview-time]').textContent}; }""")


def _wait_preview(page: Any) -> dict:
    page.wait_for_function("""() => { const p = document.querySelector('[data-preview]');
      const img = p.querySelector('img'); return !p.hidden && img.complete && img.naturalWidth > 0; }""",
                           timeout=15_000)
    return _preview(page)


def test_hovering_the_timeline_shows_the_minutes_preview_picture(footage: dict[str, Any], pictures: list,
                                                                  daphne: Server, page: Any) -> None:
    camera = footage["camera"]
    thumbnail_requests: list[str] = []
    page.on("request", lambda request: "/thumbnails/" in request.url and thumbnail_requests.append(request.url))
    _open(page, daphne, camera)
    assert page.evaluate("() => document.querySelector('[data-playback]').dataset.previews") == str(len(pictures))
    assert thumbnail_requests == []  # nothing is fetched before someone hovers

    # The bar shows 24 hours; hover in the middle of the recording.
    page.mouse.move(_x_of(page, _ms(footage["start"]) + 90_000), _bar_y(page))
    shown = _wait_preview(page)

    minutes = {_ms(p.minute): p for p in pictures}
    assert shown["at"] in minutes  # the picture of one of the recorded minutes (a pixel is about a minute)
    assert shown["src"].endswith(f"/thumbnails/{minutes[shown['at']].minute:%Y%m%dT%H%M%S}Z/")
    assert shown["width"] == 160
    assert shown["time"] == _local_minute(shown["at"], camera.site.timezone)  # the site's time zone

    # Hours before the footage there is no picture: none is shown, and none was asked for.
    page.mouse.move(_x_of(page, _ms(footage["start"]) - 3 * 3600_000), _bar_y(page))
    page.wait_for_function("() => document.querySelector('[data-preview]').hidden", timeout=5_000)

    # Sweep the whole bar, back and forth: each picture is fetched at most once, only those that exist.
    bar = page.locator("[data-timeline]").bounding_box()
    for _ in range(2):
        for step in range(0, 101, 4):
            page.mouse.move(bar["x"] + bar["width"] * step / 100, _bar_y(page))
    page.mouse.move(bar["x"] + bar["width"] / 2, bar["y"] + 200)  # off the bar
    page.wait_for_function("() => document.querySelector('[data-preview]').hidden", timeout=5_000)
    expected = {f"/thumbnails/{p.minute:%Y%m%dT%H%M%S}Z/" for p in pictures}
    assert all(any(url.endswith(name) for name in expected) for url in thumbnail_requests), thumbnail_requests
    assert len(thumbnail_requests) == len(set(thumbnail_requests))
    assert page.problems.take() == []


@pytest.mark.parametrize("screen", [PHONE])
def test_on_a_phone_scrubbing_the_bar_shows_the_preview_picture(footage: dict[str, Any], pictures: list,
                                                                 daphne: Server, page: Any) -> None:
    _open(page, daphne, footage["camera"])
    x, y = _x_of(page, _ms(footage["start"]) + 90_000), _bar_y(page)
    touch = page.context.new_cdp_session(page)
    touch.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x - 20, "y": y}]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x - 10, "y": y}]})
    touch.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})

    shown = _wait_preview(page)
    assert shown["at"] in {_ms(p.minute) for p in pictures} and shown["width"] == 160
    box = page.locator("[data-preview]").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # kept on the screen

    touch.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
    page.wait_for_function("() => document.querySelector('[data-preview]').hidden", timeout=5_000)
