"""The ONVIF adapter against the simulated camera: real SOAP through onvif-zeep-async, nothing mocked."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from cameras.onvif import (
    OnvifAdapter,
    OnvifAddress,
    OnvifAuthFailed,
    OnvifBackedOff,
    OnvifFault,
    OnvifNotSupported,
    OnvifTimeout,
    OnvifUnreachable,
)
from tests.onvif_device import OnvifDevice
from tests.ptz.conftest import address_of, allow_loopback_port
from tests.services import free_port


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
