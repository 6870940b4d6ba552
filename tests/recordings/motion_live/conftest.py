"""Real parts for motion detection: a scene camera, a go2rtc gateway, motion workers, beat."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from accounts.models import User
from accounts.roles import Role
from cameras import services, sync
from cameras.models import Camera
from recordings.motion import services as motion
from tests.live.conftest import (  # noqa: F401  (fixtures)
    Server,
    _start,
    _stop,
    camera_sim,
    daphne,
    gateway_process,
    gateway_row,
)
from tests.support.factories import make_member, make_organization, make_site, make_user
from tests.support.motion_scene import SceneCamera

pytestmark = pytest.mark.integration

# Short enough for tests to see hand-overs, the same mechanism as the defaults.
LEASE_SECONDS = "9"
DISPATCH_SECONDS = "2"


@pytest.fixture(scope="module")
def scene_camera() -> Iterator[SceneCamera]:
    camera = SceneCamera(count=4)
    camera.start()
    yield camera
    camera.cleanup()


@pytest.fixture(autouse=True)
def _allow_scene_cameras(settings, scene_camera: SceneCamera) -> None:  # type: ignore[no-untyped-def]
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = [scene_camera.host_port]
    settings.CCTV_WEBHOOK_ALLOW_PRIVATE_TARGETS = True


@dataclass
class Watched:
    admin: User
    operator: User
    viewer: User
    outsider: User
    cameras: dict[str, Camera] = field(default_factory=dict)


@pytest.fixture
def watched(gateway_row, scene_camera: SceneCamera) -> Watched:  # type: ignore[no-untyped-def]  # noqa: F811
    """An organization whose cameras show the scene streams, on the gateway, motion detection off."""
    org = make_organization("Motion Org")
    people = Watched(make_user(), make_user(), make_user(), make_user())
    make_member(people.admin, org, Role.ADMIN)
    make_member(people.operator, org, Role.OPERATOR)
    make_member(people.viewer, org, Role.VIEWER)
    make_member(people.outsider, make_organization("Elsewhere"), Role.OWNER)
    site = make_site(org, "Depot")
    for name in scene_camera.names:
        camera = services.create_camera(people.admin, site, name=name.title(), main_source=scene_camera.source(name))
        sync.push_camera(camera)
        people.cameras[name] = camera
    return people


def arm(people: Watched, name: str, **values: object) -> Camera:
    camera = people.cameras[name]
    motion.update_settings(people.admin, camera.public_id, enabled=True, cooldown_seconds=0, **values)
    return camera


def _env(scene_camera: SceneCamera) -> dict[str, str]:
    return {
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS": scene_camera.host_port,
        "CCTV_WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
        "CCTV_MOTION_LEASE_SECONDS": LEASE_SECONDS,
        "CCTV_MOTION_DISPATCH_SECONDS": DISPATCH_SECONDS,
    }


@pytest.fixture
def motion_workers(transactional_db: None, scene_camera: SceneCamera, tmp_path: Path
                   ) -> Iterator[Callable[..., Server]]:
    """``motion_workers(name, **env)`` starts a motion worker (``-Q motion``, thread pool)."""
    started: list[Server] = []

    def start(name: str, **env: str) -> Server:
        log_path = tmp_path / f"motion-{name}.log"
        process = _start(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "-Q", "motion", "--pool=threads",
             "--concurrency=8", "-n", f"{name}@test", "-l", "info", "--without-mingle", "--without-gossip",
             "--without-heartbeat"],
            log_path, **{**_env(scene_camera), **env},
        )  # fmt: skip
        started.append(Server(0, process, log_path))
        return started[-1]

    yield start
    for server in started:
        if server.process.poll() is None:
            _stop(server.process)


@pytest.fixture
def beat_and_worker(transactional_db: None, scene_camera: SceneCamera, tmp_path: Path) -> Iterator[Server]:
    """Beat (dispatching watches every 2 s) inside a regular worker, which also delivers notifications."""
    log_path = tmp_path / "beat.log"
    process = _start(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "-B", "--pool=solo", "-l", "info",
         "--without-mingle", "--without-gossip", "--without-heartbeat", "--schedule", str(tmp_path / "beat-schedule")],
        log_path, **_env(scene_camera),
    )  # fmt: skip
    yield Server(0, process, log_path)
    _stop(process)
