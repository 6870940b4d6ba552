"""Redis leases: at most one motion worker watches a camera at a time.

The lease itself (a key holding its owner's token with a time to live,
renewed and released only by that token) is ``portal.leases``; here are the
motion workers' keys, who holds which camera, and the "watch task queued"
marks. If a worker dies, its keys expire and the dispatcher hands the
cameras on.
"""

from __future__ import annotations

from portal import leases
from portal.leases import client


def lease_key(camera_id: int) -> str:
    return f"cctv:motion:lease:{camera_id}"


def pending_key(camera_id: int) -> str:
    return f"cctv:motion:pending:{camera_id}"


class Lease(leases.Lease):
    def __init__(self, camera_id: int, ttl_seconds: float, owner: str = "") -> None:
        super().__init__(lease_key(camera_id), ttl_seconds, owner=owner)


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
