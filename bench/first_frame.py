"""Benchmark 1: time to first frame, through the portal versus straight to go2rtc.

    .venv/bin/python -m bench.first_frame [--runs 25] [--signaling-runs 200]

An aiortc viewer opens the same camera in turn through the portal's relay,
directly on the gateway's WebSocket API, and through ``bench.reference_relay``
(a bare Python WebSocket relay: no auth, no gate, no framework), in one run.
It prints medians of offer-to-answer and of request-to-first-decoded-frame
for each path, and the portal/direct ratios. The reference relay shows what
one extra WebSocket hop in Python costs on this machine, whatever the portal
does. A background viewer, in a process of its own, keeps the camera's
upstream warm, so every path starts from the same state.

A second phase times signaling alone (``--signaling-runs``, 200 by default):
the same prepared SDP offer sent on a fresh socket given 20 ms to settle,
the clock stopped at the answer, no media. Without connection set-up, ICE
gathering and decoding in the client it shows what relaying costs.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import multiprocessing
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from bench.stack import Stack, median_ms, running_stack, start_process_logged, stop_process

PATHS = ("direct", "portal", "reference_relay")
SETTLE_SECONDS = 0.02


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


def _keep_watching(url: str, headers: dict[str, str]) -> None:
    """The warm-keeping viewer; runs in its own process, so the measuring loop decodes nothing else."""
    from tests.support.webrtc_peer import watch

    logging.disable(logging.WARNING)  # its ICE and decoder chatter is not the benchmark's output
    asyncio.run(watch(url, headers=headers, frames=10**9, timeout=24 * 3600))


@contextlib.contextmanager
def warm_camera(stack: Stack) -> Iterator[None]:
    camera = stack.cameras[0]
    keeper = multiprocessing.get_context("spawn").Process(
        target=_keep_watching, args=(stack.direct_url(camera), stack.direct_headers()), daemon=True
    )
    keeper.start()
    try:
        time.sleep(3)  # the viewer is playing: go2rtc's producer runs
        yield
    finally:
        keeper.terminate()
        keeper.join(10)


async def _targets(stack: Stack, reference_url: str) -> dict[str, tuple[str, dict[str, str]]]:
    from asgiref.sync import sync_to_async

    camera, user = stack.cameras[0], stack.users[0]
    return {
        "direct": (stack.direct_url(camera), stack.direct_headers()),
        "portal": (stack.live_url(camera), await sync_to_async(stack.portal_headers)(user)),
        "reference_relay": (reference_url, {}),
    }


async def _measure(stack: Stack, reference_url: str, runs: int) -> dict[str, list]:
    from tests.support.webrtc_peer import watch

    targets = await _targets(stack, reference_url)
    results: dict[str, list] = {path: [] for path in PATHS}
    for _ in range(runs):
        for path in PATHS:
            url, headers = targets[path]
            results[path].append(await watch(url, headers=headers, frames=1))
    return results


async def _offer_to_answer(url: str, headers: dict[str, str], offer: str) -> float:
    from websockets.asyncio.client import connect

    from tests.support.webrtc_peer import await_answer

    async with connect(url, additional_headers=headers, compression=None) as socket:
        # Each path's set-up is over before the clock starts (the reference
        # relay dials go2rtc only once the client's handshake is done).
        await asyncio.sleep(SETTLE_SECONDS)
        sent = time.perf_counter()
        await socket.send(offer)
        await await_answer(socket)
        return time.perf_counter() - sent


async def _measure_signaling(stack: Stack, reference_url: str, runs: int) -> dict[str, list]:
    from tests.support.webrtc_peer import prepared_offer

    targets = await _targets(stack, reference_url)
    offer = json.dumps({"type": "webrtc/offer", "value": await prepared_offer()})
    results: dict[str, list] = {path: [] for path in PATHS}
    for _ in range(runs):
        for path in PATHS:
            url, headers = targets[path]
            results[path].append(await _offer_to_answer(url, headers, offer))
    return results


def _print_signaling(results: dict[str, list]) -> None:
    medians = {path: median_ms(results[path]) for path in PATHS}
    for path in PATHS:
        print(f"signaling_only_{path}_offer_to_answer_median: {medians[path]:.2f} ms")
    print(f"signaling_only_offer_to_answer_ratio: {medians['portal'] / medians['direct']:.3f} x")
    print(f"signaling_only_reference_relay_ratio: {medians['reference_relay'] / medians['direct']:.3f} x")


def main() -> None:
    logging.getLogger("aiortc").setLevel(logging.ERROR)  # decode noise before the first keyframe
    logging.getLogger("aioice").setLevel(logging.WARNING)  # a line per ICE check
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=25)
    parser.add_argument("--signaling-runs", type=int, default=200)
    args = parser.parse_args()
    with (
        running_stack(cameras=1, users=1, sources=1) as stack,
        reference_relay(stack) as reference_url,
        warm_camera(stack),
    ):
        results = asyncio.run(_measure(stack, reference_url, args.runs))
        signaling = asyncio.run(_measure_signaling(stack, reference_url, args.signaling_runs))
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
    print(f"signaling_only_runs: {args.signaling_runs} per path")
    _print_signaling(signaling)


if __name__ == "__main__":
    main()
