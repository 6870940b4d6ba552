"""What one wall tile costs the portal's process, in CPU time: its picture and its live session.

    .venv/bin/python -m bench.tile_cost [--tiles 100] [--rounds 3]

One stack (bench.stack) with ``--tiles`` cameras. In each round, one
client, one request at a time (so nothing waits on anything but the work
itself):

- every camera's cached picture (``/cameras/<id>/recent.jpg``,
  as a wall tile asks for it), after the pictures were fetched once;
- every camera's live socket: opened, a WebRTC offer relayed, the gateway's
  answer relayed back, closed (as a tile's session starts and later ends).

Daphne's CPU seconds (user + system, from /proc) are read before and after
each batch; the figure is that difference divided by the tiles. Medians of
the rounds are printed. On a two-core machine a wall also runs Chromium
decoding a hundred videos, so every millisecond here is one Chromium does
not get; this is the portal's share of a wall's start.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time

from bench.stack import Stack, running_stack


async def _live_session(url: str, headers: dict, sdp: str) -> None:
    from websockets.asyncio.client import connect

    async with connect(url, additional_headers=headers, open_timeout=30, close_timeout=5) as ws:
        await ws.send(json.dumps({"type": "webrtc/offer", "value": sdp}))
        async for raw in ws:
            kind = json.loads(raw).get("type")
            if kind == "webrtc/answer":
                return
            if kind == "error":
                raise RuntimeError(raw)


async def _live_batch(stack: Stack, headers: dict, sdp: str) -> float:
    before = stack.daphne_cpu_seconds()
    for camera in stack.cameras:
        await _live_session(stack.live_url(camera), headers, sdp)
    await asyncio.sleep(0.5)  # the closes' bookkeeping (slot, audit "end") is part of a session
    return (stack.daphne_cpu_seconds() - before) / len(stack.cameras)


def _picture_batch(stack: Stack, cookie: dict) -> float:
    import httpx

    before = stack.daphne_cpu_seconds()
    with httpx.Client(base_url=stack.http_url, cookies=cookie, timeout=30) as client:
        for camera in stack.cameras:
            response = client.get(f"/cameras/{camera.public_id}/recent.jpg")
            if response.status_code != 200:
                raise SystemExit(f"cached picture answered {response.status_code}")
    return (stack.daphne_cpu_seconds() - before) / len(stack.cameras)


async def _measure(stack: Stack, rounds: int) -> dict[str, list[float]]:
    from asgiref.sync import sync_to_async

    from tests.support.webrtc_peer import prepared_offer

    headers = await sync_to_async(stack.portal_headers)(stack.users[0])
    cookie = {"sessionid": headers["Cookie"].split("=", 1)[1]}
    sdp = await prepared_offer()
    await sync_to_async(stack.warm_pictures)(cookie["sessionid"])
    await _live_batch(stack, headers, sdp)  # first-use costs (imports, pools), not measured
    figures: dict[str, list[float]] = {"picture": [], "live": []}
    for _ in range(rounds):
        figures["picture"].append(await sync_to_async(_picture_batch)(stack, cookie))
        figures["live"].append(await _live_batch(stack, headers, sdp))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tiles", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    env = {"CCTV_LIVE_SESSIONS_PER_USER": str(args.tiles + 10)}
    with running_stack(cameras=args.tiles, users=1, sources=4, size="320x180", env=env) as stack:
        started = time.monotonic()
        figures = asyncio.run(_measure(stack, args.rounds))
        elapsed = time.monotonic() - started
    print(f"tiles: {args.tiles}, rounds: {args.rounds}, medians ({elapsed:.0f} s)")
    print(f"picture_cpu_per_tile: {statistics.median(figures['picture']) * 1000:.1f} ms")
    print(f"live_session_cpu_per_tile: {statistics.median(figures['live']) * 1000:.1f} ms")


if __name__ == "__main__":
    main()
