"""The clip flow in a real Chromium: record from the live view, see it turn ready, play it, download it.

Real camera simulator, go2rtc, Celery worker and portal under Daphne.
Playwright's sync API runs an event loop in this thread, so Django's ORM
needs DJANGO_ALLOW_ASYNC_UNSAFE here; test data is made before the browser starts.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from recordings.models import Clip
from tests.recordings.live.fixtures import Scene
from tests.support.browser import launch, serve_static
from tests.support.factories import session_id

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

READY_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture
def operator_cookie(scene: Scene) -> dict[str, str]:
    return {"name": "sessionid", "value": session_id(scene.operator)}


@pytest.fixture
def browser(scene: Scene, operator_cookie, daphne, celery_worker, tmp_path: Path) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        context = launch(driver, tmp_path / "chromium-profile", viewport={"width": 1280, "height": 800},
                         accept_downloads=True)
        serve_static(context)
        context.add_cookies([{**operator_cookie, "url": daphne.http_url}])
        yield context
        context.close()


def test_operator_records_a_clip_sees_it_ready_plays_and_downloads_it(
    scene: Scene, daphne, browser, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    live = browser.new_page()
    assert live.goto(f"{daphne.http_url}/live/cameras/{scene.camera.public_id}/").status == 200
    live.select_option("select[name=duration]", "10")
    live.click("form[data-clip-record] button[type=submit]")
    live.wait_for_selector("[data-clip-feedback]:has-text('Recording'), [data-clip-feedback]:has-text('queued')")

    clips = browser.new_page()
    clips.goto(f"{daphne.http_url}/clips/")
    clips.evaluate("() => { window.notReloaded = true; }")
    row = clips.locator("tr[data-clip]").first
    assert row.locator("[data-clip-status]").inner_text() in ("Queued", "Recording")

    live.wait_for_selector("[data-clip-ready-download]", timeout=READY_TIMEOUT_MS)
    live.screenshot(path=str(tmp_path / "live.png"))
    clips.wait_for_function(
        "() => document.querySelector('tr[data-clip] [data-clip-status]').textContent === 'Ready'",
        timeout=READY_TIMEOUT_MS,
    )
    assert clips.evaluate("() => window.notReloaded === true")  # updated in place, not reloaded
    clip = Clip.objects.get()
    assert clip.status == "ready" and row.get_attribute("data-clip") == str(clip.public_id)
    clips.wait_for_function("() => /[KM]B$/.test(document.querySelector('[data-clip-size]').textContent)")

    row.locator("[data-clip-play]").click()
    clips.wait_for_function(
        "() => { const v = document.querySelector('.clip-player-row video');"
        " return v && v.readyState >= 2 && v.currentTime > 1 && v.videoWidth === 640; }",
        timeout=30_000,
    )
    clips.screenshot(path=str(tmp_path / "clips.png"))

    with live.expect_download() as download_info:
        live.click("[data-clip-ready-download]")
    download = download_info.value
    assert download.suggested_filename.startswith("clip-gate-") and download.suggested_filename.endswith(".mp4")
    assert hashlib.sha256(Path(download.path()).read_bytes()).hexdigest() == clip.sha256
