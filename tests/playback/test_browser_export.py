"""Exporting a range from the timeline page, in a real Chromium against Daphne and real fMP4 footage.

The person plays a moment, marks it as the start, moves 20 s on, marks the
end and presses Export: the range drawn on the bar and the range clip the
API queued are the moments that were on screen.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from accounts.roles import Role
from recordings.models import Clip
from tests.live.conftest import Server
from tests.playback.helpers import playback_site, record
from tests.playback.test_browser_timeline import (  # noqa: F401  (fixtures)
    RECORDED_SECONDS,
    _ms,
    _open,
    _play_precisely,
    daphne,
    daphne_env,
    page,
    screen,
    timecoded,
)
from tests.support.factories import make_camera

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def footage(settings, tmp_path: Path, timecoded: list[Path]) -> dict[str, Any]:  # type: ignore[no-untyped-def]  # noqa: F811
    """Three minutes of one camera's footage that ended 20 s ago, and an operator (who may export)."""
    _, site, operator = playback_site(settings, tmp_path / "recordings", "Export Org", Role.OPERATOR)
    camera = make_camera(site, "Yard")
    start = (timezone.now() - timedelta(seconds=RECORDED_SECONDS + 20)).replace(microsecond=0)
    record(camera, timecoded, start)
    return {"camera": camera, "viewer": operator, "start": start, "root": settings.CCTV_RECORDINGS_DIR}


def _paused_moment(tab: Any) -> int:
    """Pause (K) and return the moment on screen once the picture has stopped and the clock has caught up."""
    tab.keyboard.press("k")
    tab.wait_for_function("() => document.querySelector('[data-video]').paused")
    # The page's clock is redrawn on every animation frame: two frames later it shows the paused moment.
    tab.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    return int(tab.evaluate("() => document.querySelector('[data-playback]').dataset.wallclock"))


def test_a_range_marked_on_the_timeline_is_exported_as_a_range_clip(  # noqa: F811
        footage: dict[str, Any], daphne: Server, page: Any) -> None:  # noqa: F811
    camera, start = footage["camera"], footage["start"]
    _open(page, daphne, camera)
    panel = page.locator("[data-range-export]")
    assert page.locator("[data-export]").is_disabled()  # nothing marked yet

    _play_precisely(page, start, _ms(start) + 60_000)
    at_start = _paused_moment(page)
    page.locator("[data-mark=start]").click()
    assert not panel.get_attribute("data-range-start")  # one end is not a range yet
    page.keyboard.press("k")  # play on
    page.locator("[data-action=forward]").click()
    page.locator("[data-action=forward]").click()
    page.wait_for_function("(after) => Number(document.querySelector('[data-playback]').dataset.wallclock) > after",
                           arg=at_start + 18_000, timeout=30_000)
    at_end = _paused_moment(page)
    page.keyboard.press("o")  # the end, from the keyboard

    range_start, range_end = int(panel.get_attribute("data-range-start")), int(panel.get_attribute("data-range-end"))
    # Each end is the moment on screen when it was marked.
    assert abs(range_start - at_start) <= 100 and abs(range_end - at_end) <= 100, (range_start, at_start, at_end)
    assert page.locator(".timeline-range").is_visible()

    page.locator("[data-export]").click()
    page.wait_for_function("() => document.querySelector('[data-range-export]').dataset.exported === '1'",
                           timeout=15_000)
    assert "Export requested" in page.locator("[data-export-feedback]").text_content()
    clip = Clip.objects.get(camera=camera)
    assert (_ms(clip.range_start), _ms(clip.range_end)) == (range_start, range_end)
    assert clip.requested_by == footage["viewer"]
    assert page.problems.take() == []
