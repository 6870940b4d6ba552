"""Benchmark 2: a 10x10 live wall in Chromium, the portal's grid versus go2rtc's own page.

    .venv/bin/python -m bench.grid_100 [--tiles 100] [--sources 4] [--runs 3] [--steady 60]

One stack (bench.stack: PostgreSQL, Redis, camera simulator, one go2rtc
gateway, Daphne) and one headless Chromium, in one run:

- the portal's grid (``/live/?layout=10x10``, signed in with a session
  cookie): seconds from navigation until every tile is live (its player says
  ``data-state=live`` and its frames and play time advance);
- go2rtc's own multi-stream page (``/stream.html?src=...`` per stream, HTTP
  basic credentials) for the same streams: seconds until every <video> has
  data (readyState >= 2) and its frames and play time advance;
- the two alternate ``--runs`` times, each on a fresh browser profile and
  after the gateway has dropped the previous page's viewers; medians are
  reported;
- finally the portal's grid once more, and the CPU over ``--steady``
  seconds of it playing: Daphne's (percent of a core), and the cores the
  gateway, the browser (all its processes) and the whole machine kept busy;
  on a small machine the wall's own playback leaves little for starting it.

For the portal it also gives the seconds until every tile shows a picture
(``all_tiles_picture_s``: the camera's recent snapshot or its video,
whichever comes first; ``data-picture`` on the player, read by
``bench/grid_timeline.py``'s init script). The portal's cached pictures are
dropped before each portal run, so every run pays for fetching them from
the gateway, as the first viewer of a wall would; with ``--pictures warm``
they are asked for once through the portal before each run instead (cached,
as within a minute of someone looking at the dashboard). ``--timeline`` prints
where each run's seconds went (socket, offer, answer, ICE, picture, live).

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
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from bench import grid_timeline, procstat
from bench.stack import Stack, running_stack
from tests.support.media import keep_sources_open, stop_processes
from tests.support.services import REPO_ROOT

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


def _wait_idle_gateway(stack: Stack, timeout: float = 30) -> None:
    """Until go2rtc has let go of the previous page's viewers."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with stack.gateway.client() as client:
            streams = client.get("/api/streams").json() or {}
        if not any(stream.get("consumers") for stream in streams.values()):
            return
        time.sleep(0.5)


def _open_portal(driver: Any, stack: Stack, cookie: str, profile: str) -> Any:
    from tests.support.browser import launch

    context = launch(driver, Path(profile), viewport=VIEWPORT)  # the stack's server serves /static/ (bench.asgi)
    context.add_cookies([{"name": "sessionid", "value": cookie, "url": stack.http_url}])
    return context


def _page_result(started: float, loaded: float, progress: Any) -> dict[str, Any]:
    """Seconds from navigation to 50/90/100 % of the wall playing (None: not reached)."""
    offset = loaded - started
    return {
        "reached": {pct: offset + seconds for pct, seconds in progress.reached.items()},
        "all": None if progress.all_at is None else offset + progress.all_at,
        "last": progress.last,
    }


def _all_pictures_s(rows: dict[str, dict[str, float]], tiles: int) -> float | None:
    """Seconds from navigation until every tile showed a picture (a snapshot or video), from the page's own marks."""
    firsts = [min(row[k] for k in ("picture", "live") if k in row) for row in rows.values()
              if "picture" in row or "live" in row]
    return max(firsts) / 1000 if len(firsts) >= tiles else None


def _portal(driver: Any, stack: Stack, cookie: str, args: argparse.Namespace, steady: bool = False) -> dict:
    """The portal's wall; with ``steady``, also Daphne's CPU while it keeps playing."""
    from cameras.snapshots import forget_recent
    from tests.support.browser import PLAYERS_JS, player_ok, players, track

    if args.pictures == "cold":
        forget_recent(stack.cameras)  # the run starts without cached pictures, as the first viewer would
    else:
        stack.warm_pictures(cookie)  # cached within the minute, as after a look at the dashboard

    with tempfile.TemporaryDirectory(prefix="cctv-bench-chromium-") as profile:
        context = _open_portal(driver, stack, cookie, profile)
        try:
            page = context.new_page()
            page.add_init_script(grid_timeline.TIMELINE_JS)
            started = time.monotonic()
            # Until the document is parsed and its scripts ran (the players start then), not until
            # "load", which also waits for every tile's picture.
            page.goto(f"{stack.http_url}/live/?layout={_layout_for(args.tiles)}", wait_until="domcontentloaded")
            loaded = time.monotonic()
            result = _page_result(started, loaded, track(page, PLAYERS_JS, args.tiles, args.timeout, player_ok()))
            result["timeline"] = grid_timeline.read(page)
            result["pictures"] = _all_pictures_s(result["timeline"], args.tiles)
            if args.timeline:
                print(f"portal run: all live at {_seconds(result['all'], args.timeout)}; ms after navigation:")
                print("\n".join(grid_timeline.summary(result["timeline"])), flush=True)
            if steady:
                before = _steady_cpu(stack)
                page.wait_for_timeout(args.steady * 1000)
                result.update(_steady_shares(before, _steady_cpu(stack)))
                result["last"] = players(page)
                if args.screenshot:
                    page.screenshot(path=args.screenshot)
        finally:
            context.close()
    _wait_idle_gateway(stack)
    return result


def _steady_cpu(stack: Stack) -> dict[str, Any]:
    """CPU seconds so far of Daphne, the gateway, this run's Chromium processes and the whole machine."""
    gateway = stack.gateway.process  # started by running_stack
    return {
        "wall": time.monotonic(),
        "daphne": stack.daphne_cpu_seconds(),
        "gateway": procstat.cpu_seconds(gateway.pid) if gateway else 0.0,
        "browser": procstat.named_cpu_seconds(os.getpid(), "chrom"),  # under Playwright's driver
        "machine": procstat.machine_busy_seconds(),
    }


def _steady_shares(before: dict[str, Any], after: dict[str, Any]) -> dict[str, float]:
    """Cores (CPU seconds per second) each part used between two readings; Daphne's in percent of one."""
    elapsed = after["wall"] - before["wall"]
    browser = sum(seconds - before["browser"].get(pid, 0.0) for pid, seconds in after["browser"].items())
    return {
        "cpu_percent": (after["daphne"] - before["daphne"]) / elapsed * 100,
        "gateway_cores": (after["gateway"] - before["gateway"]) / elapsed,
        "browser_cores": browser / elapsed,
        "machine_cores": (after["machine"] - before["machine"]) / elapsed,
    }


def _go2rtc(driver: Any, stack: Stack, args: argparse.Namespace) -> dict:
    """go2rtc's own stream page with every stream."""
    from cameras.streams import stream_name
    from tests.support.browser import VIDEOS_JS, launch, track, video_ok

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
            loaded = time.monotonic()
            result = _page_result(started, loaded, track(page, VIDEOS_JS, args.tiles, args.timeout, video_ok))
        finally:
            context.close()
    _wait_idle_gateway(stack)
    return result


def _measure(stack: Stack, args: argparse.Namespace) -> dict[str, Any]:
    from playwright.sync_api import sync_playwright

    cookie = stack.portal_headers(stack.users[0])["Cookie"].split("=", 1)[1]
    portal, go2rtc = [], []
    with sync_playwright() as driver:
        for _ in range(args.runs):  # alternated, so drift over the run hits both alike
            portal.append(_portal(driver, stack, cookie, args))
            go2rtc.append(_go2rtc(driver, stack, args))
        steady = _portal(driver, stack, cookie, args, steady=True)
    return {"portal": portal, "go2rtc": go2rtc, "steady": steady}


def _median(values: list[float | None]) -> float | None:
    """Median, counting a wall that never fully played as slower than any that did."""
    ordered = sorted(values, key=lambda v: math.inf if v is None else v)
    return ordered[len(ordered) // 2]


def _seconds(value: float | None, timeout: float) -> str:
    return f"{value:.2f} s" if value is not None else f"not reached in {timeout:.0f} s"


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min; {os.cpu_count()} CPUs)"


def _report(args: argparse.Namespace, results: dict[str, Any]) -> None:
    portal = _median([r["all"] for r in results["portal"]])
    pictures = _median([r["pictures"] for r in results["portal"]])
    go2rtc = _median([r["all"] for r in results["go2rtc"]])
    steady = results["steady"]
    print(f"tiles: {args.tiles} ({args.sources} sources at {args.size}), runs: {args.runs}, medians, "
          f"pictures: {args.pictures}")
    print(f"load_average_start: {results['load_start']}")
    print(f"load_average_end: {_load()}")
    print(f"all_tiles_picture_s: {_seconds(pictures, args.timeout)}")
    print(f"all_tiles_live_s: {_seconds(portal, args.timeout)}")
    print(f"go2rtc_all_playing_s: {_seconds(go2rtc, args.timeout)}")
    print(f"ratio: {portal / go2rtc:.2f} x" if portal and go2rtc else "ratio: n/a (a wall never fully played)")
    print(f"portal_cpu_percent_steady: {steady['cpu_percent']:.1f} %")
    print(f"gateway_cores_steady: {steady['gateway_cores']:.2f} cores")
    print(f"browser_cores_steady: {steady['browser_cores']:.2f} cores")
    print(f"machine_cores_busy_steady: {steady['machine_cores']:.2f} cores (of {os.cpu_count()})")
    for name in ("portal", "go2rtc"):
        for pct in (50, 90):
            value = _median([r["reached"].get(pct) for r in results[name]])
            print(f"{name}_{pct}pct_playing_s: {_seconds(value, args.timeout)}")
        print(f"{name}_runs_all_playing_s: " + ", ".join(_seconds(r["all"], args.timeout) for r in results[name]))
    print("portal_runs_all_picture_s: " + ", ".join(_seconds(r["pictures"], args.timeout) for r in results["portal"]))
    last = steady["last"]
    print(f"portal_steady_end: {sum(p['state'] == 'live' for p in last)} live, "
          f"{sum(p['mode'] == 'webrtc' for p in last)} webrtc, {sum(p['mode'] == 'mse' for p in last)} mse tiles")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, default=100, help="cameras on the wall (default 100)")
    parser.add_argument("--sources", type=int, default=4, help="simulated camera sources they share")
    parser.add_argument("--size", default="320x180", help="simulated picture size")
    parser.add_argument("--runs", type=int, default=3, help="measurements of each page (median reported)")
    parser.add_argument("--steady", type=float, default=60, help="seconds of steady playback for the CPU figure")
    parser.add_argument("--timeout", type=float, default=180, help="seconds to wait for a wall to play")
    parser.add_argument("--screenshot", help="save the portal's wall at the end of the steady period here (PNG)")
    parser.add_argument("--pictures", choices=("cold", "warm"), default="cold",
                        help="portal runs start without cached camera pictures (cold) or with them (warm)")
    parser.add_argument("--timeline", action="store_true",
                        help="print each portal run's per-tile timeline (socket, offer, answer, ICE, picture, live)")
    args = parser.parse_args()
    load_start = _load()
    with running_stack(cameras=args.tiles, users=1, sources=args.sources, size=args.size,
                       env={"CCTV_LIVE_SESSIONS_PER_USER": str(args.tiles + 10)},
                       gateway_overrides=_gateway_overrides()) as stack:
        keepers = keep_sources_open(stack.simulator)
        try:
            results = _measure(stack, args)
            results["load_start"] = load_start
        finally:
            stop_processes(keepers)
    _report(args, results)


if __name__ == "__main__":
    main()
