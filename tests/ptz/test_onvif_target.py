"""The ONVIF adapter calls only the configured, checked address, whatever the device advertises or answers.

Real SOAP through onvif-zeep-async against the simulated camera; only host
name resolution is faked (``fake_dns``: there is no DNS here).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from cameras.ptz.onvif.client import OnvifAdapter, OnvifAddress, OnvifFault, OnvifRefused
from cameras.ptz.onvif.target import REFUSED_MESSAGE, pinned
from tests.ptz.conftest import DEVICE_PASSWORD, DEVICE_USER, address_of
from tests.support.onvif_device import OnvifDevice
from tests.support.services import free_port


def test_services_advertised_on_another_host_and_port_are_called_on_the_configured_one(
    make_device: Callable[..., OnvifDevice], adapter: OnvifAdapter
) -> None:
    """The device names a decoy (another listening device) in its XAddrs; the decoy hears nothing."""
    decoy = make_device()
    device = make_device(advertised_host="127.0.0.1", advertised_port=decoy.port)
    address = address_of(device)

    features = adapter.capabilities(address)
    adapter.absolute_move(address, 0.5, 0.25, 0.5)
    status = adapter.status(address)

    assert features.continuous_pan_tilt and status.position.pan == pytest.approx(0.5)
    assert {"GetProfiles", "GetConfigurationOptions", "AbsoluteMove", "GetStatus"} <= set(device.operations())
    assert decoy.requests == []


class _Redirector(BaseHTTPRequestHandler):
    """Answers every request with a 307 to the same path on ``target`` (a port on this machine)."""

    target_port = 0

    def do_POST(self) -> None:  # noqa: N802  (http.server's naming)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(307)
        self.send_header("Location", f"http://127.0.0.1:{self.target_port}{self.path}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet."""


@pytest.fixture
def redirector() -> Iterator[tuple[ThreadingHTTPServer, type[_Redirector]]]:
    handler = type("Redirector", (_Redirector,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, handler
    server.shutdown()
    server.server_close()


def test_a_redirect_is_not_followed(make_device: Callable[..., OnvifDevice], adapter: OnvifAdapter,
                                    redirector: tuple[ThreadingHTTPServer, type[_Redirector]], settings: Any) -> None:
    decoy = make_device()
    server, handler = redirector
    handler.target_port = decoy.port
    port = server.server_address[1]
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = [*settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS, f"127.0.0.1:{port}"]

    with pytest.raises(OnvifFault):
        adapter.status(OnvifAddress("127.0.0.1", port, DEVICE_USER, DEVICE_PASSWORD))

    assert decoy.requests == []


@pytest.mark.django_db
def test_a_name_that_now_resolves_to_this_machine_is_refused_before_anything_is_sent(
    device: OnvifDevice, adapter: OnvifAdapter, fake_dns: Callable[[dict[str, list[str]]], None]
) -> None:
    """Saved while ptz.lan was a LAN camera; by the time of the call DNS says 127.0.0.1, where a device listens."""
    fake_dns({"ptz.lan": ["127.0.0.1"]})

    with pytest.raises(OnvifRefused) as refused:
        adapter.status(OnvifAddress("ptz.lan", device.port, DEVICE_USER, DEVICE_PASSWORD))

    assert str(refused.value) == REFUSED_MESSAGE
    assert device.requests == []


@pytest.mark.django_db
@pytest.mark.parametrize("host", ["127.0.0.1", "0x7f000001", "localhost.", "[::1]", "fe80::1%lo", "vm-own-name"])
def test_refused_targets_give_one_message_whether_the_port_is_open_or_closed(
    host: str, device: OnvifDevice, adapter: OnvifAdapter, fake_dns: Callable[[dict[str, list[str]]], None],
    settings: Any,
) -> None:
    """No port-scan oracle: an open port (the device) and a closed one answer the same, and nothing is dialled."""
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = []
    fake_dns({"vm-own-name": ["127.0.1.1"]})
    messages = set()
    for port in (device.port, free_port()):
        with pytest.raises(OnvifRefused) as refused:
            adapter.status(OnvifAddress(host, port, DEVICE_USER, DEVICE_PASSWORD))
        messages.add(str(refused.value))

    assert messages == {REFUSED_MESSAGE}
    assert device.requests == []


@pytest.mark.django_db
def test_the_session_goes_to_the_address_that_was_checked(fake_dns: Callable[[dict[str, list[str]]], None]) -> None:
    fake_dns({"ptz.lan": ["192.168.1.30"]})

    assert pinned(OnvifAddress("PTZ.lan.", 8080, "u", "p")).connect_host == "192.168.1.30"
    fake_dns({"ptz.lan": ["192.168.1.31"]})
    assert pinned(OnvifAddress("ptz.lan", 8080, "u", "p")).connect_host == "192.168.1.31"
