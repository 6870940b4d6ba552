"""Debian's Chromium under Playwright, for browser tests and the grid benchmark.

Playwright cannot download its own browser on these machines, so it drives
``/usr/bin/chromium`` with a fresh profile. Plain Daphne serves no static
files (nginx does in production), so ``serve_static`` answers ``/static/``
requests inside the browser context from the same files collectstatic would
publish.
"""

from __future__ import annotations

import mimetypes
import time
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    # A wall of muted videos must play without a click.
    "--autoplay-policy=no-user-gesture-required",
]

# Per player: its state and mode, and how far its video has got.
PLAYERS_JS = """() => Array.from(document.querySelectorAll('cctv-player')).map(el => {
  const v = el.querySelector('video');
  const q = v && v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : null;
  return {camera: el.getAttribute('camera'), state: el.dataset.state || '', mode: el.dataset.mode || '',
          frames: q ? q.totalVideoFrames : 0, time: v ? v.currentTime : 0, ready: v ? v.readyState : 0};
})"""

# The same for every <video> on a page (go2rtc's own stream page).
VIDEOS_JS = """() => Array.from(document.querySelectorAll('video')).map(v => {
  const q = v.getVideoPlaybackQuality ? v.getVideoPlaybackQuality() : null;
  return {frames: q ? q.totalVideoFrames : 0, time: v.currentTime, ready: v.readyState};
})"""


def launch(playwright: Any, profile_dir: Path, **context_options: Any) -> Any:
    """A headless Chromium context on a fresh profile; close it to end the browser."""
    return playwright.chromium.launch_persistent_context(
        str(profile_dir), executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, **context_options
    )


def serve_static(context: Any) -> None:
    from django.contrib.staticfiles import finders

    def handle(route: Any) -> None:
        path = route.request.url.split("/static/", 1)[1].split("?", 1)[0]
        found = finders.find(path)
        if not found:
            route.fulfill(status=404, body="not found")
            return
        kind = mimetypes.guess_type(found)[0] or "application/octet-stream"
        route.fulfill(status=200, body=Path(found).read_bytes(), content_type=kind)

    context.route("**/static/**", handle)


def log_in(page: Any, base_url: str, email: str, password: str) -> None:
    """Sign in through the real login form."""
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    if "/accounts/login/" in page.url:
        raise AssertionError(f"login failed for {email}: still on {page.url}")


def players(page: Any) -> list[dict]:
    return page.evaluate(PLAYERS_JS)


class Progress:
    """How many items of a page are playing, polled until all are or time runs out."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.reached: dict[int, float] = {}  # percent of items -> seconds when first reached
        self.all_at: float | None = None
        self.last: list[dict] = []

    def note(self, playing: int, seconds: float) -> None:
        for pct in (50, 90, 100):
            if pct not in self.reached and playing * 100 >= pct * self.count:
                self.reached[pct] = seconds


def track(page: Any, script: str, count: int, timeout: float, ok: Any, window: float = 1.0) -> Progress:
    """Poll every 0.2 s until ``count`` items all pass ``ok`` and advanced (frames and time) in the last ``window`` s.

    An item need not show a new frame in every poll (a busy renderer skips
    some), only within the window. Returns the progress, complete or not.
    """
    progress = Progress(count)
    started = time.monotonic()
    previous: list[dict] = []
    advanced_at: list[float] = []
    while time.monotonic() - started < timeout:
        items, now = page.evaluate(script), time.monotonic()
        if len(items) != len(previous):
            advanced_at = [float("-inf")] * len(items)
        else:
            for i, (before, after) in enumerate(zip(previous, items, strict=True)):
                if after["frames"] > before["frames"] and after["time"] > before["time"]:
                    advanced_at[i] = now
        previous = progress.last = items
        playing = sum(ok(item) and now - at <= window for item, at in zip(items, advanced_at, strict=True))
        progress.note(playing, now - started)
        if len(items) == count and playing == count:
            progress.all_at = now - started
            return progress
        page.wait_for_timeout(200)
    return progress


def _wait_all_advancing(page: Any, script: str, count: int, timeout: float, ok: Any) -> float:
    progress = track(page, script, count, timeout, ok)
    if progress.all_at is None:
        raise AssertionError(f"not all {count} playing after {timeout:.0f} s: {progress.last}")
    return progress.all_at


def player_ok(mode: str | None = None) -> Any:
    return lambda p: p["state"] == "live" and mode in (None, p["mode"])


def video_ok(v: dict) -> bool:
    return v["ready"] >= 2


def wait_players_live(page: Any, count: int, timeout: float, mode: str | None = None) -> float:
    """Seconds until ``count`` players are live (and in ``mode``) with frames advancing."""
    return _wait_all_advancing(page, PLAYERS_JS, count, timeout, player_ok(mode))


def wait_videos_playing(page: Any, count: int, timeout: float) -> float:
    """Seconds until ``count`` <video> elements have data and advancing frames."""
    return _wait_all_advancing(page, VIDEOS_JS, count, timeout, video_ok)


def frames_advance(page: Any, seconds: float = 2.0) -> list[dict]:
    """Each player's frame and time gain over ``seconds`` of playback."""
    before = players(page)
    page.wait_for_timeout(seconds * 1000)
    after = players(page)
    return [
        {"camera": b["camera"], "frames": b["frames"] - a["frames"], "time": b["time"] - a["time"]}
        for a, b in zip(before, after, strict=True)
    ]


# Content-Security-Policy violations, as the page itself sees them (installed before any page script).
CSP_WATCH_JS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__cspViolations.push(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} ` +
    `at ${e.sourceFile || location.pathname}:${e.lineNumber} ${e.sample || ""}`.trim());
}, true);
"""


class PageProblems:
    """What went wrong on a page: CSP violations (the page's securitypolicyviolation events and
    Chromium's console reports of them) and uncaught script errors. ``take`` returns and forgets."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.reported: list[str] = []
        page.add_init_script(CSP_WATCH_JS)
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.reported.append(f"uncaught: {error}"))

    def _console(self, message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            self.reported.append(f"console: {message.text}")

    def take(self) -> list[str]:
        seen = self.page.evaluate("() => (window.__cspViolations || []).splice(0)")
        problems, self.reported = [*seen, *self.reported], []
        return problems
