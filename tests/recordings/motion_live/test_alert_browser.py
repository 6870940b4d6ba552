"""The motion alert flow in a real Chromium: a toast on the dashboard, the snapshot, acknowledging.

Real scene camera, go2rtc, motion worker, beat and the portal under Daphne.
Playwright's sync API runs an event loop in this thread, so Django's ORM
needs DJANGO_ALLOW_ASYNC_UNSAFE here.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from recordings.models import MotionEvent
from recordings.motion import leases
from tests.recordings.motion_live.conftest import Watched, arm
from tests.support.browser import launch, serve_static
from tests.support.factories import session_id
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module", autouse=True)
def _orm_beside_playwright() -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture
def browser(watched: Watched, daphne, tmp_path: Path) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        context = launch(driver, tmp_path / "chromium-profile", viewport={"width": 1280, "height": 800})
        serve_static(context)
        context.add_cookies([{"name": "sessionid", "value": session_id(watched.operator),
                              "url": daphne.http_url}])
        yield context
        context.close()


def test_operator_sees_the_alert_appear_opens_its_snapshot_and_acknowledges_it(  # type: ignore[no-untyped-def]
    watched: Watched, scene_camera, motion_workers, beat_and_worker, daphne, browser, tmp_path: Path
) -> None:
    camera = arm(watched, "scene1")
    worker = motion_workers("m1")
    wait_until(lambda: leases.holders([camera.pk])[camera.pk], timeout=30, otherwise=lambda: worker.log_text()[-3000:])
    page = browser.new_page()
    seen: list[str] = []
    page.on("console", lambda message: seen.append(f"console: {message.text}"))
    page.on("websocket", lambda ws: ws.on("framereceived", lambda frame: seen.append(f"{ws.url}: {frame}")))
    assert page.goto(f"{daphne.http_url}/").status == 200
    page.evaluate("() => { window.notReloaded = true; }")
    page.wait_for_timeout(3000)  # the watch learns the still background; the page's event stream connects

    threading.Thread(target=scene_camera.walk, args=("scene1",), kwargs={"seconds": 3}, daemon=True).start()

    toast = page.locator("[data-alert-toasts] .toast").first
    try:
        toast.wait_for(timeout=30_000)
    except Exception:
        events = list(MotionEvent.objects.values_list("camera_name", "alerted"))
        pytest.fail(f"no toast; events {events}; browser saw {seen[-20:]}; daphne: {daphne.log_text()[-1500:]}")
    page.screenshot(path=str(tmp_path / "dashboard-alert.png"))
    assert "Scene1" in toast.inner_text()
    assert page.evaluate("() => window.notReloaded === true")  # pushed, not reloaded
    assert page.locator("[data-alert-badge]").is_visible()
    event = MotionEvent.objects.get(camera=camera)

    alerts = browser.new_page()
    assert alerts.goto(f"{daphne.http_url}/alerts/?event={event.public_id}").status == 200
    row = alerts.locator(f"tr[data-event='{event.public_id}']")
    snapshot = row.locator("img").first
    snapshot.wait_for()
    alerts.wait_for_function("(img) => img.complete && img.naturalWidth > 0", arg=snapshot.element_handle())
    row.locator("input[name=note]").fill("Checked: a delivery driver")
    row.locator(".ack-form button[type=submit]").click()  # the row also has Export
    alerts.wait_for_load_state()
    alerts.screenshot(path=str(tmp_path / "alerts-acknowledged.png"))

    event.refresh_from_db()
    assert event.acknowledged_by == watched.operator
    assert event.acknowledgement_note == "Checked: a delivery driver"
    assert "Checked: a delivery driver" in alerts.locator(f"tr[data-event='{event.public_id}']").inner_text()

    # Export (a plain form: no script, so the strict CSP has nothing to refuse). This camera is not recorded,
    # so the portal says there is no footage instead of queuing a clip.
    with alerts.expect_navigation():
        alerts.locator(f"tr[data-event='{event.public_id}'] button", has_text="Export").click()
    assert "no recorded footage" in alerts.locator("main").inner_text()
