"""Benchmark: seeking in recorded footage, from a click on the timeline to the first frame of that moment.

    .venv/bin/python -m bench.seek [--seeks 20] [--minutes 60]

Indexes an hour of synthetic footage (10 s fMP4 segments, a keyframe every
2 s, each picture spelling its own second: tests/playback/timecode.py) for
one camera, serves the portal with Daphne, and drives Debian's Chromium on
the timeline page zoomed to one hour. Each seek clicks a random point of
the bar and waits until the picture on screen is from that moment (within
one keyframe interval) and playing. Prints the median and p95 in ms.
Goal (issue 13): p95 under 1 s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from bench.stack import setup_django, start_process_logged
from tests.support.services import Services, stop_process

KEYFRAME_SECONDS = 2


def seed(root: Path, minutes: int) -> tuple:  # type: ignore[type-arg]
    from django.utils import timezone

    from accounts.roles import Role
    from tests.playback.helpers import record
    from tests.playback.timecode import make_timecoded_segments
    from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user, session_id

    files = make_timecoded_segments(root / "source", seconds=minutes * 60, fps=10,
                                    encoder=("libx264", "-preset", "ultrafast", "-g", str(10 * KEYFRAME_SECONDS)))
    org = make_organization("Seek Org")
    viewer = make_user()
    make_member(viewer, org, Role.VIEWER)
    camera = make_camera(make_site(org, "Seek Site"), "Seek Camera")
    start = (timezone.now() - timedelta(minutes=minutes, seconds=20)).replace(microsecond=0)
    record(camera, files, start)
    return camera, start, session_id(viewer)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeks", type=int, default=20)
    parser.add_argument("--minutes", type=int, default=60)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cctv-bench-seek-"))
    services = Services("postgresql")
    services.start()
    daphne = None
    try:
        os.environ["CCTV_RECORDINGS_DIR"] = str(work / "recordings")
        setup_django({})
        camera, start, cookie = seed(work, args.minutes)
        port, daphne = start_process_logged(
            ["-m", "daphne", "-b", "127.0.0.1", "-p", "{port}", "portal.asgi:application"], work / "daphne.log")
        run(f"http://127.0.0.1:{port}", camera, start, cookie, args, work)
    finally:
        if daphne is not None:
            stop_process(daphne)
        services.stop()


def run(base: str, camera, start, cookie: str, args: argparse.Namespace, work: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    from tests.playback.timecode import READ_PICTURE_JS
    from tests.support.browser import launch, serve_static

    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    start_ms = round(start.timestamp() * 1000)
    span_ms = args.minutes * 60_000
    with sync_playwright() as driver:
        context = launch(driver, work / "profile", viewport={"width": 1280, "height": 800})
        serve_static(context)
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": base}])
        page = context.new_page()
        page.goto(f"{base}/cameras/{camera.public_id}/timeline/?at={start.isoformat().replace('+', '%2B')}")
        page.wait_for_selector("[data-playback][data-ready=true]")
        page.wait_for_function("() => document.querySelector('[data-playback]').dataset.wallclock")
        for _ in range(3):  # 24 h -> 6 h -> 1 h, centred on what plays (the start of the hour)
            before = page.evaluate("() => document.querySelector('[data-playback]').dataset.viewStart")
            page.locator("[data-view=in]").click()
            page.wait_for_function("(b) => document.querySelector('[data-playback]').dataset.viewStart !== b",
                                   arg=before)
        before = page.evaluate("() => document.querySelector('[data-playback]').dataset.viewStart")
        page.locator("[data-view=later]").click()  # the hour centred on its start -> the whole hour
        page.wait_for_function("(b) => document.querySelector('[data-playback]').dataset.viewStart !== b",
                               arg=before)
        page.locator("[data-timeline]").scroll_into_view_if_needed()
        rng = random.Random(13)  # noqa: S311  (reproducible seek points, not a secret)
        timings = []
        for _ in range(args.seeks):
            box = page.locator("[data-timeline]").bounding_box()
            view = page.evaluate("() => { const d = document.querySelector('[data-playback]').dataset;"
                                 " return [Number(d.viewStart), Number(d.viewEnd)]; }")
            # A random point of the hour that the bar shows.
            low, high = max(start_ms, view[0]), min(start_ms + span_ms, view[1])
            aim = low + rng.uniform(0.02, 0.95) * (high - low)
            x = box["x"] + box["width"] * (aim - view[0]) / (view[1] - view[0])
            previous = page.evaluate("() => document.querySelector('[data-playback]').dataset.target || ''")
            clicked = time.perf_counter()
            page.mouse.click(x, box["y"] + 5)
            # The first frame of the clicked moment: the page has the new target and the picture shows
            # a second within one keyframe interval of it.
            page.wait_for_function(
                f"""([previous, startMs]) => {{
                  const root = document.querySelector('[data-playback]');
                  if (!root.dataset.target || root.dataset.target === previous) return false;
                  const read = ({READ_PICTURE_JS})();
                  if (!read) return false;
                  const shown = startMs + read.seconds * 1000;
                  return Math.abs(shown - Number(root.dataset.target)) <= {KEYFRAME_SECONDS * 1000 + 1000};
                }}""",
                arg=[previous, start_ms], timeout=30_000, polling="raf",
            )
            timings.append((time.perf_counter() - clicked) * 1000)
        context.close()
    timings.sort()
    print(f"seek_count: {len(timings)} seeks")
    print(f"seek_first_frame_median: {statistics.median(timings):.0f} ms")
    print(f"seek_first_frame_p95: {timings[max(0, round(0.95 * len(timings)) - 1)]:.0f} ms")
    print(f"load_average_1min: {os.getloadavg()[0]:.2f} processes")


if __name__ == "__main__":
    main()
