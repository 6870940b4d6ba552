"""The ONVIF adapter against the simulated camera: real SOAP through onvif-zeep-async, nothing mocked."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cameras import services
from cameras.ptz.onvif.client import (
    OnvifAdapter,
    OnvifAddress,
    OnvifAuthFailed,
    OnvifBackedOff,
    OnvifFault,
    OnvifNotSupported,
    OnvifTimeout,
    OnvifUnreachable,
)
from tests.conftest import World
from tests.ptz.conftest import DEVICE_PASSWORD, DEVICE_USER, address_of, allow_loopback_port, point_at
from tests.support.onvif_device import OnvifDevice
from tests.support.services import free_port


def test_capabilities_come_from_the_ptz_profile(adapter: OnvifAdapter, device: OnvifDevice) -> None:
    features = adapter.capabilities(address_of(device))

    assert features.supported
    assert features.continuous_pan_tilt and features.continuous_zoom
    assert features.relative_pan_tilt and features.absolute_zoom and features.home
    assert (features.presets, features.max_presets) == (True, 32)
    assert features.ranges["pan_velocity"] == (-1.0, 1.0)
    assert features.ranges["zoom"] == (0.0, 1.0)
    assert features.timeout_range == (1.0, 60.0)
    # The first profile has no PTZ configuration; the adapter skips it.
    assert features.profile_token == "profile_main"
    assert features.device["manufacturer"] == "CCTV Portal tests"


def test_continuous_move_moves_until_stopped(adapter: OnvifAdapter, device: OnvifDevice) -> None:
    address = address_of(device)

    assert adapter.continuous_move(address, 0.5, None, None, timeout=5)
    time.sleep(0.4)
    status = adapter.status(address)
    adapter.stop(address)
    stopped_at = device.position()["pan"]
    time.sleep(0.3)

    assert status.moving is True and status.position.pan is not None and status.position.pan > 0.1
    assert device.position()["pan"] == pytest.approx(stopped_at)
    assert adapter.status(address).moving is False
    assert device.received("ContinuousMove")[0].params["Timeout"] == "PT5S"


def test_a_move_stops_by_itself_after_its_timeout(adapter: OnvifAdapter, device: OnvifDevice) -> None:
    adapter.continuous_move(address_of(device), None, 1.0, None, timeout=1.0)
    time.sleep(1.3)

    assert not device.moving()
    assert device.position()["tilt"] == pytest.approx(1.0, abs=0.05)  # 1 s at full speed, clamped at 1
    assert "Stop" not in device.operations()


def test_relative_absolute_and_home(adapter: OnvifAdapter, device: OnvifDevice) -> None:
    address = address_of(device)

    adapter.absolute_move(address, 0.5, -0.25, 0.75)
    assert device.position() == pytest.approx({"pan": 0.5, "tilt": -0.25, "zoom": 0.75})
    adapter.relative_move(address, -0.2, None, None)
    assert device.position() == pytest.approx({"pan": 0.3, "tilt": -0.25, "zoom": 0.75})
    adapter.home(address)
    assert device.position() == pytest.approx({"pan": 0.0, "tilt": 0.0, "zoom": 0.0})
    status = adapter.status(address)
    assert (status.position.pan, status.position.zoom) == pytest.approx((0.0, 0.0))


def test_presets_round_trip(adapter: OnvifAdapter, device: OnvifDevice) -> None:
    address = address_of(device)
    adapter.absolute_move(address, -0.4, 0.3, 0.2)

    token = adapter.set_preset(address, "Front door")
    adapter.home(address)
    listed = adapter.presets(address)
    adapter.goto_preset(address, token)
    recalled = device.position()
    adapter.remove_preset(address, token)

    assert [(p.token, p.name) for p in listed] == [(token, "Front door")]
    assert listed[0].position is not None and listed[0].position.pan == pytest.approx(-0.4)
    assert recalled == pytest.approx({"pan": -0.4, "tilt": 0.3, "zoom": 0.2})
    assert adapter.presets(address) == []


def test_a_camera_fault_is_a_typed_error_that_keeps_the_session(adapter: OnvifAdapter, device: OnvifDevice) -> None:
    address = address_of(device)
    adapter.status(address)

    with pytest.raises(OnvifFault) as raised:
        adapter.goto_preset(address, "no-such-preset")

    assert not raised.value.retryable
    assert "No preset with this token" in str(raised.value)
    adapter.status(address)
    assert device.operations().count("GetServices") == 1  # no new session


def test_no_home_position_is_not_supported(make_device: Callable[..., OnvifDevice], adapter: OnvifAdapter) -> None:
    device = make_device(home_supported=False)

    assert not adapter.capabilities(address_of(device)).home
    with pytest.raises(OnvifNotSupported):
        adapter.home(address_of(device))


def test_a_wrong_password_is_refused_then_backed_off(adapter: OnvifAdapter, device: OnvifDevice) -> None:
    address = address_of(device, password="wrong")

    for _ in range(2):
        with pytest.raises(OnvifAuthFailed) as raised:
            adapter.status(address)
        assert not raised.value.retryable
        assert "wrong" not in str(raised.value)
    reached = len(device.requests)
    with pytest.raises(OnvifBackedOff) as backed_off:
        adapter.status(address)

    assert len(device.requests) == reached  # left alone
    assert 0 < backed_off.value.retry_after <= 2.5
    assert not any(r.authenticated for r in device.requests if r.operation != "GetSystemDateAndTime")


def test_stop_is_sent_even_to_a_backed_off_camera(adapter: OnvifAdapter, device: OnvifDevice) -> None:
    address = address_of(device)
    adapter.continuous_move(address, 0.3, None, None, timeout=10)
    adapter.backoff.failed(address)
    adapter.backoff.failed(address)

    with pytest.raises(OnvifBackedOff):
        adapter.continuous_move(address, 0.5, None, None, timeout=10)
    adapter.stop(address)

    assert not device.moving()


def test_a_closed_port_is_unreachable_at_once(adapter: OnvifAdapter, settings: Any) -> None:
    port = free_port()
    allow_loopback_port(settings, port)
    started = time.monotonic()

    with pytest.raises(OnvifUnreachable) as raised:
        adapter.status(OnvifAddress("127.0.0.1", port, "admin", "secret"))

    assert raised.value.retryable
    assert time.monotonic() - started < 2
    assert "127.0.0.1" in str(raised.value)


@pytest.fixture
def silent_camera() -> Iterator[int]:
    """A TCP port that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.1)
        while not stop.is_set():
            try:
                accepted.append(server.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1]
    stop.set()
    thread.join(timeout=2)
    for conn in accepted:
        conn.close()
    server.close()


def test_a_silent_camera_times_out_in_bounded_time(silent_camera: int, settings: Any) -> None:
    allow_loopback_port(settings, silent_camera)
    adapter = OnvifAdapter(timeout=1)
    started = time.monotonic()
    try:
        with pytest.raises(OnvifTimeout) as raised:
            adapter.status(OnvifAddress("127.0.0.1", silent_camera, "admin", "secret"))
    finally:
        adapter.close()

    assert raised.value.retryable
    assert time.monotonic() - started < 2
    assert "did not answer within 1 s" in str(raised.value)


def test_a_superseded_move_is_not_sent(adapter: OnvifAdapter, device: OnvifDevice) -> None:
    sent = adapter.continuous_move(address_of(device), 0.5, None, None, timeout=2, still_wanted=lambda: False)

    assert sent is False
    assert "ContinuousMove" not in device.operations()


def test_vendor_quirks_are_accepted(make_device: Callable[..., OnvifDevice], adapter: OnvifAdapter) -> None:
    """Other namespace prefixes, no MoveStatus, no node name, no default timeout: all fine."""
    device = make_device(vendor_prefixes=True, minimal_replies=True)
    address = address_of(device)

    features = adapter.capabilities(address)
    adapter.continuous_move(address, -0.5, 0.5, None, timeout=2)
    time.sleep(0.2)
    status = adapter.status(address)
    adapter.stop(address)

    assert features.continuous_pan_tilt and features.presets
    assert status.moving is None  # the camera does not say
    assert status.position.pan is not None and status.position.pan < 0
    assert status.position.tilt is not None and status.position.tilt > 0


def test_a_camera_with_a_wrong_clock_is_still_reached(make_device: Callable[..., OnvifDevice],
                                                      adapter: OnvifAdapter) -> None:
    """The device refuses timestamps over 5 min off its clock; the adapter adjusts to it."""
    device = make_device(clock_offset=3600)

    assert adapter.status(address_of(device)).moving is False


# --- issue 10: PTZ on cameras other than our own ---------------------------------------------------


def test_an_absolute_move_of_one_axis_keeps_the_other(adapter: OnvifAdapter, device: OnvifDevice) -> None:
    """ONVIF takes pan and tilt together: the one not given is where the camera is now, never 0."""
    address = address_of(device)
    adapter.absolute_move(address, 0.5, -0.25, 0.75)

    adapter.absolute_move(address, None, 0.4, None)
    tilted = device.position()
    adapter.absolute_move(address, -0.3, None, None)

    assert tilted == pytest.approx({"pan": 0.5, "tilt": 0.4, "zoom": 0.75})
    assert device.position() == pytest.approx({"pan": -0.3, "tilt": 0.4, "zoom": 0.75})
    assert device.received("AbsoluteMove")[-1].params["Position"] == pytest.approx({"pan": -0.3, "tilt": 0.4})


CET = {"time_zone": "CET-1CEST,M3.5.0,M10.5.0/3", "daylight_savings": True, "local_offset": 7200}
NEW_YORK_WINTER = {"time_zone": "EST5EDT,M3.2.0,M11.1.0", "daylight_savings": False, "local_offset": -5 * 3600}


@pytest.mark.parametrize(
    "options",
    [
        {"time_reply": "local", "http_date": False, **CET},
        {"time_reply": "local", "http_date": False, "clock_offset": 3600, **NEW_YORK_WINTER},
        {"time_reply": "none", "http_date": False},
        {"time_reply": "none", "clock_offset": 3600},
    ],
    ids=["local-time-cest", "local-time-est-clock-an-hour-off", "no-time-at-all", "no-time-clock-an-hour-off"],
)
def test_a_time_reply_without_utc_still_reaches_the_camera(make_device: Callable[..., OnvifDevice],
                                                          adapter: OnvifAdapter, options: dict) -> None:
    """UTCDateTime is optional: local time with its POSIX time zone, else the HTTP Date, else no adjustment.

    The device refuses logins stamped over 5 min off its clock, so reading
    local time as UTC (two or five hours off) would fail here.
    """
    device = make_device(**options)

    assert adapter.status(address_of(device)).moving is False


def test_a_clock_an_hour_off_behind_a_time_query_that_needs_a_login(make_device: Callable[..., OnvifDevice],
                                                                    adapter: OnvifAdapter) -> None:
    """The refused anonymous time query still carries the device's clock in its HTTP Date header."""
    device = make_device(time_needs_auth=True, clock_offset=3600)

    assert adapter.status(address_of(device)).moving is False
    assert not any(r.operation == "GetSystemDateAndTime" and r.authenticated for r in device.requests)


def test_a_login_needed_for_the_time_with_the_clocks_in_step(make_device: Callable[..., OnvifDevice],
                                                            adapter: OnvifAdapter) -> None:
    device = make_device(time_needs_auth=True, http_date=False)

    assert adapter.status(address_of(device)).moving is False


def test_a_clock_that_cannot_be_learned_is_named_as_a_possible_cause(make_device: Callable[..., OnvifDevice],
                                                                     adapter: OnvifAdapter) -> None:
    """No anonymous time, no Date header, an hour off: the password may be right, so say both."""
    device = make_device(time_needs_auth=True, clock_offset=3600, http_date=False)

    with pytest.raises(OnvifAuthFailed) as raised:
        adapter.status(address_of(device))

    assert not raised.value.retryable
    assert "clock" in str(raised.value) and "password" in str(raised.value)
    assert DEVICE_PASSWORD not in str(raised.value)


def test_a_time_reply_that_misstates_the_clock_is_corrected_from_the_refusal(
    make_device: Callable[..., OnvifDevice], adapter: OnvifAdapter
) -> None:
    """Firmware writing local time as UTC: the first login is refused, its Date header shows the real clock."""
    device = make_device(reported_time_error=3600)

    assert adapter.status(address_of(device)).moving is False


def test_a_wrong_password_on_a_camera_with_a_known_clock_blames_the_password(
    make_device: Callable[..., OnvifDevice], adapter: OnvifAdapter
) -> None:
    device = make_device(clock_offset=3600)

    with pytest.raises(OnvifAuthFailed) as raised:
        adapter.status(address_of(device, password="wrong"))

    assert "refused the ONVIF user name or password" in str(raised.value)
    assert "1 h ahead" in str(raised.value)  # and says the clock was allowed for


def test_a_corrected_password_is_not_held_back_by_the_wrong_ones_back_off(adapter: OnvifAdapter,
                                                                          device: OnvifDevice) -> None:
    for _ in range(2):
        with pytest.raises(OnvifAuthFailed):
            adapter.status(address_of(device, password="wrong"))
    with pytest.raises(OnvifBackedOff):
        adapter.status(address_of(device, password="wrong"))

    assert adapter.status(address_of(device)).moving is False


def test_the_back_off_key_names_no_credential(device: OnvifDevice) -> None:
    right, wrong = address_of(device).backoff_key, address_of(device, password="wrong").backoff_key

    assert right != wrong
    assert not any(secret in key for key in (right, wrong) for secret in (DEVICE_PASSWORD, "wrong", DEVICE_USER))


@pytest.mark.django_db
def test_changing_the_onvif_settings_ends_the_back_off(world: World, device: OnvifDevice, adapter: OnvifAdapter,
                                                       settings: Any) -> None:
    """Settings changed and changed back (a wrong port tried, say): the camera is asked again at once."""
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = ["127.0.0.1"]
    camera = point_at(world.camera_a1, device)
    address = OnvifAddress.of(camera)
    for _ in range(3):
        adapter.backoff.failed(address)
    with pytest.raises(OnvifBackedOff):
        adapter.status(address)

    camera = services.update_camera(world.admin, camera, onvif_port=device.port + 1)
    camera = services.update_camera(world.admin, camera, onvif_port=device.port)

    assert adapter.status(OnvifAddress.of(camera)).moving is False


TPTZ = "http://www.onvif.org/ver10/tptz/"


def test_the_generic_spaces_are_chosen_and_named(make_device: Callable[..., OnvifDevice],
                                                 adapter: OnvifAdapter) -> None:
    """The device lists a non-generic space first for each kind and uses it for requests that name none."""
    device = make_device(extra_spaces=True)
    address = address_of(device)

    features = adapter.capabilities(address)
    adapter.absolute_move(address, 0.5, -0.25, 0.5)
    placed = device.position()
    adapter.relative_move(address, -0.25, None, -0.25)
    adapter.absolute_move(address, None, 0.4, None)  # the pan kept is read in degrees, its default space
    reached = device.position()
    status = adapter.status(address)
    adapter.continuous_move(address, 0.5, None, 0.5, timeout=5)
    adapter.stop(address)

    assert {name: features.ranges[name] for name in ("pan", "tilt", "zoom", "pan_velocity", "tilt_velocity",
                                                     "zoom_velocity", "pan_translation", "zoom_translation")} == {
        "pan": (-1.0, 1.0), "tilt": (-1.0, 1.0), "zoom": (0.0, 1.0), "pan_velocity": (-1.0, 1.0),
        "tilt_velocity": (-1.0, 1.0), "zoom_velocity": (-1.0, 1.0), "pan_translation": (-1.0, 1.0),
        "zoom_translation": (-1.0, 1.0),
    }  # fmt: skip
    assert placed == pytest.approx({"pan": 0.5, "tilt": -0.25, "zoom": 0.5})
    assert reached == pytest.approx({"pan": 0.25, "tilt": 0.4, "zoom": 0.25}, abs=1e-6)
    assert (status.position.pan, status.position.tilt, status.position.zoom) == pytest.approx((0.25, 0.4, 0.25))
    named = {name: device.received(operation)[0].params[name + "Spaces"]
             for operation, name in (("AbsoluteMove", "Position"), ("RelativeMove", "Translation"),
                                     ("ContinuousMove", "Velocity"))}
    assert named == {
        "Position": {"PanTilt": TPTZ + "PanTiltSpaces/PositionGenericSpace",
                     "Zoom": TPTZ + "ZoomSpaces/PositionGenericSpace"},
        "Translation": {"PanTilt": TPTZ + "PanTiltSpaces/TranslationGenericSpace",
                        "Zoom": TPTZ + "ZoomSpaces/TranslationGenericSpace"},
        "Velocity": {"PanTilt": TPTZ + "PanTiltSpaces/VelocityGenericSpace",
                     "Zoom": TPTZ + "ZoomSpaces/VelocityGenericSpace"},
    }
