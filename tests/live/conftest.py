"""Fixtures that run the real thing: go2rtc, a camera simulator, Daphne, Celery."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from accounts.models import User
from cameras.models import Gateway
from tests.support.browser import launch, serve_static
from tests.support.factories import session_id
from tests.support.media import CameraSimulator
from tests.support.media import Gateway as GatewayProcess
from tests.support.services import REPO_ROOT, free_port, subprocess_env, wait_for_port
from tests.support.services import stop_process as _stop  # the name the fixtures below and other suites use

pytestmark = pytest.mark.integration

# Low enough for a test to reach; a 2x2 grid plus one large view still fits.
LIVE_SESSION_CAP = 5
# Short, so tests see slots renewed and revoked access cut within seconds.
LIVE_HEARTBEAT_SECONDS = 1


@pytest.fixture(scope="module")
def camera_sim() -> Iterator[CameraSimulator]:
    sim = CameraSimulator(count=4)
    sim.start()
    yield sim
    sim.cleanup()


@pytest.fixture
def gateway_process() -> Iterator[GatewayProcess]:
    gateway = GatewayProcess()
    gateway.start()
    yield gateway
    gateway.cleanup()


@pytest.fixture
def gateway_row(transactional_db: None, gateway_process: GatewayProcess) -> Gateway:
    """The database's record of the running gateway (the only enabled one)."""
    return Gateway.objects.create(
        name="test-gateway",
        api_url=gateway_process.api_url,
        api_username=gateway_process.username,
        api_password=gateway_process.password,
        rtsp_url=gateway_process.rtsp_url,
    )


@pytest.fixture(autouse=True)
def _allow_simulated_cameras(settings, camera_sim: CameraSimulator) -> None:  # type: ignore[no-untyped-def]
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = [camera_sim.host_port]


@dataclass
class Server:
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}"

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace")


def _start(argv: list[str], log_path: Path, **env: str) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115  (the child owns it; closed when we stop it)
    return subprocess.Popen(argv, cwd=REPO_ROOT, env=subprocess_env(**env), stdout=log, stderr=subprocess.STDOUT)  # noqa: S603


@pytest.fixture
def daphne(transactional_db: None, camera_sim: CameraSimulator, tmp_path: Path) -> Iterator[Server]:
    """The portal under Daphne on a free port, sharing the test database and Redis."""
    port = free_port()
    log_path = tmp_path / "daphne.log"
    process = _start(
        [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "portal.asgi:application"],
        log_path,
        DJANGO_SETTINGS_MODULE="tests.settings",
        CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS=camera_sim.host_port,
        CCTV_LIVE_SESSIONS_PER_USER=str(LIVE_SESSION_CAP),
        CCTV_LIVE_HEARTBEAT_SECONDS=str(LIVE_HEARTBEAT_SECONDS),
    )
    try:
        wait_for_port(port, timeout=30)
    except TimeoutError:
        _stop(process)
        raise RuntimeError(f"daphne did not start:\n{log_path.read_text()[-3000:]}") from None
    yield Server(port, process, log_path)
    _stop(process)


@pytest.fixture
def celery_worker(transactional_db: None, camera_sim: CameraSimulator, tmp_path: Path) -> Iterator[Server]:
    """A real Celery worker on the test Redis broker."""
    log_path = tmp_path / "celery.log"
    process = _start(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-l", "info", "--without-mingle",
         "--without-gossip", "--without-heartbeat"],
        log_path,
        DJANGO_SETTINGS_MODULE="tests.settings",
        CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS=camera_sim.host_port,
    )
    yield Server(0, process, log_path)
    _stop(process)


@pytest.fixture
def session_cookie() -> Callable[[User], str]:
    """A Cookie header value that signs the user in to the portal under test."""

    def make(user: User) -> str:
        return f"sessionid={session_id(user)}"

    return make


@pytest.fixture
def celery_worker_with_beat(transactional_db: None, camera_sim: CameraSimulator, tmp_path: Path) -> Iterator[Server]:
    """A real worker running beat too, with a 2 s reconcile interval."""
    log_path = tmp_path / "celery-beat.log"
    process = _start(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "-B", "--pool=solo", "-l", "info",
         "--without-mingle", "--without-gossip", "--without-heartbeat",
         "--schedule", str(tmp_path / "beat-schedule")],
        log_path,
        DJANGO_SETTINGS_MODULE="tests.settings",
        CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS=camera_sim.host_port,
        CCTV_RECONCILE_SECONDS="2",
        CCTV_HEALTH_SECONDS="3",
    )
    yield Server(0, process, log_path)
    _stop(process)


@pytest.fixture(scope="module")
def orm_beside_playwright() -> Iterator[None]:
    """Playwright's sync API runs an event loop in the test's thread; the ORM then needs this."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture
def browser(orm_beside_playwright: None, daphne: Server, tmp_path: Path) -> Iterator[Any]:
    """Chromium (a Playwright context), started after the test data exists.

    With Playwright's loop running, the channel-layer publish that membership
    changes make (async_to_sync) refuses to run: so test data comes first, in
    fixtures listed before this one.
    """
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        context = launch(driver, tmp_path / "chromium-profile", viewport={"width": 1280, "height": 800})
        serve_static(context)
        yield context
        context.close()
