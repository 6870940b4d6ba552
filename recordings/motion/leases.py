"""Redis leases: at most one motion worker watches a camera at a time.

A lease is a Redis key holding its owner's random token with a time to live.
The owner renews it by heartbeat; renew and release act only while the key
still holds the owner's token (checked atomically in Lua), so a worker that
stalled past its lease cannot take back a camera another worker now holds.
If a worker dies, its keys expire and the dispatcher hands the cameras on.
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


def lease_key(camera_id: int) -> str:
    return f"cctv:motion:lease:{camera_id}"


def pending_key(camera_id: int) -> str:
    return f"cctv:motion:pending:{camera_id}"


class Lease:
    def __init__(self, camera_id: int, ttl_seconds: float, owner: str = "") -> None:
        self.key = lease_key(camera_id)
        self.ttl_ms = int(ttl_seconds * 1000)
        self.token = f"{owner}:{secrets.token_hex(8)}" if owner else secrets.token_hex(8)

    def acquire(self) -> bool:
        return bool(client().set(self.key, self.token, nx=True, px=self.ttl_ms))

    def renew(self) -> bool:
        return bool(client().eval(_RENEW, 1, self.key, self.token, self.ttl_ms))

    def release(self) -> None:
        client().eval(_RELEASE, 1, self.key, self.token)


def holders(camera_ids: list[int]) -> dict[int, str | None]:
    """Who holds each camera's lease (the owner part of the token), None if nobody."""
    if not camera_ids:
        return {}
    values = client().mget([lease_key(camera_id) for camera_id in camera_ids])
    return {
        camera_id: value.decode().rsplit(":", 1)[0] if value else None
        for camera_id, value in zip(camera_ids, values, strict=True)
    }


def mark_pending(camera_id: int, ttl_seconds: int) -> bool:
    """Note that a watch task is queued for the camera; False if one already is."""
    return bool(client().set(pending_key(camera_id), "1", nx=True, ex=ttl_seconds))


def clear_pending(camera_id: int) -> None:
    client().delete(pending_key(camera_id))
