"""A camera's current picture, fetched by the portal from the camera's gateway.

The browser asks the portal (``camera_snapshot``); the portal builds the
stream name itself and asks go2rtc's ``/api/frame.jpeg``. The gateway's
address and the camera's source never reach the browser, and a failure is
reported as a short, source-free reason.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from asgiref.sync import sync_to_async
from django.core.cache import cache

from accounts.callers import Visitor
from accounts.roles import Action
from accounts.scoping import access
from cameras.gateways import client_for
from cameras.go2rtc import Go2RTCError
from cameras.models import Camera
from cameras.streams import stream_name

logger = logging.getLogger(__name__)

# The dashboard's pictures: one gateway call per camera per minute, however many people look.
THUMBNAIL_SECONDS = 60
_FAILED = b""  # cached too, so a dead camera does not cost a gateway timeout on every page view
# Gateway fetches of the thumbnail view wait side by side here: they mostly wait on the network (the
# gateway waits for each camera's next keyframe), touch no database, and a live wall asks for all
# of its tiles at once. Not many more: each costs the gateway a JPEG encoder (an ffmpeg process),
# and a 10x10 wall's hundred at once (tried: 32) starve the gateway's live video and time out.
FETCHES_AT_ONCE = 8
_FETCHES = ThreadPoolExecutor(max_workers=FETCHES_AT_ONCE, thread_name_prefix="cctv-thumbnail")
# Fetches under way, by camera: whoever asks meanwhile (the wall's warm-up, the tile's own request)
# waits for the same one instead of asking the gateway again.
_IN_FLIGHT: dict[str, Future] = {}
_IN_FLIGHT_LOCK = threading.Lock()


class SnapshotUnavailable(Exception):
    """The gateway could not give a frame right now; the message is safe to show."""


def snapshot_variant(camera: Camera) -> str:
    """The sub stream when the camera has one (smaller, cheaper to decode), else the main stream."""
    return "sub" if camera.sub_source else "main"


def live_snapshot(camera: Camera) -> bytes:
    """One JPEG of what the camera sees now. Raises ``SnapshotUnavailable``."""
    if not camera.enabled:
        raise SnapshotUnavailable("The camera is switched off in the portal.")
    if camera.gateway is None:
        raise SnapshotUnavailable("The camera is not on a video gateway yet.")
    stream = stream_name(camera.public_id, snapshot_variant(camera))
    try:
        with client_for(camera.gateway) as client:
            return client.snapshot(stream)
    except Go2RTCError as exc:
        logger.info("no snapshot of camera %s: %s", camera.public_id, exc)
        raise SnapshotUnavailable("The camera gave no picture just now; try again in a moment.") from exc


def _thumbnail_key(camera: Camera) -> str:
    return f"cameras:thumbnail:{camera.public_id}"


def _recorded_key(public_id: object) -> str:
    return f"cameras:recorded-picture:{public_id}"


# A recorded camera's minute picture stays usable this long: past its next one, with room for a late one.
RECORDED_PICTURE_SECONDS = 150


def offer_recorded(public_id: object, jpeg: bytes) -> None:
    """The recorder's picture of the camera's last minute (small, from a closed segment's keyframe).

    A live tile shows it when no snapshot is cached, so a wall of recorded
    cameras has pictures at once without asking the gateway for any; the
    dashboard still asks for a full-size snapshot.
    """
    cache.set(_recorded_key(public_id), jpeg, RECORDED_PICTURE_SECONDS)


def forget_recent(cameras: list[Camera]) -> None:
    """Drop the cached pictures of these cameras (the next ask goes to the gateway)."""
    cache.delete_many([_thumbnail_key(camera) for camera in cameras])


def recent_snapshot(camera: Camera) -> bytes:
    """A picture of the camera at most ``THUMBNAIL_SECONDS`` old, shared by every viewer (the caller
    checked the view right). Raises ``SnapshotUnavailable``, also for a minute after a failure."""
    key = _thumbnail_key(camera)
    cached = cache.get(key)
    if cached == _FAILED:
        raise SnapshotUnavailable("The camera gave no picture just now.")
    if cached is not None:
        return cached
    try:
        jpeg = live_snapshot(camera)
    except SnapshotUnavailable:
        cache.set(key, _FAILED, THUMBNAIL_SECONDS)
        raise
    cache.set(key, jpeg, THUMBNAIL_SECONDS)
    return jpeg


async def gated_camera(user: Visitor, public_id: str) -> Camera:
    """The camera through the gate (view right; Http404 otherwise), from an async view. A quick query,
    on Django's thread for synchronous code as any view's; only the gateway's wait leaves it."""
    return await sync_to_async(access)(Camera, user, public_id, Action.VIEW, related=("gateway",))


def _shared_fetch(camera: Camera) -> Future:
    """``recent_snapshot`` in the fetch pool, one at a time per camera."""
    key = str(camera.public_id)
    with _IN_FLIGHT_LOCK:
        future = _IN_FLIGHT.get(key)
        if future is None:
            future = _FETCHES.submit(recent_snapshot, camera)
            _IN_FLIGHT[key] = future
            future.add_done_callback(lambda done: _forget_fetch(key, done))
    return future


def _forget_fetch(key: str, done: Future) -> None:
    with _IN_FLIGHT_LOCK:
        if _IN_FLIGHT.get(key) is done:
            del _IN_FLIGHT[key]


async def fetch_recent(camera: Camera) -> bytes:
    """``recent_snapshot`` from an async view: the cache, else the gateway (or the fetch already under
    way for this camera), waited for without holding a thread."""
    return await asyncio.wrap_future(_shared_fetch(camera))


def cached_recent(camera: Camera) -> bytes | None:
    """The camera's recent picture if one is cached, else the recorder's (never asks the gateway); or None."""
    found = cache.get_many([_thumbnail_key(camera), _recorded_key(camera.public_id)])
    snapshot = found.get(_thumbnail_key(camera))
    return snapshot or found.get(_recorded_key(camera.public_id)) or None
