"""PTZ fixtures: the simulated ONVIF camera, cameras pointing at it, a real Celery worker."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.utils import timezone

from cameras.models import Camera, PTZCapabilities
from cameras.ptz.onvif.client import OnvifAdapter, OnvifAddress, get_adapter, warm_up
from tests.conftest import World
from tests.live.conftest import Server, _start, _stop
from tests.support.onvif_device import OnvifDevice

DEVICE_USER, DEVICE_PASSWORD = "ptz-admin", "Dev1ce-Pa55"
# Short enough for tests to wait out, within the device's PTZTimeout range (1 s .. 60 s).
MOVE_TIMEOUT_MS = 1000


@pytest.fixture
def make_device(settings: Any) -> Iterator[Callable[..., OnvifDevice]]:
    devices: list[OnvifDevice] = []

    def build(**options: Any) -> OnvifDevice:
        options = {"username": DEVICE_USER, "password": DEVICE_PASSWORD, **options}
        device = OnvifDevice(**options).start()
        devices.append(device)
        allow_loopback_port(settings, device.port)
        return device

    yield build
    for device in devices:
        device.stop()


def allow_loopback_port(settings: Any, port: int) -> None:
    """Let workers reach a test's loopback port: only the operator's allow-list opens loopback (as bin/start does)."""
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = [*settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS, f"127.0.0.1:{port}"]


@pytest.fixture
def device(make_device: Callable[..., OnvifDevice]) -> OnvifDevice:
    return make_device()


def address_of(device: OnvifDevice, password: str = DEVICE_PASSWORD) -> OnvifAddress:
    return OnvifAddress(device.host, device.port, DEVICE_USER, password)


@pytest.fixture(autouse=True)
def _close_onvif_sessions() -> Iterator[None]:
    """Sessions this process opened (capabilities read in a fixture) end with their test's devices."""
    yield
    get_adapter().close()


@pytest.fixture(scope="session")
def _parsed_wsdls() -> None:
    """The first session of a process parses the ONVIF WSDLs (about 2 s here): not inside a test's 2 s timeout."""
    warm_up()


@pytest.fixture
def adapter(_parsed_wsdls: None) -> Iterator[OnvifAdapter]:
    adapter = OnvifAdapter(timeout=2)
    yield adapter
    adapter.close()


def point_at(camera: Camera, device: OnvifDevice, **extra: Any) -> Camera:
    """Give a camera ONVIF settings for the device, saved straight to the database."""
    camera.onvif_host, camera.onvif_port = device.host, device.port
    camera.onvif_username, camera.onvif_password = DEVICE_USER, DEVICE_PASSWORD
    for name, value in extra.items():
        setattr(camera, name, value)
    camera.save()
    return camera


def read_capabilities(camera: Camera) -> PTZCapabilities:
    """What the capabilities task stores, read in this process."""
    from cameras.ptz import device as ptz_device

    row = ptz_device.refresh_capabilities(camera)
    assert row is not None and row.supported, row and row.error
    return row


def give_capabilities(camera: Camera, **flags: Any) -> PTZCapabilities:
    """Capabilities written directly (API tests that need no device)."""
    values = {
        "continuous_pan_tilt": True, "continuous_zoom": True, "relative_pan_tilt": True, "relative_zoom": True,
        "absolute_pan_tilt": True, "absolute_zoom": True, "presets": True, "home": True, "max_presets": 8,
        "ranges": {"pan_velocity": [-1, 1], "tilt_velocity": [-1, 1], "zoom_velocity": [-1, 1], "pan": [-1, 1],
                   "tilt": [-1, 1], "zoom": [0, 1], "pan_translation": [-1, 1], "tilt_translation": [-1, 1],
                   "zoom_translation": [-1, 1]},
        "timeout_range": [1, 60], "checked_at": timezone.now(), **flags,
    }  # fmt: skip
    row, _ = PTZCapabilities.objects.update_or_create(camera=camera, defaults=values)
    return row


@pytest.fixture
def ptz_camera(world: World, device: OnvifDevice) -> Camera:
    """Org A's ``camera_a1``, pointing at the simulated device, capabilities read."""
    camera = point_at(world.camera_a1, device)
    read_capabilities(camera)
    device.clear()
    return camera


@pytest.fixture(autouse=True)
def _short_moves(settings) -> None:  # type: ignore[no-untyped-def]
    settings.CCTV_PTZ_MOVE_TIMEOUT_MS = MOVE_TIMEOUT_MS


def purge_broker() -> None:
    """Drop queued messages that earlier tests left in the test broker."""
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("celery", "ptz", "exports", "motion", "unacked", "unacked_index")


@pytest.fixture(scope="module")
def ptz_worker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A real Celery worker on the test broker, serving every queue (``ptz`` included).

    Module-scoped: booting one takes a second or two. It reaches the rows of
    each (transactional) test through the shared test database.
    """
    purge_broker()
    log_path = Path(tmp_path_factory.mktemp("ptz-worker")) / "celery.log"
    process = _start(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=threads", "--concurrency=4",
         "-l", "info", "--without-mingle", "--without-gossip", "--without-heartbeat"],
        log_path,
        DJANGO_SETTINGS_MODULE="tests.settings",
        CCTV_ONVIF_TIMEOUT_SECONDS="2",
        # The tests' devices listen on loopback ports chosen per test, after this worker started.
        CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS="127.0.0.1",
    )
    deadline = time.monotonic() + 60
    while "ready." not in log_path.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            _stop(process)
            raise RuntimeError(f"celery worker did not start:\n{log_path.read_text()[-3000:]}")
        time.sleep(0.1)
    yield Server(0, process, log_path)
    _stop(process)
