"""The demo PTZ camera's picture follows the simulated device's position, end to end with real processes.

As in bin/start: the ONVIF device runs as its own process and publishes its motion to a file;
the renderer (``python -m tests.support.ptz_picture``) runs as another, publishing a main and a sub stream
into a go2rtc camera simulator. The tests move the device through ONVIF with the portal's adapter
and decode frames of the simulator's RTSP streams with ffmpeg, polling until the picture shows the
expected view (or a generous deadline passes).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import cv2
import httpx
import numpy as np
import pytest

from cameras.ptz.onvif.client import OnvifAdapter, OnvifAddress
from tests.ptz.conftest import DEVICE_PASSWORD, DEVICE_USER, allow_loopback_port
from tests.support.media import Go2RTCProcess, stop_processes
from tests.support.ptz_panorama import HEIGHT, WIDTH, draw_panorama
from tests.support.ptz_picture import WIDEST, Panorama, osd_height, view_of
from tests.support.services import REPO_ROOT, free_port, wait_for_port
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration  # go2rtc, the renderer, the ONVIF device and ffmpeg run as processes

SIZES = {"ptz": (640, 360), "ptz-sub": (320, 180)}
RATES = {"ptz": 15, "ptz-sub": 10}
HOME = {"pan": 0.0, "tilt": 0.0, "zoom": 0.0}
# Mean absolute difference (grey levels, below the on-screen display) under which a decoded frame
# shows a view: H.264 at the encoder's default quality stays well under it, other views far above.
SAME_VIEW = 12.0
DEADLINE = 60.0  # seconds to wait for a picture; generous for a loaded machine


class CameraSimulator(Go2RTCProcess):
    """A go2rtc with the empty streams ``ptz`` and ``ptz-sub`` that the renderer publishes to."""

    def __init__(self) -> None:
        self.rtsp_port = free_port()
        overrides = {
            "api": {"listen": f"127.0.0.1:{free_port()}"},
            "rtsp": {"listen": f"127.0.0.1:{self.rtsp_port}"},
            "webrtc": {"listen": ""},
            "log": {"level": "warn"},
            "streams": dict.fromkeys(SIZES),
        }
        super().__init__("ptz-camera-simulator", [], overrides, {})

    def source(self, name: str) -> str:
        return f"rtsp://127.0.0.1:{self.rtsp_port}/{name}"

    def published(self) -> bool:
        """Whether the renderer publishes both streams."""
        streams = httpx.get(f"http://127.0.0.1:{self.api_port}/api/streams", timeout=5).json() or {}
        return all((streams.get(name) or {}).get("producers") for name in SIZES)


@pytest.fixture(scope="module")
def motion_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ptz-picture") / "motion.json"


@pytest.fixture(scope="module")
def device_address(motion_file: Path) -> Iterator[OnvifAddress]:
    """``python -m tests.support.onvif_device`` as bin/start runs it, publishing its motion."""
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tests.support.onvif_device", "--port", str(port), "--username", DEVICE_USER,
         "--password", DEVICE_PASSWORD, "--motion-file", str(motion_file)],
        cwd=REPO_ROOT, stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port, timeout=30)
        yield OnvifAddress("127.0.0.1", port, DEVICE_USER, DEVICE_PASSWORD)
    finally:
        stop_processes([process])


@pytest.fixture(autouse=True)
def _device_reachable(settings: Any, device_address: OnvifAddress) -> None:
    """The device listens on loopback, which only the operator's allow-list opens (as bin/start does)."""
    allow_loopback_port(settings, device_address.port)


@pytest.fixture(scope="module")
def picture(motion_file: Path, device_address: OnvifAddress) -> Iterator[CameraSimulator]:
    """The camera simulator, and ``python -m tests.support.ptz_picture`` publishing into it as bin/start runs it."""
    camera = CameraSimulator()
    camera.start()
    streams = [arg for name in SIZES for arg in
               ("--stream", camera.source(name), "{}x{}".format(*SIZES[name]), str(RATES[name]))]
    renderer = subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "tests.support.ptz_picture", "--motion-file", str(motion_file), *streams], cwd=REPO_ROOT,
    )
    try:
        wait_until(lambda: renderer.poll() is not None or camera.published(), timeout=DEADLINE,
                   what="the renderer publishing")
        assert renderer.poll() is None, f"the renderer exited with {renderer.returncode}"
        yield camera
    finally:
        stop_processes([renderer])
        camera.cleanup()


@pytest.fixture(scope="module")
def panorama() -> Panorama:
    return Panorama(draw_panorama())


def grab(camera: CameraSimulator, name: str, count: int = 1) -> np.ndarray:
    """``count`` consecutive decoded frames of a stream (BGR), as ffmpeg receives them."""
    width, height = SIZES[name]
    result = subprocess.run(  # noqa: S603
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", camera.source(name),  # noqa: S607
         "-frames:v", str(count), "-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "bgr24", "-"],
        capture_output=True, timeout=DEADLINE, check=True,
    )
    frames = np.frombuffer(result.stdout, np.uint8).reshape(-1, height, width, 3)
    assert len(frames) == count, f"{len(frames)} of {count} frames decoded"
    return frames


def difference(frame: np.ndarray, expected: np.ndarray) -> float:
    """Mean absolute difference of two frames below the on-screen display (whose clock ticks)."""
    top = osd_height((frame.shape[1], frame.shape[0]))
    return float(np.abs(frame[top:].astype(np.int16) - expected[top:].astype(np.int16)).mean())


def expected_view(panorama: Panorama, name: str, position: dict[str, float]) -> np.ndarray:
    return panorama.render(view_of(position, SIZES[name]), SIZES[name])


def wait_for_view(camera: CameraSimulator, panorama: Panorama, name: str, position: dict[str, float]) -> np.ndarray:
    """Grab frames of ``name`` until one shows the view at ``position``; that frame."""
    expected = expected_view(panorama, name, position)
    seen: list[float] = []

    def shows_it() -> list[np.ndarray]:
        frame = grab(camera, name)[0]
        seen.append(round(difference(frame, expected), 1))
        return [frame] if seen[-1] < SAME_VIEW else []

    try:
        return wait_until(shows_it, timeout=DEADLINE, what=f"{name} showing {position}")[0]
    except AssertionError:
        raise AssertionError(f"{name} never showed the view at {position}; differences seen: {seen}") from None


def shift(before: np.ndarray, after: np.ndarray) -> tuple[int, int]:
    """Where the middle of ``before`` is found in ``after``, relative to where it was (x, y in frame pixels)."""
    height, width = before.shape[:2]
    top = osd_height((width, height))
    x0, y0, w, h = width // 4, top + (height - top) // 4, width // 2, (height - top) // 2
    patch = cv2.cvtColor(before[y0:y0 + h, x0:x0 + w], cv2.COLOR_BGR2GRAY)
    search = cv2.cvtColor(after[top:], cv2.COLOR_BGR2GRAY)
    scores = cv2.matchTemplate(search, patch, cv2.TM_CCOEFF_NORMED)
    _, best, _, (x, y) = cv2.minMaxLoc(scores)
    assert best > 0.8, f"the landmark in the middle of the picture is gone (best match {best:.2f})"
    return x - x0, y + top - y0


def reported(adapter: OnvifAdapter, address: OnvifAddress) -> dict[str, float]:
    """The position the device reports through ONVIF, as the PTZ panel shows it."""
    position = adapter.status(address).position
    assert None not in (position.pan, position.tilt, position.zoom), position
    return {"pan": position.pan, "tilt": position.tilt, "zoom": position.zoom}


def test_the_picture_shows_the_view_at_the_position_the_device_reports(
    adapter: OnvifAdapter, device_address: OnvifAddress, picture: CameraSimulator, panorama: Panorama,
) -> None:
    adapter.absolute_move(device_address, 0.0, 0.0, 0.0)
    for name in SIZES:
        wait_for_view(picture, panorama, name, HOME)
    target = {"pan": 0.6, "tilt": -0.4, "zoom": 0.5}
    for name in SIZES:  # the two views are far apart, so a picture stuck at home cannot pass
        assert difference(expected_view(panorama, name, HOME), expected_view(panorama, name, target)) > 3 * SAME_VIEW

    adapter.absolute_move(device_address, target["pan"], target["tilt"], target["zoom"])

    position = reported(adapter, device_address)
    assert position == pytest.approx(target, abs=1e-3)
    for name in SIZES:  # main and sub show the same view
        wait_for_view(picture, panorama, name, position)


def test_panning_right_moves_the_scene_left_and_tilting_up_moves_it_down(
    adapter: OnvifAdapter, device_address: OnvifAddress, picture: CameraSimulator, panorama: Panorama,
) -> None:
    adapter.absolute_move(device_address, 0.0, 0.0, 0.0)
    at_home = wait_for_view(picture, panorama, "ptz", HOME)
    # At zoom 0 a frame pixel is WIDEST / 640 panorama pixels; pan -1..1 moves the centre across
    # WIDTH - WIDEST of them and tilt -1..1 across HEIGHT - WIDEST * 9 / 16.
    frame_pixel = WIDEST / SIZES["ptz"][0]

    adapter.relative_move(device_address, 0.1, None, None)
    panned = wait_for_view(picture, panorama, "ptz", reported(adapter, device_address))
    adapter.relative_move(device_address, None, 0.2, None)
    tilted = wait_for_view(picture, panorama, "ptz", reported(adapter, device_address))

    dx, dy = shift(at_home, panned)
    assert dx < 0 and dx == pytest.approx(-0.1 * (WIDTH - WIDEST) / 2 / frame_pixel, abs=2)
    assert dy == pytest.approx(0, abs=2)
    dx, dy = shift(panned, tilted)
    assert dy > 0 and dy == pytest.approx(0.2 * (HEIGHT - WIDEST * 9 / 16) / 2 / frame_pixel, abs=2)
    assert dx == pytest.approx(0, abs=2)


def test_a_continuous_pan_moves_the_picture_in_every_frame(
    adapter: OnvifAdapter, device_address: OnvifAddress, picture: CameraSimulator, panorama: Panorama,
) -> None:
    adapter.absolute_move(device_address, -1.0, 0.0, 0.0)
    wait_for_view(picture, panorama, "ptz", {"pan": -1.0, "tilt": 0.0, "zoom": 0.0})

    adapter.continuous_move(device_address, 0.15, None, None, timeout=30)  # about 13 s to the right end
    try:
        frames = grab(picture, "ptz", count=8)
    finally:
        adapter.stop(device_address)

    moves = [shift(before, after) for before, after in zip(frames, frames[1:], strict=False)]
    assert all(dx < 0 and abs(dy) <= 1 for dx, dy in moves), moves  # the scene slides left a little every frame
    position = reported(adapter, device_address)
    assert position["pan"] > -1.0
    wait_for_view(picture, panorama, "ptz", position)  # and stops where the device says it stopped
