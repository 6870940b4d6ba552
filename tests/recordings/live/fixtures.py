"""Fixtures and helpers of the clip integration tests (loaded by this folder's conftest)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from accounts.models import User
from accounts.roles import Role
from cameras import services, sync
from cameras.models import Camera
from tests.live.conftest import Server, _start, _stop
from tests.support.factories import make_member, make_organization, make_site, make_user
from tests.support.media import keep_sources_open, stop_processes
from tests.support.services import free_port, wait_for_port


@dataclass
class Scene:
    admin: User
    operator: User
    viewer: User
    outsider: User
    camera: Camera


@pytest.fixture
def scene(gateway_row, camera_sim, camera_always_on) -> Scene:  # type: ignore[no-untyped-def]
    """An organization with one live camera (already on the gateway) and people of every kind."""
    org = make_organization("Clip Org")
    admin, operator, viewer, outsider = make_user(), make_user(), make_user(), make_user()
    make_member(admin, org, Role.ADMIN)
    make_member(operator, org, Role.OPERATOR)
    make_member(viewer, org, Role.VIEWER)
    make_member(outsider, make_organization("Elsewhere"), Role.OWNER)
    camera = services.create_camera(admin, make_site(org, "Yard"), name="Gate", main_source=camera_sim.source("cam1"))
    sync.push_camera(camera)
    return Scene(admin, operator, viewer, outsider, camera)


@pytest.fixture(scope="module")
def camera_always_on(camera_sim) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Keep the simulated camera's encoder running, as a real camera is (see ``keep_sources_open``)."""
    readers = keep_sources_open(camera_sim, ["cam1"])
    yield
    stop_processes(readers)


def ffprobe(path: Path) -> dict:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries",
         "format=format_name,duration:stream=codec_type,codec_name,width,height", "-of", "json", str(path)],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


@pytest.fixture
def worker_with(transactional_db: None, camera_sim, tmp_path: Path) -> Iterator[Callable[..., Server]]:  # type: ignore[no-untyped-def]
    """``worker_with(**env)`` starts a real Celery worker with extra environment variables."""
    started: list[Server] = []

    def start(**env: str) -> Server:
        log_path = tmp_path / f"celery-{len(started)}.log"
        process = _start(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-l", "info",
             "--without-mingle", "--without-gossip", "--without-heartbeat"],
            log_path, DJANGO_SETTINGS_MODULE="tests.settings", CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS=camera_sim.host_port,
            **env,
        )  # fmt: skip
        started.append(Server(0, process, log_path))
        return started[-1]

    yield start
    for server in started:
        _stop(server.process)


@dataclass
class S3Server:
    url: str
    bucket: str
    access_key: str = "test-access-key"
    secret_key: str = "test-secret-key"  # noqa: S105  (a local test server's key)
    region: str = "us-east-1"

    def client(self):  # type: ignore[no-untyped-def]
        import boto3

        return boto3.client("s3", endpoint_url=self.url, aws_access_key_id=self.access_key,
                            aws_secret_access_key=self.secret_key, region_name=self.region)

    def env(self) -> dict[str, str]:
        return {
            "CCTV_CLIP_STORAGE": "s3", "CCTV_CLIP_S3_BUCKET": self.bucket, "CCTV_CLIP_S3_ENDPOINT_URL": self.url,
            "CCTV_CLIP_S3_REGION": self.region, "CCTV_CLIP_S3_ACCESS_KEY_ID": self.access_key,
            "CCTV_CLIP_S3_SECRET_ACCESS_KEY": self.secret_key, "CCTV_CLIP_S3_ADDRESSING_STYLE": "path",
        }


@pytest.fixture(scope="module")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """moto's S3-compatible server on a free loopback port (skipped if moto is not installed)."""
    pytest.importorskip("moto.server")
    port = free_port()
    log = open(tmp_path_factory.mktemp("s3") / "moto.log", "ab")  # noqa: SIM115  (closed below)
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        wait_for_port(port, timeout=30)
        server = S3Server(url=f"http://127.0.0.1:{port}", bucket="cctv-clips")
        server.client().create_bucket(Bucket=server.bucket)
        yield server
    finally:
        _stop(process)
        log.close()
