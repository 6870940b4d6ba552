"""Benchmark: motion alert latency, from a change in the picture to the alert on a viewer's socket.

    .venv/bin/python -m bench.motion_alert [--runs 12]

The real path, on free loopback ports: a scene camera (ffmpeg looping a still
picture that this benchmark replaces, 640x360 at 15 fps, H.264) behind a
go2rtc gateway with the project's config; a Celery motion worker
(``-Q motion``, thread pool) and beat, which hands it the camera; Daphne; a
viewer's event socket (``/ws/events/``) opened with a signed-in session.
Detection runs at the default 5 analysed frames a second with no cooldown.

Each run puts a person-sized object into the still scene and times, from the
moment the new picture is in place, until ``motion.alert`` arrives on the
socket; then it clears the scene and lets the event close. That time holds
ffmpeg picking up the picture, encoding, the gateway's restream, decoding,
the two analysed frames that open an event, the database write and the push
through Redis and Daphne. Prints the median, p95 and extremes. One warm-up
run comes first and is printed on its own line, outside the statistics: it
pays for the worker's first event.

Runs start once the worker logs its first analysed picture; the time from
opening the camera's stream to that picture (the watch's own start, while
the camera is not yet guarded) is printed as a figure of its own.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import re
import statistics
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from bench.stack import (
    create_gateway_row,
    percentile_ms,
    session_headers,
    setup_django,
    start_process_logged,
    stop_process,
)
from tests.support.media import Gateway, keep_sources_open
from tests.support.motion_scene import SceneCamera, background, with_object
from tests.support.services import Services

SCENE = "scene1"
ALERT_TIMEOUT = 20
# An event closes after 3 s without motion; this leaves room for it and for
# the alert of the object leaving the scene.
CLEAR_SECONDS = 6
WATCH_TIMEOUT = 60
ANALYSING = re.compile(r"motion watch of camera \d+: analysing, ([0-9.]+) s after opening its stream")


@dataclass
class Rig:
    scene: SceneCamera
    events_url: str
    headers: dict[str, str]
    open_to_analysis: float


def _seed(gateway: Gateway, scene: SceneCamera):  # type: ignore[no-untyped-def]
    from accounts.roles import Role
    from cameras import services, sync
    from recordings.motion import services as motion
    from tests.support.factories import make_member, make_organization, make_site, make_user

    create_gateway_row(gateway)
    org = make_organization("Bench Org")
    admin, viewer = make_user(), make_user()
    make_member(admin, org, Role.ADMIN)
    make_member(viewer, org, Role.VIEWER)
    camera = services.create_camera(admin, make_site(org, "Yard"), name="Yard", main_source=scene.source(SCENE))
    sync.push_camera(camera)
    motion.update_settings(admin, camera.public_id, enabled=True, cooldown_seconds=0)
    return camera, viewer


def _wait_for_analysis(worker_log: Path) -> float:
    """Seconds the watch took from opening the camera's stream to its first analysed picture.

    The worker logs that moment; before it, a change in the picture cannot
    raise an alert, so timing one would measure the watch's start instead.
    """
    deadline = time.monotonic() + WATCH_TIMEOUT
    while time.monotonic() < deadline:
        if found := ANALYSING.search(worker_log.read_text(errors="replace")):
            return float(found.group(1))
        time.sleep(0.2)
    raise RuntimeError("no motion worker started analysing the camera")


@contextlib.contextmanager
def running_rig() -> Iterator[Rig]:
    services, scene, gateway = Services("postgresql"), SceneCamera(count=1), Gateway()
    logdir = Path(tempfile.mkdtemp(prefix="cctv-bench-"))
    processes = []
    try:
        services.start()
        setup_django({"CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS": scene.host_port, "CCTV_MOTION_DISPATCH_SECONDS": "2"})
        scene.start()
        gateway.start()
        _, viewer = _seed(gateway, scene)
        # A real camera streams all the time; go2rtc starts the scene camera's
        # ffmpeg on demand, and for its first seconds that shows a new picture
        # about 2 s late, which the first alert would pay for.
        processes.extend(keep_sources_open(scene))
        celery = ["-m", "celery", "-A", "portal", "worker", "--without-mingle", "--without-gossip",
                  "--without-heartbeat", "-l", "info"]
        port, daphne = start_process_logged(
            ["-m", "daphne", "-b", "127.0.0.1", "-p", "{port}", "portal.asgi:application"], logdir / "daphne.log"
        )
        processes.append(daphne)
        worker_log = logdir / "motion.log"
        processes.append(start_process_logged(
            [*celery, "-Q", "motion", "--pool=threads", "--concurrency=4", "-n", "motion@bench"], worker_log)[1])
        processes.append(start_process_logged(
            [*celery, "-B", "--pool=solo", "-n", "beat@bench", "--schedule", str(logdir / "beat-schedule")],
            logdir / "beat.log")[1])
        open_to_analysis = _wait_for_analysis(worker_log)
        time.sleep(1)  # a few more still pictures into the background model
        http_url = f"http://127.0.0.1:{port}"
        yield Rig(scene, f"ws://127.0.0.1:{port}/ws/events/", session_headers(http_url, viewer), open_to_analysis)
    finally:
        for process in processes:
            stop_process(process)
        gateway.cleanup()
        scene.cleanup()
        services.stop()


async def _alert(socket, timeout: float) -> None:  # type: ignore[no-untyped-def]
    async with asyncio.timeout(timeout):
        while json.loads(await socket.recv()).get("type") != "motion.alert":
            pass


async def _drain(socket) -> None:  # type: ignore[no-untyped-def]
    with contextlib.suppress(TimeoutError):
        while True:
            await asyncio.wait_for(socket.recv(), 0.05)


async def _measure(rig: Rig, runs: int) -> list[float]:
    from websockets.asyncio.client import connect

    still = background()
    latencies = []
    async with connect(rig.events_url, additional_headers=rig.headers) as socket:
        for run in range(runs + 1):
            await _drain(socket)
            # Somewhere new each time, so no run relies on what the model kept from the last.
            rig.scene.show(SCENE, with_object(still, 0.2 + 0.6 * (run % 5) / 4, 0.6))
            changed = time.perf_counter()
            await _alert(socket, ALERT_TIMEOUT)
            latencies.append(time.perf_counter() - changed)
            await asyncio.sleep(1)
            rig.scene.show(SCENE, still)
            await asyncio.sleep(CLEAR_SECONDS)
    return latencies


def main() -> None:
    logging.getLogger("websockets").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=12)
    args = parser.parse_args()
    with running_rig() as rig:
        warmup, *latencies = asyncio.run(_measure(rig, args.runs))
    print(f"runs: {len(latencies)} (after one warm-up run)")
    print(f"watch_open_to_first_analysis: {rig.open_to_analysis * 1000:.0f} ms")
    print(f"alert_latency_warmup_run: {warmup * 1000:.0f} ms")
    print(f"alert_latency_median: {statistics.median(latencies) * 1000:.0f} ms")
    print(f"alert_latency_p95: {percentile_ms(latencies, 95):.0f} ms")
    print(f"alert_latency_min: {min(latencies) * 1000:.0f} ms")
    print(f"alert_latency_max: {max(latencies) * 1000:.0f} ms")
    print("# each run, in order: " + ", ".join(f"{value * 1000:.0f}" for value in latencies) + " ms")


if __name__ == "__main__":
    main()
