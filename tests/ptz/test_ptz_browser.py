"""The live view's PTZ controls in a real Chromium: hold with the mouse and the keyboard, presets.

Daphne serves the portal, a real Celery worker speaks ONVIF to the
simulated camera; the test only presses buttons and keys and reads what
reached the camera.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cameras.models import Camera
from tests.conftest import World
from tests.live.conftest import Server, _start, _stop
from tests.ptz.conftest import MOVE_TIMEOUT_MS
from tests.support.browser import launch, log_in, serve_static
from tests.support.onvif_device import OnvifDevice
from tests.support.services import free_port, wait_for_port
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.slow]


def held_for(device: OnvifDevice, stop_number: int = 1) -> float:
    """Seconds the camera was told to move before the given Stop (the first move since the previous Stop)."""
    stops = device.received("Stop")
    begun = stops[stop_number - 2].perf if stop_number > 1 else 0.0
    first = next(m for m in device.received("ContinuousMove") if m.perf > begun)
    return stops[stop_number - 1].perf - first.perf


@pytest.fixture(autouse=True)
def _orm_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def portal(transactional_db: None, ptz_worker: Server, tmp_path: Path) -> Iterator[Server]:
    port = free_port()
    log_path = tmp_path / "daphne.log"
    process = _start([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "portal.asgi:application"],
                     log_path, DJANGO_SETTINGS_MODULE="tests.settings", CCTV_PTZ_MOVE_TIMEOUT_MS=str(MOVE_TIMEOUT_MS))
    try:
        wait_for_port(port, timeout=30)
        yield Server(port, process, log_path)
    finally:
        _stop(process)


@pytest.fixture
def page(portal: Server, ptz_camera: Camera, world: World, tmp_path: Path) -> Iterator[Any]:
    """The admin on the camera's live page (test data exists before the browser starts)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        context = launch(driver, tmp_path / "chromium-profile", viewport={"width": 1280, "height": 800})
        serve_static(context)
        page = context.new_page()
        log_in(page, portal.http_url, world.admin.email, world.password)
        page.goto(f"{portal.http_url}/live/cameras/{ptz_camera.public_id}/")
        page.wait_for_selector("[data-ptz] [data-ptz-dir=right]")
        yield page
        context.close()


def test_hold_an_arrow_with_the_mouse_then_release(page: Any, device: OnvifDevice) -> None:
    page.hover("[data-ptz-dir=right]")
    page.mouse.down()
    page.wait_for_timeout(1500)
    held_moving = device.moving()
    page.mouse.up()
    device.wait_for("Stop")
    stopped_at = device.position()["pan"]
    page.wait_for_timeout(500)

    moves = device.received("ContinuousMove")
    assert held_moving and len(moves) >= 3  # the press and its renewals
    assert {m.params["Velocity"]["pan"] for m in moves} == {0.5}  # the speed slider's default
    # Half speed (the slider's default) for as long as it was held, however slow this machine is.
    assert held_for(device) > 0.5 and stopped_at == pytest.approx(0.5 * held_for(device), abs=0.1)
    assert not device.moving()
    assert device.position()["pan"] == pytest.approx(stopped_at)
    page.wait_for_function("document.querySelector('[data-ptz-position]').textContent.includes('Pan 0.')")
    assert page.text_content("[data-ptz-lock]") == "You control this camera."


def test_hold_an_arrow_key_and_zoom_key(page: Any, device: OnvifDevice) -> None:
    page.focus("body")
    page.keyboard.down("ArrowUp")
    page.wait_for_timeout(800)
    page.keyboard.up("ArrowUp")
    device.wait_for("Stop")
    page.keyboard.down("+")
    page.wait_for_timeout(600)
    page.keyboard.up("+")
    device.wait_for("Stop", count=2)

    position = device.position()
    assert position["tilt"] == pytest.approx(0.5 * held_for(device, 1), abs=0.1) and position["tilt"] > 0
    assert position["zoom"] == pytest.approx(0.5 * held_for(device, 2), abs=0.1) and position["zoom"] > 0
    assert position["pan"] == 0 and not device.moving()


def test_leaving_the_window_stops_a_held_move(page: Any, device: OnvifDevice) -> None:
    page.focus("body")
    page.keyboard.down("ArrowLeft")
    device.wait_for("ContinuousMove")
    page.evaluate("window.dispatchEvent(new Event('blur'))")
    device.wait_for("Stop")

    assert not device.moving()


def test_a_camera_that_cannot_delete_presets_says_so_and_keeps_them(page: Any, device: OnvifDevice) -> None:
    device.options.remove_presets = "not_supported"
    page.fill("[data-ptz-preset-form] input[name=name]", "Gate")
    page.click("[data-ptz-preset-form] button[type=submit]")
    page.wait_for_selector(".ptz-goto:not([disabled])")
    page.once("dialog", lambda dialog: dialog.accept())

    page.click("[aria-label='Remove preset Gate']")
    device.wait_for("RemovePreset")
    page.wait_for_selector("[data-ptz-no-remove]:not([hidden])")
    page.wait_for_function("document.querySelector('[data-ptz-message]').textContent.includes('cannot delete')")

    assert "It cannot delete presets: “Gate” is kept." in page.text_content("[data-ptz-message]")
    assert page.query_selector("[aria-label='Remove preset Gate']") is None
    assert page.text_content(".ptz-goto") == "Gate"
    assert [p.name for p in device.presets.values()] == ["Gate"]


def test_save_and_recall_a_preset(page: Any, device: OnvifDevice) -> None:
    page.fill("[data-ptz-preset-form] input[name=name]", "Gate")
    page.click("[data-ptz-preset-form] button[type=submit]")
    page.wait_for_selector(".ptz-goto:not([disabled])")
    page.focus("body")
    page.keyboard.down("ArrowDown")
    page.wait_for_timeout(600)
    page.keyboard.up("ArrowDown")
    device.wait_for("Stop")
    moved_away = device.position()["tilt"]

    page.click(".ptz-goto")
    device.wait_for("GotoPreset")
    wait_until(lambda: device.position()["tilt"] == 0.0, what="the preset's position")

    assert moved_away < 0
    assert page.text_content(".ptz-goto") == "Gate"


# The picture's and the PTZ panel's boxes on the live page.
PLACEMENT_JS = """() => {
  const box = (selector) => {
    const r = document.querySelector(selector).getBoundingClientRect();
    return {x: r.x, y: r.y, right: r.right, bottom: r.bottom};
  };
  return {picture: box('.live-tile-single'), panel: box('[data-ptz]'), width: document.documentElement.clientWidth};
}"""


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return a["x"] < b["right"] and b["x"] < a["right"] and a["y"] < b["bottom"] and b["y"] < a["bottom"]


def test_the_panel_sits_beside_the_picture_on_a_desktop_and_under_it_on_a_phone(page: Any) -> None:
    desktop = page.evaluate(PLACEMENT_JS)
    assert not _overlap(desktop["picture"], desktop["panel"]), desktop
    assert desktop["panel"]["x"] >= desktop["picture"]["right"], desktop  # beside: to its right
    assert desktop["panel"]["right"] <= desktop["width"], desktop

    page.set_viewport_size({"width": 390, "height": 844})
    phone = page.evaluate(PLACEMENT_JS)
    assert not _overlap(phone["picture"], phone["panel"]), phone
    assert phone["panel"]["y"] >= phone["picture"]["bottom"], phone  # under it
    assert phone["panel"]["right"] <= 390, phone
