"""What the WebSocket server alone costs per message: Daphne versus the websockets library.

    .venv/bin/python -m bench.server_floor [--round-trips 300]

Two echo servers on free loopback ports, each a few lines with no framework
above it: a raw ASGI app served by Daphne (the portal's server: Twisted and
autobahn underneath) and the websockets library on asyncio (what
``bench.reference_relay`` is built on). One client times round trips of a
4 KB text frame, about an SDP offer's size, on a settled socket with a
short pause before each so both servers start from idle, as a relay does
between a viewer's messages. Rounds alternate between the servers.

The difference is part of the floor under the portal's offer-to-answer
overhead in ``bench.first_frame``: the relay takes one message in and one
out through Daphne per offer.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.stack import start_process_logged, stop_process

MESSAGE = "x" * 4000
PAUSE_SECONDS = 0.01
ROUNDS = 3


async def echo_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """The smallest ASGI WebSocket echo; Daphne serves it as ``bench.server_floor:echo_app``."""
    if scope["type"] != "websocket":
        return
    while True:
        message = await receive()
        if message["type"] == "websocket.connect":
            await send({"type": "websocket.accept"})
        elif message["type"] == "websocket.receive":
            await send({"type": "websocket.send", "text": message.get("text"), "bytes": message.get("bytes")})
        else:
            return


async def _serve_websockets(port: int) -> None:
    from websockets.asyncio.server import ServerConnection, serve

    async def echo(connection: ServerConnection) -> None:
        async for message in connection:
            await connection.send(message)

    async with serve(echo, "127.0.0.1", port, compression=None):
        await asyncio.Future()


async def _round_trips(url: str, count: int) -> list[float]:
    from websockets.asyncio.client import connect

    times = []
    async with connect(url, compression=None) as socket:
        for _ in range(count):
            await asyncio.sleep(PAUSE_SECONDS)
            sent = time.perf_counter()
            await socket.send(MESSAGE)
            await socket.recv()
            times.append(time.perf_counter() - sent)
    return times


async def _measure(urls: dict[str, str], count: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {name: [] for name in urls}
    for _ in range(ROUNDS):
        for name, url in urls.items():
            results[name] += await _round_trips(url, count)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--round-trips", type=int, default=300, help="per server and round")
    parser.add_argument("--serve-websockets", type=int, metavar="PORT", help=argparse.SUPPRESS)  # the child
    args = parser.parse_args()
    if args.serve_websockets:
        asyncio.run(_serve_websockets(args.serve_websockets))
        return
    logdir = Path(tempfile.mkdtemp(prefix="cctv-bench-"))
    daphne_port, daphne = start_process_logged(
        ["-m", "daphne", "-b", "127.0.0.1", "-p", "{port}", "bench.server_floor:echo_app"], logdir / "daphne.log"
    )
    websockets_port, websockets_server = start_process_logged(
        ["-m", "bench.server_floor", "--serve-websockets", "{port}"], logdir / "websockets.log"
    )
    try:
        urls = {"daphne": f"ws://127.0.0.1:{daphne_port}/", "websockets": f"ws://127.0.0.1:{websockets_port}/"}
        results = asyncio.run(_measure(urls, args.round_trips))
    finally:
        stop_process(daphne)
        stop_process(websockets_server)
    medians = {name: statistics.median(values) * 1e6 for name, values in results.items()}
    print(f"round_trips: {args.round_trips * ROUNDS} per server")
    for name, value in medians.items():
        print(f"{name}_echo_round_trip_median: {value:.0f} us")
    print(f"daphne_extra_per_round_trip: {medians['daphne'] - medians['websockets']:.0f} us")


if __name__ == "__main__":
    main()
