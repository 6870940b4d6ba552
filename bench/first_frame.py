"""Benchmark 1: time to first frame, through the portal versus straight to go2rtc.

    .venv/bin/python -m bench.first_frame [--runs 25]

An aiortc viewer opens the same camera alternately through the portal's
relay and directly on the gateway's WebSocket API, in one run, and prints
medians of offer-to-answer and of request-to-first-decoded-frame, and the
portal/direct ratios. A background viewer keeps the camera's upstream warm,
so both paths start from the same state.
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from bench.stack import median_ms, running_stack


async def _measure(stack, runs: int) -> dict[str, list]:  # type: ignore[no-untyped-def]
    from asgiref.sync import sync_to_async

    from tests.webrtc_peer import watch

    camera, user = stack.cameras[0], stack.users[0]
    portal_headers = await sync_to_async(stack.portal_headers)(user)
    keeper = asyncio.create_task(watch(stack.direct_url(camera), headers=stack.direct_headers(), frames=10**6,
                                       timeout=3600))
    await asyncio.sleep(2)
    results: dict[str, list] = {"portal": [], "direct": []}
    for _ in range(runs):
        results["direct"].append(await watch(stack.direct_url(camera), headers=stack.direct_headers(), frames=1))
        results["portal"].append(await watch(stack.live_url(camera), headers=portal_headers, frames=1))
    keeper.cancel()
    return results


def main() -> None:
    logging.getLogger("aiortc").setLevel(logging.ERROR)  # decode noise before the first keyframe
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=25)
    args = parser.parse_args()
    with running_stack(cameras=1, users=1, sources=1) as stack:
        results = asyncio.run(_measure(stack, args.runs))
    figures = {}
    for path in ("direct", "portal"):
        figures[f"{path}_offer_to_answer"] = median_ms([r.offer_to_answer for r in results[path]])
        figures[f"{path}_first_frame"] = median_ms([r.request_to_first_frame for r in results[path]])
    print(f"runs: {args.runs} per path")
    for name, value in figures.items():
        print(f"{name}_median: {value:.1f} ms")
    print(f"offer_to_answer_ratio: {figures['portal_offer_to_answer'] / figures['direct_offer_to_answer']:.3f} x")
    print(f"first_frame_ratio: {figures['portal_first_frame'] / figures['direct_first_frame']:.3f} x")


if __name__ == "__main__":
    main()
