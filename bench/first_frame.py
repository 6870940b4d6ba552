"""Benchmark 1: time to first frame, through the portal versus straight to go2rtc.

    .venv/bin/python -m bench.first_frame [--runs 25]

An aiortc viewer opens the same camera in turn through the portal's relay,
directly on the gateway's WebSocket API, and through ``bench.reference_relay``
(a bare Python WebSocket relay: no auth, no gate, no framework), in one run.
It prints medians of offer-to-answer and of request-to-first-decoded-frame
for each path, and the portal/direct ratios. The reference relay shows what
one extra WebSocket hop in Python costs on this machine, whatever the portal
does. A background viewer keeps the camera's upstream warm, so every path
starts from the same state.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.stack import Stack, median_ms, running_stack, start_process_logged, stop_process

PATHS = ("direct", "portal", "reference_relay")


@contextlib.contextmanager
def reference_relay(stack: Stack) -> Iterator[str]:
    """A bare relay to the first camera's stream on the gateway; yields its URL."""
    port, process = start_process_logged(
        ["-m", "bench.reference_relay", "{port}", stack.direct_url(stack.cameras[0])],
        Path(tempfile.mkdtemp(prefix="cctv-bench-")) / "reference-relay.log",
        env={"REFERENCE_RELAY_AUTH": stack.direct_headers()["Authorization"]},
    )
    try:
        yield f"ws://127.0.0.1:{port}/"
    finally:
        stop_process(process)


async def _measure(stack: Stack, reference_url: str, runs: int) -> dict[str, list]:
    from asgiref.sync import sync_to_async

    from tests.webrtc_peer import watch

    camera, user = stack.cameras[0], stack.users[0]
    portal_headers = await sync_to_async(stack.portal_headers)(user)
    targets = {
        "direct": (stack.direct_url(camera), stack.direct_headers()),
        "portal": (stack.live_url(camera), portal_headers),
        "reference_relay": (reference_url, {}),
    }
    keeper = asyncio.create_task(watch(stack.direct_url(camera), headers=stack.direct_headers(), frames=10**6,
                                       timeout=3600))
    await asyncio.sleep(2)
    results: dict[str, list] = {path: [] for path in PATHS}
    for _ in range(runs):
        for path in PATHS:
            url, headers = targets[path]
            results[path].append(await watch(url, headers=headers, frames=1))
    keeper.cancel()
    return results


def main() -> None:
    logging.getLogger("aiortc").setLevel(logging.ERROR)  # decode noise before the first keyframe
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    with running_stack(cameras=1, users=1, sources=1) as stack, reference_relay(stack) as reference_url:
        results = asyncio.run(_measure(stack, reference_url, args.runs))
    figures = {}
    for path in PATHS:
        figures[f"{path}_offer_to_answer"] = median_ms([r.offer_to_answer for r in results[path]])
        figures[f"{path}_first_frame"] = median_ms([r.request_to_first_frame for r in results[path]])
    print(f"runs: {args.runs} per path")
    for name, value in figures.items():
        print(f"{name}_median: {value:.2f} ms")
    direct_answer, direct_frame = figures["direct_offer_to_answer"], figures["direct_first_frame"]
    print(f"offer_to_answer_ratio: {figures['portal_offer_to_answer'] / direct_answer:.3f} x")
    print(f"first_frame_ratio: {figures['portal_first_frame'] / direct_frame:.3f} x")
    print(f"reference_relay_offer_to_answer_ratio: {figures['reference_relay_offer_to_answer'] / direct_answer:.3f} x")
    print(f"portal_extra_offer_to_answer: {figures['portal_offer_to_answer'] - direct_answer:.2f} ms")
    print(f"reference_relay_extra_offer_to_answer: {figures['reference_relay_offer_to_answer'] - direct_answer:.2f} ms")


if __name__ == "__main__":
    main()
