"""The per-user live-session cap, on the real Redis."""

from __future__ import annotations

import asyncio
import uuid

from django.conf import settings

from signaling.limits import REDIS_CONNECTIONS, LiveSessionLimiter


def _limiter(limit: int) -> LiveSessionLimiter:
    return LiveSessionLimiter(settings.REDIS_URL, limit, heartbeat_seconds=30)


def test_the_cap_refuses_the_session_past_the_limit_and_a_release_frees_a_slot() -> None:
    async def scenario() -> tuple[list[bool], bool]:
        limiter, user = _limiter(2), 10_000 + uuid.uuid4().int % 10_000
        firsts = [await limiter.acquire(user, f"s{i}") for i in range(3)]
        await limiter.release(user, "s0")
        return firsts, await limiter.acquire(user, "s3")

    firsts, after_release = asyncio.run(scenario())
    assert firsts == [True, True, False]
    assert after_release is True


def test_a_burst_of_joins_and_leaves_far_above_the_connection_pool_loses_no_slot() -> None:
    """A wall of tiles closing at once once raised "Too many connections" and leaked its slots."""
    burst = REDIS_CONNECTIONS * 10

    async def scenario() -> tuple[list[bool], int]:
        limiter, user = _limiter(burst), 20_000 + uuid.uuid4().int % 10_000
        sessions = [uuid.uuid4().hex for _ in range(burst)]
        joined = await asyncio.gather(*(limiter.acquire(user, s) for s in sessions))
        await asyncio.gather(*(limiter.release(user, s) for s in sessions))
        assert limiter._redis is not None
        left = await limiter._redis.zcard(limiter._key(user))
        await limiter._redis.aclose()
        return joined, left

    joined, left = asyncio.run(scenario())
    assert all(joined)
    assert left == 0
