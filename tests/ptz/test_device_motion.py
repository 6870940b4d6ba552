"""The simulated device publishes its motion, and the demo picture turns a position into a view (no timing)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.ptz.conftest import DEVICE_PASSWORD
from tests.ptz.test_onvif_device import call, token
from tests.support.onvif_device import Motion, OnvifDevice, PTZMechanics, read_motion, write_motion
from tests.support.ptz_panorama import HEIGHT, WIDTH
from tests.support.ptz_picture import HOME, MotionReader, view_of

PROFILE = "<p:ProfileToken>profile_main</p:ProfileToken>"


def ptz(device: OnvifDevice, body: str) -> None:
    response = call(device, body, token(DEVICE_PASSWORD))
    assert response.status_code == 200, response.text


def test_a_published_motion_is_evaluated_as_the_device_does() -> None:
    motion = Motion({"pan": 0.0, "tilt": 0.5, "zoom": 0.9}, {"pan": 0.5, "tilt": -1.0, "zoom": 1.0}, speed=2.0,
                    since=100.0, deadline=100.5)

    assert motion.position_at(100.25) == pytest.approx({"pan": 0.25, "tilt": 0.0, "zoom": 1.0})  # zoom clamped
    assert motion.position_at(107.0) == pytest.approx({"pan": 0.5, "tilt": -0.5, "zoom": 1.0})  # ended at 100.5
    assert motion.position_at(99.0) == motion.position  # before it started


def test_the_mechanics_report_every_change() -> None:
    changes: list[Motion] = []
    mechanics = PTZMechanics(on_change=changes.append)

    mechanics.continuous({"pan": 0.3}, timeout=2.0)
    mechanics.stop()
    mechanics.jump({"zoom": 0.4})

    assert [m.velocity["pan"] for m in changes] == [0.3, 0.0, 0.0]
    assert changes[0].deadline == pytest.approx(changes[0].since + 2.0)
    assert changes[-1].position == mechanics.snapshot()[0] and changes[-1].position["zoom"] == 0.4


def test_the_device_publishes_its_motion_when_asked(make_device: Callable[..., OnvifDevice], tmp_path: Path) -> None:
    path = tmp_path / "motion.json"
    device = make_device(motion_file=str(path))
    at_home = read_motion(str(path))

    ptz(device, f"<p:AbsoluteMove>{PROFILE}<p:Position><t:PanTilt x=\"0.5\" y=\"-0.25\"/><t:Zoom x=\"0.75\"/>"
                "</p:Position></p:AbsoluteMove>")
    moved = read_motion(str(path))
    ptz(device, f"<p:ContinuousMove>{PROFILE}<p:Velocity><t:PanTilt x=\"-0.5\" y=\"0\"/></p:Velocity>"
                "<p:Timeout>PT10S</p:Timeout></p:ContinuousMove>")
    moving = read_motion(str(path))
    ptz(device, f"<p:Stop>{PROFILE}</p:Stop>")
    stopped = read_motion(str(path))

    assert at_home is not None and at_home.position == HOME
    assert moved is not None and moved.position == pytest.approx({"pan": 0.5, "tilt": -0.25, "zoom": 0.75})
    assert moving is not None and moving.velocity["pan"] == -0.5 and moving.deadline == pytest.approx(
        moving.since + 10)
    assert stopped is not None and not any(stopped.velocity.values())
    assert stopped.position == device.position()  # what GetStatus reports from now on


def test_without_a_motion_file_nothing_is_written(make_device: Callable[..., OnvifDevice], tmp_path: Path) -> None:
    device = make_device()
    ptz(device, f"<p:Stop>{PROFILE}</p:Stop>")

    assert device.options.motion_file == "" and list(tmp_path.iterdir()) == []


def test_the_reader_sees_home_without_a_file_and_every_new_motion(tmp_path: Path) -> None:
    path = tmp_path / "motion.json"
    reader = MotionReader(str(path))
    before = reader.position(5.0)
    write_motion(str(path), Motion({"pan": 0.1, "tilt": 0.0, "zoom": 0.0}, {"pan": 0.2, "tilt": 0.0, "zoom": 0.0},
                                   1.0, since=4.0, deadline=None))
    panning = reader.position(5.0)
    path.write_text("{not json")
    broken = reader.position(5.0)

    assert before == HOME
    assert panning == pytest.approx({"pan": 0.3, "tilt": 0.0, "zoom": 0.0})
    assert broken == HOME


def test_pan_tilt_and_zoom_move_the_view_the_way_a_camera_does() -> None:
    size = (640, 360)
    home = view_of(HOME, size)
    right, up, zoomed = (view_of({**HOME, axis: value}, size) for axis, value in
                         (("pan", 1.0), ("tilt", 1.0), ("zoom", 1.0)))

    assert (home.x, home.y) == (WIDTH / 2, HEIGHT / 2)
    assert right.x + right.width / 2 == WIDTH  # full right: the view touches the panorama's right edge
    assert up.y - up.height / 2 == 0  # full up: its top edge
    assert (zoomed.x, zoomed.y) == (home.x, home.y) and zoomed.width == pytest.approx(home.width / 6)
    assert view_of(HOME, (320, 180)) == home  # the sub stream sees the same view

