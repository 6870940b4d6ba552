"""WebSocket consumers: the live signaling relay and the per-user event stream."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import uuid
import weakref
from typing import Any

from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.exceptions import StopConsumer
from channels.generic.websocket import AsyncJsonWebsocketConsumer, AsyncWebsocketConsumer
from django.conf import settings
from django.http import Http404
from redis.exceptions import RedisError
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

from accounts.scoping import MFAEnrolmentRequired
from portal import events
from signaling import live, relay
from signaling.db import pooled_db
from signaling.limits import limiter
from signaling.protocol import MOTION_ALERT_FIELDS, CloseCode, RelayError
from signaling.scopes import followed_camera_groups

logger = logging.getLogger(__name__)

UPSTREAM_OPEN_TIMEOUT = 5


# How many live sockets of one process may be past authentication and in the
# CPU-bound part of opening (cap, gate, audit) at once. A burst of hundreds of
# tiles then queues cheaply here instead of crowding the event loop, so the
# frames of sessions already open (signaling, MSE video) keep flowing.
CONNECTS_IN_FLIGHT = 8
_admissions: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def connect_admission() -> asyncio.Semaphore:
    """The running loop's admission semaphore (a semaphore is bound to one loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _admissions:
        _admissions[loop] = asyncio.Semaphore(CONNECTS_IN_FLIGHT)
    return _admissions[loop]


def _peer_ip(scope: dict[str, Any]) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


class LiveRelayConsumer(AsyncWebsocketConsumer):
    """Relays one browser's signaling (and MSE fallback) to the camera's gateway.

    ``connect`` authenticates, accepts, takes a slot of the user's
    live-session cap, asks the gate and only then dials the gateway with the
    stream name the server built. After that, frames only pass through ``relay``'s
    filters: no database, no blocking call.
    """

    upstream: ClientConnection | None = None
    pump: asyncio.Task | None = None
    keepalive: asyncio.Task | None = None
    target: live.LiveTarget | None = None
    slot_held = False

    async def __call__(self, scope, receive, send):  # type: ignore[no-untyped-def]
        # A relay socket has no channel layer, so it needs none of Channels'
        # general dispatcher (a task and an asyncio.wait per frame, built to
        # multiplex a layer): a plain receive loop saves loop turns per frame.
        self.scope = scope
        self.channel_layer = None
        self.base_send = send
        with contextlib.suppress(StopConsumer):
            while True:
                await self.dispatch(await receive())

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        if not (self.user and self.user.is_authenticated):
            await self.close(code=CloseCode.UNAUTHENTICATED)
            return
        # Accepted before the cap, the gate and the dial. Browsers open one
        # WebSocket per server at a time (RFC 6455 4.1: Chromium holds a lock
        # per address and port until the handshake ends), so whatever ran
        # before accepting ran one tile after another across a whole wall.
        # The browser's first frames (its offer) wait in the server's queue
        # until the session is set up: nothing reaches the gateway, and
        # nothing comes back but an error frame and a close code, before the
        # gate has said yes.
        await self.accept()
        async with connect_admission():
            admitted = await self._open_session()
        # The dial waits on the network, not the CPU, so it runs outside the
        # admission: a gateway that never answers holds up only its own
        # viewers.
        if admitted and await self._open_upstream():
            self.pump = asyncio.create_task(self._pump_upstream())
            self.keepalive = asyncio.create_task(self._keep_session())

    async def _open_session(self) -> bool:
        """The cap, the gate and the audit log's "start"; False once the socket is refused."""
        self.session_id = uuid.uuid4().hex
        try:
            acquired = await limiter().acquire(self.user.pk, self.session_id)
        except RedisError as exc:
            logger.warning("live relay could not reach the session store: %s", type(exc).__name__)
            await self._refuse(
                RelayError.LIVE_UNAVAILABLE, "Live video is briefly unavailable; try again.", CloseCode.TRY_LATER
            )
            return False
        if not acquired:
            await self._refuse(
                RelayError.TOO_MANY_SESSIONS, "You have too many live views open; close some first.", CloseCode.LIMIT
            )
            return False
        self.slot_held = True
        kwargs = self.scope["url_route"]["kwargs"]
        try:
            # One trip to the database: the gate, and the audit log's "start",
            # so nothing is written while the browser is signaling.
            self.target = await pooled_db(live.begin_session)(
                self.user, kwargs["public_id"], kwargs.get("variant") or "main", _peer_ip(self.scope)
            )
        except (Http404, MFAEnrolmentRequired) as exc:
            await self._release_slot()  # at once, not when the close handshake ends
            mfa = isinstance(exc, MFAEnrolmentRequired)
            await self.close(code=CloseCode.MFA_REQUIRED if mfa else CloseCode.NOT_FOUND)
            return False
        except live.CameraNotLive as exc:
            await self._refuse(RelayError.CAMERA_UNAVAILABLE, str(exc), CloseCode.NOT_FOUND)
            return False
        return True

    async def dispatch(self, message: dict[str, Any]) -> None:
        # Channels' dispatch hops to the database thread before *every*
        # message (to close stale connections). The relay's frames never touch
        # the database and the calls that do go through database_sync_to_async,
        # which does that cleanup itself, so frames skip the hop.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"no handler for message type {message['type']}")
        await handler(message)

    async def _refuse(self, code: RelayError, text: str, close_code: int) -> None:
        await self.send(text_data=relay.error_frame(code, text))
        await self.close(code=close_code)

    async def _record(self, event: str, **detail: Any) -> None:
        await pooled_db(live.record_session)(
            self.user, self.target, event, _peer_ip(self.scope), **detail
        )

    async def _open_upstream(self) -> bool:
        target = self.target
        if target is None:
            return False
        headers = {}
        if target.upstream_auth:
            token = base64.b64encode(":".join(target.upstream_auth).encode()).decode()
            headers["Authorization"] = f"Basic {token}"
        try:
            self.upstream = await connect(
                target.upstream_url,
                additional_headers=headers,
                open_timeout=UPSTREAM_OPEN_TIMEOUT,
                max_size=8 * 1024 * 1024,
                compression=None,
                # Gateways sit on the private network: an HTTP(S)_PROXY meant
                # for the outside world must not carry this (and looking it
                # up from the environment costs every connect).
                proxy=None,
            )
        except (OSError, TimeoutError, InvalidStatus, WebSocketException) as exc:
            logger.warning("live relay could not reach gateway for camera %s: %s",
                           target.camera_public_id, type(exc).__name__)
            await self._refuse(
                RelayError.GATEWAY_UNREACHABLE, "The video gateway is not reachable.", CloseCode.UPSTREAM
            )
            return False
        return True

    async def _pump_upstream(self) -> None:
        if self.upstream is None:
            return
        try:
            async for frame in self.upstream:
                if isinstance(frame, bytes):
                    await self.send(bytes_data=frame)
                elif (text := relay.gateway_to_client(frame)) is not None:
                    await self.send(text_data=text)
        except ConnectionClosed:
            pass
        await self.close()

    async def _keep_session(self) -> None:
        """On a timer, not on frames (a WebRTC session is quiet once media flows):
        renew the session's slot in the cap and end it if the user lost access."""
        target = self.target
        while target is not None:
            await asyncio.sleep(settings.CCTV_LIVE_HEARTBEAT_SECONDS)
            await limiter().heartbeat(self.user.pk, self.session_id)
            if not await pooled_db(live.still_allowed)(self.user, target.camera_public_id):
                revoked = relay.error_frame(RelayError.ACCESS_REVOKED, "You no longer have access to this camera.")
                await self.send(text_data=revoked)
                await self.close(code=CloseCode.NOT_FOUND)
                return

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        if self.upstream is None or text_data is None:
            return  # browsers send no binary frames in this protocol
        try:
            await self.upstream.send(relay.client_to_gateway(text_data))
        except relay.RelayRefused as exc:
            await self.send(text_data=relay.error_frame(RelayError.REFUSED, str(exc)))
        except ConnectionClosed:
            await self.close()

    async def disconnect(self, code: int) -> None:
        # The slot first: the view is over for the user even while the
        # gateway is still answering the upstream close handshake.
        await self._release_slot()
        for task in (self.pump, self.keepalive):
            if task is not None and task is not asyncio.current_task():
                task.cancel()
        if self.upstream is not None:
            with contextlib.suppress(Exception):
                await self.upstream.close()
            self.upstream = None
        if self.target is not None:  # "start" was written in connect
            await self._record("end", close_code=code)
            self.target = None

    async def _release_slot(self) -> None:
        if self.slot_held:
            self.slot_held = False
            try:
                await limiter().release(self.user.pk, self.session_id)
            except RedisError as exc:  # the slot then expires with its TTL; the rest of the cleanup goes on
                logger.warning("live relay could not release a session slot: %s", type(exc).__name__)


# What a dashboard learns of an event: ids, names, times and links; never a source. A motion alert's
# fields are signaling.protocol.MOTION_ALERT_FIELDS, which recordings.motion.payload builds the message from.
RECORDING_STATUS_FIELDS = ("type", "camera", "state", "label", "reason", "changed_at", "last_segment_at")
# Notices about recording (recordings.footage.notice_messages): to a camera's viewers, to owners and admins.
RECORDING_STOPPED_FIELDS = ("type", "notice", "camera", "camera_name", "site_name", "since", "minutes", "reason",
                            "created_at", "url")
STORAGE_QUOTA_FIELDS = ("type", "notice", "organization", "organization_name", "used_bytes", "quota_bytes",
                        "used_share", "created_at", "url")


class EventStreamConsumer(AsyncJsonWebsocketConsumer):
    """Pushes camera status, clip status and motion alerts to one signed-in user.

    It joins the group of every camera the gate lets the user view, and
    recomputes that set when told the scope changed.
    """

    groups_joined: frozenset[str] = frozenset()

    async def connect(self) -> None:
        self.user = self.scope.get("user")
        if not (self.user and self.user.is_authenticated):
            await self.close(code=CloseCode.UNAUTHENTICATED)
            return
        # Join the groups first: a client that sees the socket open must not
        # miss an event published right after (pages refresh state on open).
        try:
            await self._follow()
        except MFAEnrolmentRequired:
            await self.close(code=CloseCode.MFA_REQUIRED)
            return
        await self.accept()

    async def _follow(self) -> None:
        wanted = frozenset(await database_sync_to_async(followed_camera_groups)(self.user))
        wanted |= {events.user_group(self.user.pk)}
        for group in wanted - self.groups_joined:
            await self.channel_layer.group_add(group, self.channel_name)
        for group in self.groups_joined - wanted:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = wanted

    async def disconnect(self, code: int) -> None:
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        self.groups_joined = frozenset()

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        return  # the stream is one-way; clients have nothing to say

    async def camera_status(self, event: dict[str, Any]) -> None:
        await self.send_json({k: event[k] for k in ("type", "camera", "status", "changed_at")})

    async def clip_status(self, event: dict[str, Any]) -> None:
        await self.send_json({k: event.get(k) for k in ("type", "clip", "camera", "status", "reason")})

    async def motion_alert(self, event: dict[str, Any]) -> None:
        await self.send_json({k: event.get(k) for k in MOTION_ALERT_FIELDS})

    async def motion_ended(self, event: dict[str, Any]) -> None:
        await self.send_json({k: event.get(k) for k in ("type", "event", "camera", "ended_at")})

    async def motion_acknowledged(self, event: dict[str, Any]) -> None:
        await self.send_json({k: event.get(k) for k in ("type", "event", "camera", "by", "at")})

    async def recording_status(self, event: dict[str, Any]) -> None:
        await self.send_json({k: event.get(k) for k in RECORDING_STATUS_FIELDS})

    async def recording_stopped(self, event: dict[str, Any]) -> None:
        await self.send_json({k: event.get(k) for k in RECORDING_STOPPED_FIELDS})

    async def storage_quota(self, event: dict[str, Any]) -> None:
        await self.send_json({k: event.get(k) for k in STORAGE_QUOTA_FIELDS})

    async def scope_changed(self, event: dict[str, Any]) -> None:
        try:
            await self._follow()
        except MFAEnrolmentRequired:
            await self.close(code=CloseCode.MFA_REQUIRED)
