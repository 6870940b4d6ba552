"""Real parts for recording: the camera simulator, a go2rtc gateway, and recorder processes (manage.py record)."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from accounts.models import User
from accounts.roles import Role
from cameras import services, sync
from cameras.models import Camera
from recordings.footage import services as footage_services
from tests.live.conftest import (  # noqa: F401  (fixtures)
    Server,
    _allow_simulated_cameras,
    _start,
    _stop,
    camera_sim,
    celery_worker_with_beat,
    gateway_process,
    gateway_row,
)
from tests.recordings.live.fixtures import camera_always_on  # noqa: F401  (fixture)
from tests.support.factories import make_member, make_organization, make_site, make_user

pytestmark = pytest.mark.integration


@dataclass
class Recorded:
    admin: User
    camera: Camera
    root: Path


@pytest.fixture
def recorded(settings, gateway_row, camera_sim, camera_always_on, tmp_path: Path) -> Recorded:  # type: ignore[no-untyped-def]  # noqa: F811
    """A camera on the gateway, recorded continuously (main stream), into a recordings root of this test."""
    settings.CCTV_RECORDINGS_DIR = tmp_path / "recordings"
    org = make_organization("Recording Org")
    admin = make_user()
    make_member(admin, org, Role.ADMIN)
    camera = services.create_camera(admin, make_site(org, "Yard"), name="Gate", main_source=camera_sim.source("cam1"))
    sync.push_camera(camera)
    footage_services.update_settings(admin, camera.public_id, mode="continuous", stream="main")
    return Recorded(admin, camera, settings.CCTV_RECORDINGS_DIR)


@pytest.fixture
def recorder(recorded: Recorded, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """``recorder(name, **env)`` starts ``manage.py record --name <name>`` on the test database and Redis."""
    started: list[Server] = []

    def start(name: str, **env: str) -> Server:
        log_path = tmp_path / f"recorder-{name}.log"
        process = _start([sys.executable, "manage.py", "record", "--name", name], log_path,
                         DJANGO_SETTINGS_MODULE="tests.settings", CCTV_RECORDINGS_DIR=str(recorded.root), **env)
        started.append(Server(0, process, log_path))
        return started[-1]

    yield start
    for server in started:
        if server.process.poll() is None:
            _stop(server.process)
