"""PTZ latency: from the API call until the ContinuousMove request reaches the camera.

    .venv/bin/python -m bench.ptz_latency [--runs 50]

Starts throwaway PostgreSQL and Redis, migrates, seeds an operator and a
camera pointing at the simulated ONVIF camera (``tests.support.onvif_device``, in
this process so its arrival times share our clock), then a Celery worker
(thread pool, as ``bin/start`` runs it) and Daphne. Each run POSTs a move to
``/api/v1/cameras/<id>/ptz/`` over HTTP with a session cookie and CSRF
token, exactly as the live view's ``fetch()`` does, and waits for the
request to reach the camera; then a stop, likewise. Prints ``name: value
unit`` lines. The live view's control message is this same API call, so
the figures are its latency too.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from bench.stack import DAPHNE_OPTIONS, percentile_ms, setup_django
from tests.support.onvif_device import OnvifDevice
from tests.support.services import REPO_ROOT, Services, free_port, wait_for_port

DEVICE_USER, DEVICE_PASSWORD = "bench", secrets.token_urlsafe(12)
WARMUP = 5


def _seed(device: OnvifDevice) -> tuple[Any, Any]:
    from accounts.roles import Role
    from cameras.models import Camera
    from cameras.ptz import device as ptz_device
    from cameras.ptz.onvif.client import get_adapter
    from tests.support.factories import make_member, make_organization, make_site, make_user

    operator = make_user()
    organization = make_organization("PTZ Bench")
    make_member(operator, organization, Role.OPERATOR)
    camera = Camera.objects.create(
        site=make_site(organization), name="PTZ", main_source="rtsp://192.0.2.1/ptz",
        onvif_host=device.host, onvif_port=device.port, onvif_username=DEVICE_USER, onvif_password=DEVICE_PASSWORD,
    )
    ptz_device.refresh_capabilities(camera)
    get_adapter().close()
    return operator, camera


def _start(argv: list[str], log: Path) -> subprocess.Popen:
    out = open(log, "ab")  # noqa: SIM115  (the child owns it)
    return subprocess.Popen(argv, cwd=REPO_ROOT, env={**os.environ}, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603


def _wait_ready(process: subprocess.Popen, log: Path, marker: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while marker not in log.read_text(errors="replace"):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"{log.name} did not become ready:\n{log.read_text()[-2000:]}")
        time.sleep(0.1)


@contextlib.contextmanager
def _processes(logdir: Path) -> Iterator[int]:
    """A Celery worker and Daphne; yields Daphne's port."""
    worker_log, daphne_log = logdir / "celery.log", logdir / "daphne.log"
    worker = _start([sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=threads", "--concurrency=4",
                     "-l", "info", "--without-mingle", "--without-gossip", "--without-heartbeat"], worker_log)
    port = free_port()
    daphne = _start([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), *DAPHNE_OPTIONS,
                     "portal.asgi:application"], daphne_log)
    try:
        _wait_ready(worker, worker_log, "ready.")
        wait_for_port(port, timeout=30)
        yield port
    finally:
        for process in (daphne, worker):
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()


def _client(port: int, operator: Any) -> httpx.Client:
    """A browser-like client: the session cookie, and the CSRF cookie echoed in X-CSRFToken."""
    from django.test import Client

    session = Client()
    session.force_login(operator)
    csrf = secrets.token_hex(16)  # a 32-character secret is a valid CSRF token
    return httpx.Client(
        base_url=f"http://127.0.0.1:{port}",
        cookies={"sessionid": session.cookies["sessionid"].value, "csrftoken": csrf},
        headers={"X-CSRFToken": csrf, "Content-Type": "application/json"}, timeout=10,
    )


def _timed(client: httpx.Client, url: str, device: OnvifDevice, body: dict, operation: str) -> tuple[float, float]:
    """Seconds until the request reached the camera, and until the API answered."""
    seen = len(device.received(operation))
    started = time.perf_counter()
    response = client.post(url, json=body)
    answered = time.perf_counter() - started
    if response.status_code != 202:
        raise RuntimeError(f"{body} answered {response.status_code}: {response.text}")
    arrived = device.wait_for(operation, count=seen + 1, timeout=10)[seen]
    return arrived.perf - started, answered


def measure(runs: int) -> dict[str, list[float]]:
    services = Services("postgresql")
    device = OnvifDevice(username=DEVICE_USER, password=DEVICE_PASSWORD).start()
    logdir = Path(tempfile.mkdtemp(prefix="cctv-bench-ptz-"))
    results: dict[str, list[float]] = {"move": [], "move_api": [], "move_after_api": [], "stop": []}
    try:
        services.start()
        # The simulated camera is on loopback, which only the operator's allow-list opens (as in bin/start).
        setup_django({"CCTV_PTZ_MOVE_TIMEOUT_MS": "1500",
                      "CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS": f"127.0.0.1:{device.port}"})
        operator, camera = _seed(device)
        with _processes(logdir) as port, _client(port, operator) as client:
            url = f"/api/v1/cameras/{camera.public_id}/ptz/"
            for run in range(WARMUP + runs):
                move, answered = _timed(client, url, device, {"action": "move", "pan": 0.5}, "ContinuousMove")
                stop, _ = _timed(client, url, device, {"action": "stop"}, "Stop")
                if run >= WARMUP:
                    results["move"].append(move)
                    results["move_api"].append(answered)
                    results["move_after_api"].append(move - answered)
                    results["stop"].append(stop)
                time.sleep(0.05)
    finally:
        device.stop()
        services.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    results = measure(args.runs)
    print(f"runs: {args.runs} count")
    print(f"load_average_1m: {os.getloadavg()[0]:.1f} processes")
    for name, label in (("move", "ptz_move_api_to_device"), ("move_api", "ptz_move_api_response"),
                        ("move_after_api", "ptz_move_broker_worker_to_device"), ("stop", "ptz_stop_api_to_device")):
        print(f"{label}_p50: {percentile_ms(results[name], 50):.1f} ms")
        print(f"{label}_p95: {percentile_ms(results[name], 95):.1f} ms")


if __name__ == "__main__":
    main()
