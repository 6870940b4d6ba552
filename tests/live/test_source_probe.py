"""The camera form's "Test connection" against a real go2rtc gateway fed by ffmpeg test cameras.

The portal's endpoint runs in this process (Django test client); the gateway
and the cameras are real processes. A refused source must be refused with a
400 before the gateway hears anything: that is checked with a listening
socket standing in for the gateway's API, which records every connection.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator

import pytest
from django.urls import reverse

from cameras import hosts, source_probe
from cameras.models import Camera, Gateway
from tests.conftest import World
from tests.support.factories import make_camera
from tests.support.media import CameraSimulator
from tests.support.media import Gateway as GatewayProcess
from tests.support.services import free_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CAMERA_USER, CAMERA_PASSWORD = "installer", "right-Pa55"


def _non_loopback_ipv4() -> str | None:
    found = sorted(str(a) for a in hosts.interface_addresses() if a.version == 4 and not a.is_loopback)
    return found[0] if found else None


class LockedCamera(CameraSimulator):
    """A camera that asks for a user name and password, on this machine's LAN address.

    go2rtc's RTSP server skips its password check for loopback clients, so
    this one listens where the gateway reaches it from a non-loopback address.
    """

    def __init__(self, address: str) -> None:
        super().__init__(count=1)
        self.address = address
        # All addresses: its own encoder publishes into it over loopback.
        self.overrides["rtsp"] = {"listen": f":{self.rtsp_port}", "username": CAMERA_USER,
                                  "password": CAMERA_PASSWORD}

    def source(self, name: str) -> str:
        return f"rtsp://{self.address}:{self.rtsp_port}/{name}"

    @property
    def host_port(self) -> str:
        return f"{self.address}:{self.rtsp_port}"


@pytest.fixture(scope="module")
def locked_sim() -> Iterator[CameraSimulator]:
    address = _non_loopback_ipv4()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 address for a password-checking camera")
    sim = LockedCamera(address)
    sim.start()
    yield sim
    sim.cleanup()


@pytest.fixture
def allowed(settings: object, camera_sim: CameraSimulator, locked_sim: CameraSimulator) -> None:
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = [camera_sim.host_port, locked_sim.host_port]  # type: ignore[attr-defined]


@pytest.fixture
def only_gateway(gateway_row: Gateway) -> Gateway:
    """The running gateway is the one a new camera would get (the settings' default is disabled)."""
    Gateway.objects.exclude(pk=gateway_row.pk).update(enabled=False)
    return gateway_row


def _test(client: object, source: str, password: str = "", url: str | None = None) -> object:
    body = {"stream": "main", "source": source, "password": password}
    return client.post(url or reverse("camera_test_new_source"), body, content_type="application/json")  # type: ignore[attr-defined]


def _probe_streams(gateway: GatewayProcess) -> set[str]:
    return {name for name in gateway.stream_names() if name.startswith(source_probe.PROBE_PREFIX)}


def test_a_good_stream_is_reachable_and_nothing_is_kept(
    world: World, client_for: Callable, allowed: None, camera_sim: CameraSimulator,
    gateway_process: GatewayProcess, only_gateway: Gateway,
) -> None:
    cameras_before = Camera.objects.count()

    response = _test(client_for(world.admin), camera_sim.source("cam1"))

    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "reachable"
    assert "H264" in response.json()["codecs"]
    assert Camera.objects.count() == cameras_before
    assert _probe_streams(gateway_process) == set()


def test_a_missing_stream_is_no_such_stream(
    world: World, client_for: Callable, allowed: None, camera_sim: CameraSimulator,
    gateway_process: GatewayProcess, only_gateway: Gateway,
) -> None:
    response = _test(client_for(world.admin), camera_sim.source("no-such-camera"))

    assert response.status_code == 200, response.content
    assert response.json()["outcome"] == "no_such_stream"
    assert _probe_streams(gateway_process) == set()


def test_wrong_and_right_password(
    world: World, client_for: Callable, allowed: None, locked_sim: CameraSimulator,
    gateway_process: GatewayProcess, only_gateway: Gateway,
) -> None:
    client = client_for(world.admin)
    address = locked_sim.source("cam1").replace("rtsp://", f"rtsp://{CAMERA_USER}@")

    wrong = _test(client, address, "not-the-password")
    right = _test(client, address, CAMERA_PASSWORD)

    assert wrong.json()["outcome"] == "wrong_password"
    assert right.json()["outcome"] == "reachable"
    assert CAMERA_PASSWORD not in wrong.content.decode() + right.content.decode()


def test_edit_form_tests_the_stored_source_when_the_address_is_blank(
    world: World, client_for: Callable, allowed: None, camera_sim: CameraSimulator, only_gateway: Gateway,
) -> None:
    camera = make_camera(world.site_a1, "Stored", main_source=camera_sim.source("cam2"), gateway=only_gateway)

    response = _test(client_for(world.admin), "", url=reverse("camera_test_source", args=[camera.public_id]))

    assert response.json()["outcome"] == "reachable"


def test_a_source_that_names_a_gateway_stream_is_refused(
    world: World, client_for: Callable, allowed: None, camera_sim: CameraSimulator,
    gateway_process: GatewayProcess, only_gateway: Gateway,
) -> None:
    with gateway_process.client() as api:  # a stream the operator configured on the gateway
        api.patch("/api/streams", params={"name": "lobby", "src": camera_sim.source("cam3")}).raise_for_status()

    response = _test(client_for(world.admin), camera_sim.source("lobby"))

    assert response.status_code == 400
    assert gateway_process.stream_names() == {"lobby"}


class RecordingListener:
    """A TCP listener standing in for a gateway's API: it counts connections and answers nothing."""

    def __init__(self) -> None:
        self.port = free_port()
        self.connections = 0
        self._socket = socket.create_server(("127.0.0.1", self.port))
        self._socket.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()


@pytest.fixture
def silent_gateway(transactional_db: None) -> Iterator[RecordingListener]:
    listener = RecordingListener()
    Gateway.objects.update(enabled=False)
    Gateway.objects.create(name="listener", api_url=f"http://127.0.0.1:{listener.port}", rtsp_url="rtsp://127.0.0.1:1")
    yield listener
    listener.close()


REFUSED = [
    ("loopback", "rtsp://127.0.0.1:6379/"),
    ("loopback name", "rtsp://localhost:5432/db"),
    ("ipv6 loopback", "rtsp://[::1]:22/"),
    ("link-local metadata", "rtsp://169.254.169.254:80/latest"),
    ("unspecified", "rtsp://0.0.0.0:8554/x"),
    ("exec", "exec:ls"),
    ("gateway options", "rtsp://192.168.1.20/s#backchannel=1"),
]


@pytest.mark.parametrize("source", [s for _, s in REFUSED], ids=[label for label, _ in REFUSED])
def test_a_refused_source_is_a_400_before_the_gateway_is_contacted(
    world: World, client_for: Callable, silent_gateway: RecordingListener, source: str,
) -> None:
    response = _test(client_for(world.admin), source)

    assert response.status_code == 400
    assert response.json()["field"] == "main_source"
    assert response.json()["detail"]
    assert silent_gateway.connections == 0


def test_an_allowed_source_does_reach_the_gateway_and_a_dead_gateway_is_a_503(
    world: World, client_for: Callable, silent_gateway: RecordingListener,
) -> None:
    """The control for the test above: the listener does see a gateway call when the source is fine."""
    response = _test(client_for(world.admin), "rtsp://installer@192.168.1.20/stream1")

    assert response.status_code == 503
    assert "gateway" in response.json()["detail"]
    assert silent_gateway.connections >= 1


def test_saving_with_the_test_box_ticked_reports_the_connection(
    world: World, client_for: Callable, allowed: None, camera_sim: CameraSimulator,
    gateway_process: GatewayProcess, only_gateway: Gateway,
) -> None:
    data = {"name": "Tested", "site": str(world.site_a1.public_id), "main_source": camera_sim.source("no-such"),
            "onvif_port": 80, "enabled": "on", "test_on_save": "on"}

    response = client_for(world.admin).post(reverse("camera_create"), data, follow=True)

    shown = [str(message) for message in response.context["messages"]]
    assert Camera.objects.filter(name="Tested").exists()  # the save stands whatever the test found
    assert any(text.startswith("Connection test: The camera answered, but has no stream") for text in shown), shown
    assert _probe_streams(gateway_process) == set()
