"""Coordinate spaces as read from PTZ configuration options (pure functions, replies shaped as zeep gives them)."""

from __future__ import annotations

import pytest

from cameras.ptz.onvif.replies import GENERIC_SPACES, names_other_spaces, ptz_vector, read_position, read_spaces

DEGREES = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/SphericalPositionSpaceDegrees"
GENERIC_POSITION = GENERIC_SPACES["AbsolutePanTiltPositionSpace"]


def space(uri: str, x: tuple[float, float], y: tuple[float, float] | None = None) -> dict:
    item = {"URI": uri, "XRange": {"Min": x[0], "Max": x[1]}}
    return {**item, "YRange": {"Min": y[0], "Max": y[1]}} if y else item


def test_the_generic_space_is_chosen_wherever_it_is_listed() -> None:
    spaces = read_spaces({"AbsolutePanTiltPositionSpace": [space(DEGREES, (-180, 180), (-90, 90)),
                                                           space(GENERIC_POSITION, (-1, 1), (-1, 1))]})

    assert spaces.uri("AbsolutePanTiltPositionSpace") == GENERIC_POSITION
    assert (spaces.range("AbsolutePanTiltPositionSpace"), spaces.range("AbsolutePanTiltPositionSpace", "y")) == (
        (-1.0, 1.0), (-1.0, 1.0))
    assert spaces.uri("ContinuousZoomVelocitySpace") is None  # not offered


def test_without_a_generic_space_the_first_is_chosen_and_still_named() -> None:
    spaces = read_spaces({"AbsolutePanTiltPositionSpace": [space(DEGREES, (-180, 180), (-90, 90)),
                                                           space("http://example.com/Other", (0, 10), (0, 10))]})

    assert spaces.uri("AbsolutePanTiltPositionSpace") == DEGREES
    assert ptz_vector(90, None, None, spaces, "Position") == {"PanTilt": {"x": 90, "y": 0.0, "space": DEGREES}}


def test_a_space_without_a_readable_range_is_not_offered() -> None:
    spaces = read_spaces({"AbsolutePanTiltPositionSpace": [{"URI": GENERIC_POSITION}, space(DEGREES, (-180, 180))]})

    assert spaces.uri("AbsolutePanTiltPositionSpace") == DEGREES


def test_a_position_reported_in_another_space_is_converted() -> None:
    spaces = read_spaces({"AbsolutePanTiltPositionSpace": [space(DEGREES, (-180, 180), (-90, 90)),
                                                           space(GENERIC_POSITION, (-1, 1), (-1, 1))]})
    in_degrees = {"PanTilt": {"x": 90.0, "y": -45.0, "space": DEGREES}, "Zoom": {"x": 0.5}}
    unknown = {"PanTilt": {"x": 90.0, "y": -45.0, "space": "http://example.com/Unknown"}}

    assert names_other_spaces(in_degrees) and not names_other_spaces({"PanTilt": {"x": 0, "y": 0}})
    position = read_position(in_degrees, spaces)
    assert (position.pan, position.tilt, position.zoom) == pytest.approx((0.5, -0.5, 0.5))
    assert read_position(unknown, spaces).pan is None  # units unknown: not shown as if they were ours
