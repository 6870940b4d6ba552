"""The least a Python WebSocket relay can do: the floor for the portal's relay.

    .venv/bin/python -m bench.reference_relay <port> <upstream ws url>

Each client connection gets its own upstream connection and every frame is
copied both ways, with no authentication, no gate, no filter and no
framework: only the websockets library on asyncio. ``bench.first_frame``
runs it next to the portal, so the cost of the portal's own work (Daphne,
Channels, the gate, the filters) can be told apart from the cost of any
extra WebSocket hop written in Python on the same machine.

The upstream's ``Authorization`` header is read from ``REFERENCE_RELAY_AUTH``
so no credential appears in a process listing.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys

from websockets.asyncio.client import ClientConnection, connect
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed


async def _copy(source: ClientConnection | ServerConnection, sink: ClientConnection | ServerConnection) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for frame in source:
            await sink.send(frame)


async def serve_forever(port: int, upstream_url: str, auth: str | None) -> None:
    headers = {"Authorization": auth} if auth else {}

    async def handle(client: ServerConnection) -> None:
        async with connect(upstream_url, additional_headers=headers, compression=None) as upstream:
            down = asyncio.create_task(_copy(upstream, client))
            await _copy(client, upstream)
            down.cancel()

    async with serve(handle, "127.0.0.1", port, compression=None):
        await asyncio.Future()


def main() -> None:
    # The benchmark's readiness probe opens and drops a bare TCP connection; not worth a traceback.
    logging.getLogger("websockets.server").setLevel(logging.CRITICAL)
    port, upstream_url = int(sys.argv[1]), sys.argv[2]
    asyncio.run(serve_forever(port, upstream_url, os.environ.get("REFERENCE_RELAY_AUTH")))


if __name__ == "__main__":
    main()
