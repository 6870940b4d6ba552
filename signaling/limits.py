"""A per-user cap on concurrent live sessions, shared by every Daphne process.

Each live session holds a member of a Redis sorted set keyed by user, scored
by its last heartbeat; members whose heartbeat is older than the TTL are
swept, so a crashed process cannot leak capacity for long. Without Redis
(single-process development) a local dict does the same.
"""

from __future__ import annotations

import time
from collections import defaultdict

from django.conf import settings
from redis import asyncio as aioredis

# A session's slot outlives three missed heartbeats (CCTV_LIVE_HEARTBEAT_SECONDS, 30 s by default).
SESSION_TTL_FACTOR = 3
# Hundreds of viewers may connect or leave in the same instant (a wall of
# tiles, a network blip). Each call is one short round trip, so they wait
# for one of a few connections rather than opening one each; redis-py's
# default pool raises "Too many connections" past 100 instead.
REDIS_CONNECTIONS = 32
REDIS_WAIT_SECONDS = 10


class LiveSessionLimiter:
    def __init__(self, redis_url: str, limit: int, heartbeat_seconds: float = 30) -> None:
        self.limit = limit
        self.ttl = heartbeat_seconds * SESSION_TTL_FACTOR
        self._redis = None
        if redis_url:
            pool = aioredis.BlockingConnectionPool.from_url(
                redis_url, max_connections=REDIS_CONNECTIONS, timeout=REDIS_WAIT_SECONDS,
                socket_timeout=REDIS_WAIT_SECONDS, socket_connect_timeout=REDIS_WAIT_SECONDS,
            )
            self._redis = aioredis.Redis(connection_pool=pool)
        self._local: dict[str, dict[str, float]] = defaultdict(dict)

    @staticmethod
    def _key(user_id: int) -> str:
        return f"cctv:live:{user_id}"

    async def acquire(self, user_id: int, session_id: str) -> bool:
        """Register a session; False (and nothing held) when the user is at the cap."""
        now = time.time()
        if self._redis is None:
            sessions = self._local[self._key(user_id)]
            for sid in [s for s, seen in sessions.items() if seen < now - self.ttl]:
                del sessions[sid]
            if len(sessions) >= self.limit:
                return False
            sessions[session_id] = now
            return True
        key = self._key(user_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.zremrangebyscore(key, 0, now - self.ttl)
            pipe.zadd(key, {session_id: now})
            pipe.zcard(key)
            pipe.expire(key, int(self.ttl * 2))
            _, _, count, _ = await pipe.execute()
        if count > self.limit:
            await self._redis.zrem(key, session_id)
            return False
        return True

    async def heartbeat(self, user_id: int, session_id: str) -> None:
        if self._redis is None:
            self._local[self._key(user_id)][session_id] = time.time()
            return
        await self._redis.zadd(self._key(user_id), {session_id: time.time()}, xx=True)

    async def release(self, user_id: int, session_id: str) -> None:
        if self._redis is None:
            self._local[self._key(user_id)].pop(session_id, None)
            return
        await self._redis.zrem(self._key(user_id), session_id)


_limiter: LiveSessionLimiter | None = None


def limiter() -> LiveSessionLimiter:
    global _limiter
    if _limiter is None or _limiter.limit != settings.CCTV_LIVE_SESSIONS_PER_USER:
        _limiter = LiveSessionLimiter(
            settings.REDIS_URL, settings.CCTV_LIVE_SESSIONS_PER_USER, settings.CCTV_LIVE_HEARTBEAT_SECONDS
        )
    return _limiter
