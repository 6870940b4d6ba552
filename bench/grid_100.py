"""Benchmark 2: a 10x10 live wall in Chromium, the portal's grid versus go2rtc's own page.

    .venv/bin/python -m bench.grid_100 [--tiles 100] [--sources 4] [--steady 60]

One run, one stack (bench.stack: PostgreSQL, Redis, camera simulator, one
go2rtc gateway, Daphne), one headless Chromium:

1. the portal's grid (``/live/?layout=10x10``, signed in with a session
   cookie): seconds from navigation until every tile is live (its player
   says ``data-state=live`` and its frames and play time advance);
2. Daphne's CPU over ``--steady`` seconds of that grid playing;
3. go2rtc's own multi-stream page (``/stream.html?src=...`` per stream, HTTP
   basic credentials) for the same streams: seconds until every <video> has
   data (readyState >= 2) and advances.

The hardened go2rtc.yaml registers no web UI (``api.allow_paths`` lists
API paths only, and go2rtc serves its pages from ``/``), so this benchmark's
gateway alone adds ``/`` to that list.

The simulator's sources are kept open by one cheap reader each for the whole
run, so both measurements find running cameras, as a real site would, and
neither pays for the simulator's encoders starting up.
"""

from __future__ import annotations

import argparse
import math
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from bench.stack import Stack, running_stack
from tests.services import REPO_ROOT

VIEWPORT = {"width": 1280, "height": 800}


def _gateway_overrides() -> dict[str, Any]:
    config = yaml.safe_load((REPO_ROOT / "go2rtc.yaml").read_text())
    return {"api": {"allow_paths": [*config["api"]["allow_paths"], "/"]}}


def _layout_for(tiles: int) -> str:
    from cameras.saved_views import LAYOUTS

    for name, side in LAYOUTS.items():
        if side * side >= tiles:
            return name
    raise SystemExit(f"no layout holds {tiles} tiles (at most {max(LAYOUTS.values()) ** 2})")


def _keep_sources_open(stack: Stack) -> list[subprocess.Popen]:
    return [
        subprocess.Popen(  # noqa: S603
            ["ffmpeg", "-nostdin", "-loglevel", "quiet", "-rtsp_transport", "tcp", "-i",  # noqa: S607
             stack.simulator.source(name), "-c", "copy", "-f", "null", "-"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        for name in stack.simulator.names
    ]


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def _wait_idle_gateway(stack: Stack, timeout: float = 30) -> None:
    """Until go2rtc has let go of the previous page's viewers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with stack.gateway.client() as client:
            streams = client.get("/api/streams").json() or {}
        if not any(stream.get("consumers") for stream in streams.values()):
            return
        time.sleep(0.5)


def _portal(driver: Any, stack: Stack, cookie: str, args: argparse.Namespace, figures: dict) -> None:
    from tests.browser import launch, players, serve_static, wait_players_live

    with tempfile.TemporaryDirectory(prefix="cctv-bench-chromium-") as profile:
        context = launch(driver, Path(profile), viewport=VIEWPORT)
        try:
            serve_static(context)
            context.add_cookies([{"name": "sessionid", "value": cookie, "url": stack.http_url}])
            page = context.new_page()
            started = time.monotonic()
            page.goto(f"{stack.http_url}/live/?layout={_layout_for(args.tiles)}")
            wait_players_live(page, args.tiles, args.timeout)
            figures["portal_all_playing_s"] = (time.monotonic() - started, "s")
            modes = [p["mode"] for p in players(page)]
            figures["portal_tiles_webrtc"] = (modes.count("webrtc"), "tiles")
            cpu_before, wall_before = stack.daphne_cpu_seconds(), time.monotonic()
            page.wait_for_timeout(args.steady * 1000)
            cpu = (stack.daphne_cpu_seconds() - cpu_before) / (time.monotonic() - wall_before) * 100
            figures["portal_cpu_percent_steady"] = (cpu, "%")
            still_live = sum(p["state"] == "live" for p in players(page))
            figures["portal_tiles_live_after_steady"] = (still_live, "tiles")
        finally:
            context.close()


def _go2rtc(driver: Any, stack: Stack, args: argparse.Namespace, figures: dict) -> None:
    from cameras.streams import stream_name
    from tests.browser import launch, wait_videos_playing

    columns = math.ceil(math.sqrt(args.tiles))
    width = VIEWPORT["width"] // (columns + 1) + 1  # flex basis: exactly `columns` per row
    query = "&".join(f"src={stream_name(camera.public_id)}" for camera in stack.cameras)
    credentials = {"username": stack.gateway.username, "password": stack.gateway.password}
    with tempfile.TemporaryDirectory(prefix="cctv-bench-chromium-") as profile:
        context = launch(driver, Path(profile), viewport=VIEWPORT, http_credentials=credentials)
        try:
            page = context.new_page()
            started = time.monotonic()
            response = page.goto(f"{stack.gateway.api_url}/stream.html?{query}&width={width}px")
            if response is None or response.status != 200:
                raise SystemExit(f"go2rtc's stream page answered {response and response.status}")
            wait_videos_playing(page, args.tiles, args.timeout)
            figures["go2rtc_all_playing_s"] = (time.monotonic() - started, "s")
        finally:
            context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, default=100, help="cameras on the wall (default 100)")
    parser.add_argument("--sources", type=int, default=4, help="simulated camera sources they share")
    parser.add_argument("--size", default="320x180", help="simulated picture size")
    parser.add_argument("--steady", type=float, default=60, help="seconds of steady playback for the CPU figure")
    parser.add_argument("--timeout", type=float, default=180, help="seconds to wait for a wall to play")
    args = parser.parse_args()
    figures: dict[str, tuple[float, str]] = {}
    with running_stack(cameras=args.tiles, users=1, sources=args.sources, size=args.size,
                       env={"CCTV_LIVE_SESSIONS_PER_USER": str(args.tiles + 10)},
                       gateway_overrides=_gateway_overrides()) as stack:
        cookie = stack.portal_headers(stack.users[0])["Cookie"].split("=", 1)[1]
        keepers = _keep_sources_open(stack)
        try:
            from playwright.sync_api import sync_playwright

            time.sleep(3)  # the simulator's encoders are up
            with sync_playwright() as driver:
                _portal(driver, stack, cookie, args, figures)
                _wait_idle_gateway(stack)
                _go2rtc(driver, stack, args, figures)
        finally:
            _stop(keepers)
    figures["ratio"] = (figures["portal_all_playing_s"][0] / figures["go2rtc_all_playing_s"][0], "x")
    print(f"tiles: {args.tiles} ({args.sources} sources at {args.size})")
    for name in ("portal_all_playing_s", "go2rtc_all_playing_s", "ratio", "portal_cpu_percent_steady",
                 "portal_tiles_webrtc", "portal_tiles_live_after_steady"):
        value, unit = figures[name]
        print(f"{name}: {value:.2f} {unit}" if isinstance(value, float) else f"{name}: {value} {unit}")


if __name__ == "__main__":
    main()
