"""The live grid in a real Chromium: login form, players, WebRTC and the MSE fallback.

Everything is real: the camera simulator, go2rtc, the portal under Daphne,
PostgreSQL and Redis. Playwright's sync API runs an event loop in this
thread, so Django's ORM needs DJANGO_ALLOW_ASYNC_UNSAFE here.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from accounts.roles import Role
from cameras import services, sync
from portal.events import publish_camera_status
from tests.support.browser import frames_advance, log_in, players, wait_players_live
from tests.support.factories import PASSWORD, make_member, make_organization, make_site, make_user
from tests.support.media import keep_sources_open, stop_processes
from tests.support.services import REPO_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = REPO_ROOT / "test-artifacts"
LIVE_TIMEOUT = 30


@pytest.fixture(scope="module")
def running_sources(camera_sim) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """The simulated cameras kept on, as real ones are (see ``keep_sources_open``)."""
    readers = keep_sources_open(camera_sim)
    yield
    stop_processes(readers)


@pytest.fixture
def wall(gateway_row, camera_sim, running_sources):  # type: ignore[no-untyped-def]
    """Four cameras on the gateway; the first also has a sub stream."""
    org = make_organization("Wall Org")
    admin, viewer = make_user(), make_user()
    make_member(admin, org, Role.ADMIN)
    make_member(viewer, org, Role.VIEWER)
    site = make_site(org, "Depot")
    cameras = []
    for number in range(1, 5):
        extra = {"sub_source": camera_sim.source("cam4")} if number == 1 else {}
        camera = services.create_camera(
            admin, site, name=f"Cam {number}", main_source=camera_sim.source(f"cam{number}"), **extra
        )
        sync.push_camera(camera)
        cameras.append(camera)
    return cameras, viewer


def _publish_until(page, shown, public_id, status: str, timeout: float = 15) -> bool:  # type: ignore[no-untyped-def]
    """Publish a camera status (from a plain thread: Playwright's loop owns this one) until the page shows it.

    Published again every 2 s: an event sent while the page's event socket
    is reconnecting is gone, by design of a live stream.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sender = threading.Thread(target=publish_camera_status, args=(public_id, status, None))
        sender.start()
        sender.join()
        for _ in range(10):
            if shown():
                return True
            page.wait_for_timeout(200)
    return False


# Counts the page's live sockets still opening (created, handshake not done), at most how many at once.
OPENING_COUNTER_JS = """
(() => {
  const Native = window.WebSocket;
  let opening = 0;
  window.__liveSocketsOpeningAtMost = 0;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      if (!String(url).includes("/live/")) return;
      opening += 1;
      window.__liveSocketsOpeningAtMost = Math.max(window.__liveSocketsOpeningAtMost, opening);
      let settled = false;
      const settle = () => { if (!settled) { settled = true; opening -= 1; } };
      this.addEventListener("open", settle);
      this.addEventListener("close", settle);
    }
  };
})();
"""


def _page_as(browser, daphne, user):  # type: ignore[no-untyped-def]
    page = browser.new_page()
    log_in(page, daphne.http_url, user.email, PASSWORD)
    return page


def test_two_by_two_grid_plays_all_four_cameras(wall, daphne, browser) -> None:  # type: ignore[no-untyped-def]
    cameras, viewer = wall
    page = _page_as(browser, daphne, viewer)
    page.goto("about:blank")  # the sign-in's landing page (and its event socket) is gone before counting
    for camera in cameras:  # the dashboard's pictures of a moment ago: the wall shows cached ones at once
        assert page.request.get(f"{daphne.http_url}/cameras/{camera.public_id}/thumbnail.jpg").status == 200
    event_sockets: list[str] = []
    page.on("websocket", lambda ws: event_sockets.append(ws.url) if ws.url.endswith("/ws/events/") else None)
    page.add_init_script(OPENING_COUNTER_JS)
    response = page.goto(f"{daphne.http_url}/live/?layout=2x2")
    assert response.status == 200
    assert "rtsp://" not in page.content()  # sources (and their credentials) never reach the page

    wait_players_live(page, 4, LIVE_TIMEOUT)
    tiles = {p["camera"]: p for p in players(page)}
    assert set(tiles) == {str(c.public_id) for c in cameras}
    variants = page.eval_on_selector_all("cctv-player", "els => els.map(e => e.getAttribute('variant'))")
    assert variants == ["sub", "main", "main", "main"]
    assert {p["mode"] for p in tiles.values()} == {"webrtc"}
    # The four tiles start together, but their sockets open at most three at a time (element.js
    # MAX_OPENING): Chromium delays each new socket exponentially in the number still opening.
    assert page.evaluate("window.__liveSocketsOpeningAtMost") == 3

    gains = frames_advance(page, 2.0)
    assert all(g["frames"] >= 10 and g["time"] > 1.0 for g in gains), gains

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "grid-2x2.png"))

    # One status mark per tile, the player's badge; its tooltip and, on hover, the mark name the transport.
    marks = page.eval_on_selector_all(".live-grid .live-tile", """tiles => tiles.map((tile) => [
        tile.querySelectorAll('.live-badge, .live-status').length, tile.querySelector('.live-badge').title])""")
    assert marks == [[1, "Live over WebRTC"]] * 4, marks
    hovered = f"cctv-player[camera='{cameras[1].public_id}']"
    page.hover(hovered)
    shown = page.evaluate("(sel) => getComputedStyle(document.querySelector(sel), '::after').content",
                          f"{hovered} .live-badge")
    assert "WebRTC" in shown, shown

    # Every tile got its camera's cached picture as a poster.
    page.wait_for_function("""() => {
        const posters = Array.from(document.querySelectorAll('.live-grid cctv-player .live-poster'));
        return posters.length === 4 && posters.every((p) => p.hasAttribute('data-loaded') && p.naturalWidth > 0);
    }""", timeout=LIVE_TIMEOUT * 1000)
    assert page.eval_on_selector_all(".live-grid cctv-player", "els => els.every(e => e.hasAttribute('data-picture'))")

    # Camera status pushed on /ws/events/ reaches the tile.
    dot = f".live-tile[data-camera-status='{cameras[2].public_id}']"
    assert "status-unknown" in page.get_attribute(dot, "class")
    assert _publish_until(page, lambda: "status-offline" in page.get_attribute(dot, "class"),
                          cameras[2].public_id, "offline")
    # Status, alerts and clips share the page's one event stream.
    assert len(event_sockets) == 1, event_sockets

    # A click opens the camera's main stream large, in its own player; Esc closes it.
    page.click(f"cctv-player[camera='{cameras[0].public_id}']")
    large = page.locator(".live-overlay cctv-player")
    assert large.get_attribute("variant") == "main"
    page.wait_for_function("() => document.querySelector('.live-overlay cctv-player').dataset.state === 'live'",
                           timeout=LIVE_TIMEOUT * 1000)
    page.keyboard.press("Escape")
    assert page.locator(".live-overlay").is_hidden()
    assert page.locator(".live-overlay cctv-player").count() == 0


# Per camera, when its tile's picture settled (loaded, or refused: 204 when nothing is cached) and when
# its live socket was created, in ms since navigation. Capture listeners run before the player's own.
PICTURE_THEN_SOCKET_JS = """
(() => {
  const marks = (window.__pictureThenSocket = {});
  const mark = (camera, name) => {
    const row = (marks[camera] = marks[camera] || {});
    if (!(name in row)) row[name] = performance.now();
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url, protocols) {
      super(url, protocols);
      const live = /\\/ws\\/cameras\\/([^/]+)\\/live\\//.exec(String(url));
      if (live) mark(live[1], "socket");
    }
  };
  const settled = ({ target }) => {
    const player = target.classList && target.classList.contains("live-poster") && target.closest("cctv-player");
    if (player) mark(player.getAttribute("camera"), "picture");
  };
  document.addEventListener("load", settled, true);
  document.addEventListener("error", settled, true);
})();
"""


def test_the_walls_videos_start_once_its_pictures_are_in(wall, daphne, browser) -> None:  # type: ignore[no-untyped-def]
    """Pictures first: no live socket opens before every tile's picture settled, or a short wait if one hangs."""
    cameras, viewer = wall
    page = _page_as(browser, daphne, viewer)
    page.goto("about:blank")
    cached, uncached, hanging = cameras[:2], cameras[2], cameras[3]
    for camera in cached:  # the dashboard's pictures of a moment ago
        assert page.request.get(f"{daphne.http_url}/cameras/{camera.public_id}/thumbnail.jpg").status == 200
    held: list = []
    page.route(f"**/cameras/{hanging.public_id}/recent.jpg*", lambda route: held.append(route))  # never answered
    page.add_init_script(PICTURE_THEN_SOCKET_JS)
    page.goto(f"{daphne.http_url}/live/?layout=2x2", wait_until="domcontentloaded")  # "load" waits for it

    wait_players_live(page, 4, LIVE_TIMEOUT)  # the hanging picture held the videos back, not for ever
    marks = page.evaluate("window.__pictureThenSocket")
    settled = [marks[str(camera.public_id)]["picture"] for camera in [*cached, uncached]]
    sockets = [marks[str(camera.public_id)]["socket"] for camera in cameras]
    assert max(settled) <= min(sockets), marks
    assert held and "picture" not in marks[str(hanging.public_id)]  # still hanging when the videos started


def test_forced_mse_plays_through_the_relay(wall, daphne, browser) -> None:  # type: ignore[no-untyped-def]
    cameras, viewer = wall
    page = _page_as(browser, daphne, viewer)
    page.goto(f"{daphne.http_url}/live/cameras/{cameras[1].public_id}/?force_mse=1")

    wait_players_live(page, 1, LIVE_TIMEOUT, mode="mse")
    assert page.get_attribute("cctv-player .live-badge", "title") == "Live over MSE"
    [gain] = frames_advance(page, 2.0)
    assert gain["frames"] >= 10 and gain["time"] > 1.0, gain
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "single-mse.png"))


@pytest.fixture
def outsider(db: None):  # type: ignore[no-untyped-def]
    user = make_user()
    make_member(user, make_organization("Elsewhere"), Role.OWNER)
    return user


def test_outsider_gets_404_and_a_denied_player(wall, outsider, daphne, browser) -> None:  # type: ignore[no-untyped-def]
    cameras, _ = wall
    page = _page_as(browser, daphne, outsider)

    response = page.goto(f"{daphne.http_url}/live/cameras/{cameras[0].public_id}/")
    assert response.status == 404

    page.goto(f"{daphne.http_url}/live/")
    assert page.locator(".live-grid cctv-player").count() == 0
    page.evaluate(
        """(camera) => {
            const el = document.createElement('cctv-player');
            el.setAttribute('camera', camera);
            el.setAttribute('label', 'Foreign');
            document.getElementById('live-stage').appendChild(el);
        }""",
        str(cameras[0].public_id),
    )
    page.wait_for_function("() => document.querySelector('cctv-player').dataset.state === 'denied'",
                           timeout=LIVE_TIMEOUT * 1000)
    # Denied is final: no retries keep knocking.
    page.wait_for_timeout(2500)
    assert players(page)[0]["state"] == "denied"

