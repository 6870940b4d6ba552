"""Redis leases: at most one worker holds a key at a time.

A lease is a Redis key holding its owner's random token with a time to live.
The owner renews it by heartbeat; renew and release act only while the key
still holds the owner's token (checked atomically in Lua), so a worker that
stalled past its lease cannot take back what another worker now holds.
If a worker dies, its keys expire and the work is handed on.

The motion workers (``recordings.motion.leases``) and the recorders
(``recordings.footage.leases``) lease cameras with it, each under keys of
their own. It lives in ``portal``, below both, so neither imports the other.
"""

from __future__ import annotations

import secrets
from functools import cache

import redis
from django.conf import settings

_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


@cache
def client() -> redis.Redis:
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5)


class Lease:
    def __init__(self, key: str, ttl_seconds: float, owner: str = "") -> None:
        self.key = key
        self.ttl_ms = int(ttl_seconds * 1000)
        self.token = f"{owner}:{secrets.token_hex(8)}" if owner else secrets.token_hex(8)

    def acquire(self) -> bool:
        return bool(client().set(self.key, self.token, nx=True, px=self.ttl_ms))

    def renew(self) -> bool:
        return bool(client().eval(_RENEW, 1, self.key, self.token, self.ttl_ms))

    def release(self) -> None:
        client().eval(_RELEASE, 1, self.key, self.token)
