"""The whole portal stack for benchmarks, started on free loopback ports.

PostgreSQL and Redis (the test tooling's throwaway servers), a camera
simulator, one go2rtc gateway with the project's hardened config, the
portal migrated and seeded, and Daphne (serving the static files too, as
nginx does in production: bench.asgi). Everything is stopped on exit.
"""

from __future__ import annotations

import contextlib
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.media import CameraSimulator, Gateway
from tests.support.services import REPO_ROOT, Services, free_port, stop_process, wait_for_port

# A short GOP (1 s at 15 fps) so "first frame" measures signaling and transport,
# not mostly the wait for the next keyframe.
BENCH_CAMERA = (
    "exec:ffmpeg -hide_banner -loglevel error -re -f lavfi -i testsrc2=size={size}:rate=15 -c:v libx264 "
    "-preset ultrafast -tune zerolatency -g 15 -pix_fmt yuv420p -f rtsp {{output}}"
)


# As in production (bin/start, docker-compose.yml): a burst of connects may
# queue longer than Daphne's default 5 s handshake timeout.
DAPHNE_OPTIONS = ["--websocket_connect_timeout", "30"]


def median_ms(values: list[float]) -> float:
    return statistics.median(values) * 1000


def percentile_ms(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered)) - 1))
    return ordered[index] * 1000


@dataclass
class Stack:
    services: Services
    simulator: CameraSimulator
    gateway: Gateway
    port: int
    daphne: subprocess.Popen
    cameras: list = field(default_factory=list)
    users: list = field(default_factory=list)

    @property
    def http_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def live_url(self, camera, variant: str = "main") -> str:  # type: ignore[no-untyped-def]
        suffix = "" if variant == "main" else f"{variant}/"
        return f"ws://127.0.0.1:{self.port}/ws/cameras/{camera.public_id}/live/{suffix}"

    def direct_url(self, camera, variant: str = "main") -> str:  # type: ignore[no-untyped-def]
        from cameras.streams import stream_name

        return f"ws://127.0.0.1:{self.gateway.api_port}/api/ws?src={stream_name(camera.public_id, variant)}"

    def direct_headers(self) -> dict[str, str]:
        import base64

        token = base64.b64encode(f"{self.gateway.username}:{self.gateway.password}".encode()).decode()
        return {"Authorization": f"Basic {token}"}

    def portal_headers(self, user) -> dict[str, str]:  # type: ignore[no-untyped-def]
        return session_headers(self.http_url, user)

    def warm_pictures(self, session_cookie: str, attempts: int = 5) -> None:
        """Every camera's picture asked for through the portal (as the dashboard does) until all are cached.

        A fetch the gateway fails is cached for a minute as "no picture", and
        that camera's tile would show nothing until its video plays: a
        benchmark would measure the warm-up, not the wall. Those are asked
        for again.
        """
        import httpx

        from cameras.snapshots import cached_recent, forget_recent

        missing = list(self.cameras)
        with httpx.Client(base_url=self.http_url, cookies={"sessionid": session_cookie}, timeout=60) as client:
            for _ in range(attempts):
                forget_recent(missing)
                for camera in missing:
                    client.get(f"/cameras/{camera.public_id}/thumbnail.jpg")
                missing = [camera for camera in missing if not cached_recent(camera)]
                if not missing:
                    return
        print(f"warning: {len(missing)} of {len(self.cameras)} pictures could not be cached", flush=True)

    def daphne_rss_mb(self) -> float:
        return process_rss_mb(self.daphne.pid)

    def daphne_cpu_seconds(self) -> float:
        return process_cpu_seconds(self.daphne.pid)


def session_headers(http_url: str, user) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Headers a signed-in browser on ``http_url`` sends with a WebSocket upgrade."""
    from tests.support.factories import session_id

    return {"Origin": http_url, "Cookie": f"sessionid={session_id(user)}"}


def process_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def process_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _create_database(url: str) -> None:
    import psycopg

    server_url, name = url.rsplit("/", 1)
    with psycopg.connect(f"{server_url}/postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def setup_django(extra_env: dict[str, str]) -> None:
    _create_database(os.environ["DATABASE_URL"])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ.update(extra_env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _seed(stack_gateway: Gateway, simulator: CameraSimulator, cameras: int, users: int) -> tuple[list, list]:
    from accounts.roles import Role
    from cameras import sync
    from cameras.models import Camera
    from tests.support.factories import make_member, make_organization, make_site, make_user

    row = create_gateway_row(stack_gateway)
    org = make_organization("Bench Org")
    site = make_site(org, "Bench Site")
    people = [make_user() for _ in range(users)]
    for person in people:
        make_member(person, org, Role.VIEWER)
    names = simulator.names
    rows = [
        Camera.objects.create(site=site, gateway=row, name=f"Bench {i:03d}",
                              main_source=simulator.source(names[i % len(names)]))
        for i in range(cameras)
    ]
    sync.reconcile(row)
    return rows, people


def create_gateway_row(gateway: Gateway):  # type: ignore[no-untyped-def]
    """The database's record of a running gateway process."""
    from cameras.models import Gateway as GatewayRow

    return GatewayRow.objects.create(
        name="bench", api_url=gateway.api_url, api_username=gateway.username,
        api_password=gateway.password, rtsp_url=gateway.rtsp_url,
    )


def start_process_logged(python_args: list[str], log_path: Path,
                         env: dict[str, str] | None = None) -> tuple[int, subprocess.Popen]:
    """Start ``python <args>`` with this environment (plus ``env``), output to ``log_path``.

    ``{port}`` in the arguments becomes a free port, which is waited for and returned.
    """
    port = free_port()
    log = open(log_path, "ab")  # noqa: SIM115  (the child owns it)
    process = subprocess.Popen(  # noqa: S603
        [sys.executable, *(arg.replace("{port}", str(port)) for arg in python_args)],
        cwd=REPO_ROOT, env={**os.environ, **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
    )
    if any("{port}" in arg for arg in python_args):
        wait_for_port(port, timeout=30)
    return port, process


@contextlib.contextmanager
def running_stack(*, cameras: int = 1, users: int = 1, sources: int = 1, size: str = "640x360",
                  env: dict[str, str] | None = None, gateway_overrides: dict | None = None) -> Iterator[Stack]:
    services = Services("postgresql")
    simulator = CameraSimulator(count=sources, size=size)
    simulator.overrides["streams"] = {name: BENCH_CAMERA.format(size=size) for name in simulator.names}
    gateway = Gateway()
    for section, values in (gateway_overrides or {}).items():  # merged per config section
        gateway.overrides.setdefault(section, {}).update(values)
    daphne = None
    logdir = Path(tempfile.mkdtemp(prefix="cctv-bench-"))
    try:
        services.start()
        extra = {"CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS": simulator.host_port, **(env or {})}
        setup_django(extra)
        simulator.start()
        gateway.start()
        rows, people = _seed(gateway, simulator, cameras, users)
        port, daphne = start_process_logged(
            ["-m", "daphne", "-b", "127.0.0.1", "-p", "{port}", *DAPHNE_OPTIONS, "bench.asgi:application"],
            logdir / "daphne.log",
        )
        yield Stack(services, simulator, gateway, port, daphne, rows, people)
    finally:
        if daphne is not None:
            stop_process(daphne)
        gateway.cleanup()
        simulator.cleanup()
        services.stop()
