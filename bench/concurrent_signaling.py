"""Benchmark 3: many simultaneous signaling sessions through the portal.

    .venv/bin/python -m bench.concurrent_signaling [--sessions 100 300 1000]

For each level, that many viewers open the live socket at once, send a
WebRTC offer and wait for go2rtc's answer; all stay open until every one
has its answer (or failed). Prints p50/p95 offer-to-answer (from the
viewer's open socket), p50/p95 from the level's start to each answer
(connects included), the error count and Daphne's resident memory with all
sessions open. One aiortc offer is
reused, so the client side stays cheap and the portal and gateway do the
real work.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import time
from collections import Counter
from dataclasses import dataclass, field

from bench.stack import percentile_ms, running_stack

LEVEL_TIMEOUT = 180
WARMUP_SESSIONS = 20


@dataclass
class Level:
    sessions: int
    started: float = field(default_factory=time.perf_counter)
    release: asyncio.Event = field(default_factory=asyncio.Event)
    settled: int = 0
    all_settled: asyncio.Event = field(default_factory=asyncio.Event)

    def settle(self) -> None:
        self.settled += 1
        if self.settled == self.sessions:
            self.all_settled.set()


async def _signal(ws, sdp: str) -> float:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    await ws.send(json.dumps({"type": "webrtc/offer", "value": sdp}))
    async for raw in ws:
        message = json.loads(raw)
        if message.get("type") == "webrtc/answer":
            return time.perf_counter() - started
        if message.get("type") == "error":
            raise RuntimeError(message.get("value"))
    raise RuntimeError(f"closed before an answer ({ws.close_code})")


async def _session(url: str, headers: dict, sdp: str, level: Level) -> tuple[float, float]:
    """(socket open to answer, start of the level to answer) for one viewer."""
    from websockets.asyncio.client import connect

    try:
        async with connect(url, additional_headers=headers, open_timeout=60, close_timeout=5) as ws:
            elapsed = await _signal(ws, sdp)
            answered_at = time.perf_counter() - level.started
            level.settle()
            await level.release.wait()
            return elapsed, answered_at
    except BaseException:
        level.settle()
        raise


async def _run_level(stack, headers: dict, sdp: str, sessions: int, direct: bool) -> dict:  # type: ignore[no-untyped-def]
    level = Level(sessions)
    url = stack.direct_url(stack.cameras[0]) if direct else stack.live_url(stack.cameras[0])
    tasks = [asyncio.create_task(_session(url, headers, sdp, level)) for _ in range(sessions)]
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(level.all_settled.wait(), LEVEL_TIMEOUT)
    rss = stack.daphne_rss_mb()
    level.release.set()
    outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    answered = [o for o in outcomes if isinstance(o, tuple)]
    latencies = [elapsed for elapsed, _ in answered]
    since_start = [at for _, at in answered]
    reasons = Counter(f"{type(o).__name__}: {str(o)[:80]}" for o in outcomes if isinstance(o, BaseException))
    return {
        "latencies": latencies, "since_start": since_start, "errors": sessions - len(latencies),
        "rss": rss, "reasons": reasons,
    }


async def _measure(stack, levels: list[int], direct: bool) -> dict[int, dict]:  # type: ignore[no-untyped-def]
    from asgiref.sync import sync_to_async

    from tests.support.webrtc_peer import prepared_offer

    headers = stack.direct_headers() if direct else await sync_to_async(stack.portal_headers)(stack.users[0])
    sdp = await prepared_offer()
    await _run_level(stack, headers, sdp, WARMUP_SESSIONS, direct)  # first-use costs, not measured
    await asyncio.sleep(3)
    report = {}
    for sessions in levels:
        report[sessions] = await _run_level(stack, headers, sdp, sessions, direct)
        await asyncio.sleep(3)  # let the gateway drop the abandoned peer connections
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, nargs="+", default=[100, 300, 1000])
    parser.add_argument("--direct", action="store_true", help="signal straight to go2rtc instead (baseline)")
    args = parser.parse_args()
    env = {"CCTV_LIVE_SESSIONS_PER_USER": str(max(args.sessions) + 10)}
    with running_stack(cameras=1, users=1, sources=1, env=env) as stack:
        idle_rss = stack.daphne_rss_mb()
        report = asyncio.run(_measure(stack, args.sessions, args.direct))
    path = "direct" if args.direct else "portal"
    print(f"path: {path}")
    print(f"portal_idle_rss: {idle_rss:.1f} MB")
    for sessions, figures in report.items():
        latencies = figures["latencies"] or [float("nan")]
        print(f"sessions_{sessions}_offer_to_answer_p50: {percentile_ms(latencies, 50):.1f} ms")
        print(f"sessions_{sessions}_offer_to_answer_p95: {percentile_ms(latencies, 95):.1f} ms")
        # Offer-to-answer starts once a socket is open; how long the whole
        # burst takes (connects included) is the other half of the story.
        since_start = figures["since_start"] or [float("nan")]
        print(f"sessions_{sessions}_start_to_answer_p50: {percentile_ms(since_start, 50):.1f} ms")
        print(f"sessions_{sessions}_start_to_answer_p95: {percentile_ms(since_start, 95):.1f} ms")
        print(f"sessions_{sessions}_errors: {figures['errors']} count")
        print(f"sessions_{sessions}_portal_rss: {figures['rss']:.1f} MB")
        for reason, count in figures["reasons"].most_common(3):
            print(f"#   {count} x {reason}")


if __name__ == "__main__":
    main()
