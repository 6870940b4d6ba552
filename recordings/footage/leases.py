"""Redis leases on cameras for recorders: a camera is recorded by exactly one recorder at a time.

The same mechanism as the motion workers' (``portal.leases``: a key
holding the owner's token, set with NX and a time to live, renewed and
released only by that token, atomically), under a key of its own so a
camera's recorder and its motion watcher do not exclude each other.
"""

from __future__ import annotations

import math

from portal import leases as redis_leases


def lease_key(camera_id: int) -> str:
    return f"cctv:footage:lease:{camera_id}"


class Lease(redis_leases.Lease):
    def __init__(self, camera_id: int, ttl_seconds: float, owner: str) -> None:
        super().__init__(lease_key(camera_id), ttl_seconds, owner=owner)


def holders(camera_ids: list[int]) -> dict[int, str | None]:
    """Which recorder holds each camera (the owner part of the token), None if nobody."""
    if not camera_ids:
        return {}
    values = redis_leases.client().mget([lease_key(camera_id) for camera_id in camera_ids])
    return {
        camera_id: value.decode().rsplit(":", 1)[0] if value else None
        for camera_id, value in zip(camera_ids, values, strict=True)
    }


def fair_share(cameras: int, recorders: int) -> int:
    """How many cameras one recorder takes when ``recorders`` share ``cameras`` (rounded up)."""
    return math.ceil(cameras / max(recorders, 1))
