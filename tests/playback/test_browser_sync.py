"""Recordings together: four cameras of a site play the same moment in a real Chromium.

Each camera's synthetic recording spells its own second in the picture
(``tests.playback.timecode``) and starts at a different wall-clock moment, so
the same wall-clock moment is a different second in each picture: the test
turns every tile's second back into wall-clock time and checks they agree.
The fourth camera's footage starts later than the moment asked for: it must
wait, dark, and join the others when they reach its footage.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.roles import Role
from tests.playback.helpers import playback_site, record
from tests.playback.test_browser_timeline import daphne, daphne_env, page, screen, timecoded  # noqa: F401  (fixtures)
from tests.playback.timecode import READ_TILES_JS
from tests.support.factories import make_camera

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAGGER = timedelta(seconds=7)  # camera k's footage starts k x 7 s before the first camera's
LATE = timedelta(seconds=75)  # the fourth camera's footage starts this long after the first camera's
AGREE_MS = 1200  # a keyframe interval (1 s) and a frame


@pytest.fixture
def footage(settings, tmp_path: Path, timecoded: list[Path]) -> dict[str, Any]:  # type: ignore[no-untyped-def]  # noqa: F811
    _, site, viewer = playback_site(settings, tmp_path / "recordings", "Sync Org", Role.VIEWER)
    base = (timezone.now() - timedelta(seconds=200)).replace(microsecond=0)
    starts = [base - k * STAGGER for k in range(3)] + [base + LATE]
    for number, start in enumerate(starts, 1):
        files = timecoded if number < 4 else timecoded[:3]  # the late camera: 30 s
        record(make_camera(site, f"Camera {number}"), files, start)
    return {"site": site, "viewer": viewer, "starts": starts, "root": settings.CCTV_RECORDINGS_DIR}


def _ms(moment: Any) -> int:
    return round(moment.timestamp() * 1000)


# Every tile's picture as wall-clock ms (start of its recording + the second it shows); null without a frame.
WALLS_JS = f"""(starts) => ({READ_TILES_JS})().map((read, i) => read && {{
  wall: starts[i] + read.seconds * 1000, paused: read.paused }})"""


def _wait_together(page: Any, starts: list[int], indexes: list[int], near: int) -> list[dict]:  # noqa: F811
    """Wait until the given tiles play, agree with each other and are near ``near``; returns the readings."""
    page.wait_for_function(
        f"""([starts, indexes, near, agree]) => {{
          const walls = ({WALLS_JS})(starts);
          const shown = indexes.map((i) => walls[i]);
          if (shown.some((w) => !w || w.paused)) return false;
          const times = shown.map((w) => w.wall);
          return Math.max(...times) - Math.min(...times) <= agree && Math.abs(times[0] - near) <= 5000;
        }}""",
        arg=[starts, indexes, near, AGREE_MS], timeout=45_000,
    )
    return page.evaluate(WALLS_JS, starts)


def test_four_cameras_play_the_same_moment_and_seek_together(footage: dict[str, Any], daphne: Any,  # noqa: F811
                                                              page: Any) -> None:  # noqa: F811
    starts = [_ms(start) for start in footage["starts"]]
    moment = footage["starts"][0] + timedelta(seconds=60)
    at = _ms(moment)
    site = footage["site"].public_id
    page.goto(f"{daphne.http_url}/playback/sites/{site}/?at={moment.isoformat().replace('+', '%2B')}")
    page.wait_for_selector("[data-sync][data-ready=true]")
    assert page.locator("[data-tile]").count() == 4 and page.locator(".sync-lane").count() == 4

    # The three cameras with footage at the moment agree; the fourth (nothing recorded yet) waits.
    _wait_together(page, starts, [0, 1, 2], at)
    page.wait_for_function("() => document.querySelectorAll('[data-tile]')[3].dataset.waiting === 'true'",
                           timeout=15_000)

    # They reach the fourth camera's footage: it joins them at the same moment.
    readings = _wait_together(page, starts, [0, 1, 2, 3], starts[3] + 2000)
    assert all(reading and not reading["paused"] for reading in readings), readings

    # +10 s moves all four together.
    before = readings[0]["wall"]
    page.locator("[data-action=forward]").click()
    after = _wait_together(page, starts, [0, 1, 2, 3], before + 10_000)
    assert after[0]["wall"] >= before + 8_000, (before, after)
    assert page.problems.take() == []
