"""The one ONVIF client: PTZ over onvif-zeep-async.

``OnvifAdapter`` owns the device sessions of its process (one per camera
address, with the media profile and PTZ configuration tokens cached),
applies a timeout to every call, and turns whatever the library or the
camera throws into one of the typed errors of ``cameras.ptz.onvif.errors``,
whose ``retryable`` flag says whether trying again can help. A camera that keeps failing is backed
off for a while (shared through the cache, so every worker agrees) instead
of being hammered; only Stop is always attempted.

onvif-zeep-async is asyncio-only while Celery tasks are plain functions, and
a session (aiohttp connections, parsed WSDLs) must live on one event loop.
So the adapter runs one loop in a daemon thread per process and the public
methods are synchronous: they hand a coroutine to that loop and wait.

Replies are read liberally (``cameras.ptz.onvif.replies``): real cameras leave
out optional fields, use other namespace prefixes or answer a plain string
where a structure is due. Values the adapter cannot read become ``None``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import onvif
import zeep.exceptions
from django.conf import settings
from django.core.cache import cache
from onvif import ONVIFCamera, ONVIFService
from onvif.definition import SERVICES
from onvif.exceptions import ONVIFError

from cameras.ptz.onvif.backoff import backoff_key
from cameras.ptz.onvif.clock import ClockedCamera, judge_refusal
from cameras.ptz.onvif.errors import (
    OnvifAuthFailed,
    OnvifBackedOff,
    OnvifError,
    OnvifFault,
    OnvifNotSupported,
    OnvifRefused,
    OnvifTimeout,
    OnvifUnreachable,
    translate,
)
from cameras.ptz.onvif.replies import (
    DevicePreset,
    PTZFeatures,
    PTZPosition,
    PTZStatus,
    Spaces,
    complete_pan_tilt,
    first_of,
    names_other_spaces,
    pick,
    ptz_vector,
    read_features,
    read_moving,
    read_position,
    read_spaces,
)
from cameras.ptz.onvif.target import PinnedCamera, pinned
from portal.backoff import exponential_delay

__all__ = [
    "DevicePreset", "OnvifAdapter", "OnvifAddress", "OnvifAuthFailed", "OnvifBackedOff", "OnvifError", "OnvifFault",
    "OnvifNotSupported", "OnvifTimeout", "OnvifUnreachable", "PTZFeatures", "PTZPosition", "PTZStatus",
    "close_adapter", "get_adapter", "warm_up", "OnvifRefused",
]

logger = logging.getLogger(__name__)
T = TypeVar("T")
Vector = tuple[float | None, float | None, float | None]  # pan, tilt, zoom

MAX_SESSIONS = 64
BACKOFF_AFTER_FAILURES = 2
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 60.0


# --- values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OnvifAddress:
    """Where and how to reach a camera's ONVIF device service."""

    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)
    # The checked IP address the session connects to (cameras.ptz.onvif.target.pinned).
    connect_host: str = ""

    @classmethod
    def of(cls, camera: Any) -> OnvifAddress:
        return cls(camera.onvif_host, int(camera.onvif_port), camera.onvif_username or "",
                   camera.onvif_password or "")

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def backoff_key(self) -> str:
        """Per address and login (a corrected password is not held back), without the password in clear."""
        return backoff_key(self.host, self.port, self.username, self.password)


# --- backoff ------------------------------------------------------------------------------


class Backoff:
    """Consecutive failures per camera address, in the shared cache."""

    def check(self, address: OnvifAddress) -> None:
        state = cache.get(address.backoff_key)
        remaining = (state or {}).get("until", 0) - time.time()
        if remaining > 0:
            raise OnvifBackedOff(
                f"{state.get('reason', '')} It failed {state['failures']} times in a row; "
                f"the portal tries again in {max(1, round(remaining))} s.".strip(),
                retry_after=remaining,
            )

    def failed(self, address: OnvifAddress, reason: OnvifError | None = None) -> None:
        state = cache.get(address.backoff_key) or {"failures": 0, "until": 0}
        state["failures"] += 1
        state["reason"] = str(reason or f"The camera at {address.label} failed.")
        over = state["failures"] - BACKOFF_AFTER_FAILURES
        if over >= 0:
            state["until"] = time.time() + exponential_delay(over, BACKOFF_BASE_SECONDS, BACKOFF_MAX_SECONDS)
        cache.set(address.backoff_key, state, timeout=BACKOFF_MAX_SECONDS * 2)

    def succeeded(self, address: OnvifAddress) -> None:
        cache.delete(address.backoff_key)


# --- sessions -----------------------------------------------------------------------------


@dataclass
class _Session:
    camera: ONVIFCamera
    ptz: Any
    profile_token: str
    config_token: str
    node_token: str
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    spaces: Spaces | None = None  # read with the capabilities, or at the first command that needs them


class _LoopThread:
    """One asyncio loop in a daemon thread, restarted in a forked child."""

    def __init__(self) -> None:
        self._pid = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._guard = threading.Lock()

    def loop(self) -> asyncio.AbstractEventLoop:
        with self._guard:
            if self._loop is None or self._pid != os.getpid():
                self._loop = asyncio.new_event_loop()
                self._pid = os.getpid()
                threading.Thread(target=self._loop.run_forever, name="onvif-loop", daemon=True).start()
            return self._loop

    @property
    def running(self) -> bool:
        return self._loop is not None and self._pid == os.getpid()

    def run(self, coroutine: Awaitable[T], timeout: float) -> T:
        future = asyncio.run_coroutine_threadsafe(asyncio.wait_for(coroutine, timeout), self.loop())
        try:
            return future.result(timeout + 1)
        except TimeoutError:
            future.cancel()
            raise


class OnvifAdapter:
    """Synchronous PTZ operations on cameras; see the module docstring."""

    def __init__(self, timeout: float | None = None, backoff: Backoff | None = None) -> None:
        self.timeout = float(timeout or settings.CCTV_ONVIF_TIMEOUT_SECONDS)
        self.backoff = backoff or Backoff()
        self._thread = _LoopThread()
        self._sessions: OrderedDict[OnvifAddress, _Session] = OrderedDict()
        self._opening: dict[OnvifAddress, asyncio.Lock] = {}

    # --- public operations ---

    def capabilities(self, address: OnvifAddress) -> PTZFeatures:
        return self._call(address, self._capabilities)

    def continuous_move(
        self, address: OnvifAddress, pan: float | None, tilt: float | None, zoom: float | None,
        timeout: float | None, still_wanted: Callable[[], bool] | None = None,
    ) -> bool:
        """Start moving; False when ``still_wanted`` said no once the camera was ours (nothing sent)."""
        request: dict[str, Any] = {"Timeout": dt.timedelta(seconds=timeout)} if timeout else {}
        operation = self._op("ContinuousMove", request, still_wanted, vectors={"Velocity": (pan, tilt, zoom)})
        return self._call(address, operation)

    def stop(self, address: OnvifAddress, pan_tilt: bool = True, zoom: bool = True) -> bool:
        operation = self._op("Stop", {"PanTilt": pan_tilt, "Zoom": zoom})
        return self._call(address, operation, despite_backoff=True)

    def relative_move(self, address: OnvifAddress, pan: float | None, tilt: float | None, zoom: float | None) -> bool:
        operation = self._op("RelativeMove", {}, vectors={"Translation": (pan, tilt, zoom)})
        return self._call(address, operation)

    def absolute_move(self, address: OnvifAddress, pan: float | None, tilt: float | None, zoom: float | None) -> bool:
        """Move to a position; a pan or tilt not given stays where the camera is (read from its status)."""
        return self._call(address, _absolute_move(pan, tilt, zoom, address.label))

    def goto_preset(self, address: OnvifAddress, token: str) -> bool:
        return self._call(address, self._op("GotoPreset", {"PresetToken": token}))

    def home(self, address: OnvifAddress) -> bool:
        return self._call(address, self._op("GotoHomePosition", {}))

    def remove_preset(self, address: OnvifAddress, token: str) -> bool:
        return self._call(address, self._op("RemovePreset", {"PresetToken": token}))

    def set_preset(self, address: OnvifAddress, name: str, token: str = "") -> str:
        request = {"PresetName": name, **({"PresetToken": token} if token else {})}
        reply = self._call(address, self._op("SetPreset", request, raw=True))
        token = str(pick(reply, "PresetToken") or reply or "").strip()
        if not token:
            raise OnvifFault(f"The camera at {address.label} saved the preset but sent no token.")
        return token

    def status(self, address: OnvifAddress) -> PTZStatus:
        return self._call(address, _status)

    def presets(self, address: OnvifAddress) -> list[DevicePreset]:
        reply = self._call(address, self._op("GetPresets", {}, raw=True))
        items = reply if isinstance(reply, list) else (pick(reply, "Preset") or [])
        return [
            DevicePreset(str(token), str(pick(item, "Name") or token), read_position(pick(item, "PTZPosition")))
            for item in items
            if (token := pick(item, "token"))
        ]

    def close(self) -> None:
        """Close every session (tests, worker shutdown)."""
        if not self._thread.running:
            return
        with contextlib.suppress(Exception):
            self._thread.run(self._close_sessions(), self.timeout)

    async def _close_sessions(self) -> None:
        sessions = list(self._sessions.values())
        self._sessions.clear()
        for session in sessions:
            await _close(session.camera)

    # --- machinery ---

    def _call(self, address: OnvifAddress, operation: Callable[[_Session], Awaitable[T]],
              despite_backoff: bool = False) -> T:
        """Run one operation on the camera's session; ``despite_backoff`` for Stop, which is always attempted."""
        address = pinned(address)  # DNS may have changed since the camera was saved
        if not despite_backoff:
            self.backoff.check(address)
        try:
            result = self._thread.run(self._with_session(address, operation), self.timeout)
        except Exception as exc:
            error = translate(exc, address.label, self.timeout)
            if isinstance(error, OnvifUnreachable | OnvifTimeout | OnvifAuthFailed):
                self.backoff.failed(address, error)
            raise error from exc
        self.backoff.succeeded(address)
        return result

    async def _with_session(self, address: OnvifAddress, operation: Callable[[_Session], Awaitable[T]]) -> T:
        try:
            session = await self._session(address)
            async with session.lock:  # one command at a time per camera, in arrival order
                return await operation(session)
        except BaseException as exc:
            # A SOAP fault leaves the session usable; anything else (timeout, lost
            # connection, refused login) starts afresh next time.
            if not isinstance(exc, zeep.exceptions.Fault) or isinstance(translate(exc, "", 0), OnvifAuthFailed):
                self._forget(address)
            raise

    def _op(self, name: str, request: dict[str, Any], still_wanted: Callable[[], bool] | None = None,
            raw: bool = False, vectors: dict[str, Vector] | None = None) -> Callable[[_Session], Awaitable[Any]]:
        """Send one PTZ operation; ``vectors`` ("Velocity": (pan, tilt, zoom), ...) name the chosen spaces."""
        async def run(session: _Session) -> Any:
            if still_wanted is not None and not still_wanted():
                return False
            spaced: dict[str, Any] = {}
            if vectors:
                spaces = await _spaces(session)
                spaced = {field: ptz_vector(*values, spaces, field) for field, values in vectors.items()}
            reply = await getattr(session.ptz, name)({"ProfileToken": session.profile_token, **request, **spaced})
            return reply if raw else True

        return run

    async def _session(self, address: OnvifAddress) -> _Session:
        session = self._sessions.get(address)
        if session is not None:
            self._sessions.move_to_end(address)
            return session
        opening = self._opening.setdefault(address, asyncio.Lock())
        async with opening:
            if address not in self._sessions:
                self._sessions[address] = await _open_session(address)
                await self._evict()
        return self._sessions[address]

    async def _evict(self) -> None:
        while len(self._sessions) > MAX_SESSIONS:
            _, old = self._sessions.popitem(last=False)
            await _close(old.camera)

    def _forget(self, address: OnvifAddress) -> None:
        """Drop a session; runs on the loop thread, which alone touches the session table."""
        session = self._sessions.pop(address, None)
        if session is not None:
            asyncio.ensure_future(_close(session.camera))

    async def _capabilities(self, session: _Session) -> PTZFeatures:
        ptz = session.ptz
        node = await _optional(ptz.GetNode({"NodeToken": session.node_token})) if session.node_token else None
        if node is None:
            node = first_of(await _optional(ptz.GetNodes()))
        options = await _optional(ptz.GetConfigurationOptions({"ConfigurationToken": session.config_token}))
        session.spaces = read_spaces(pick(options, "Spaces") or pick(node, "SupportedPTZSpaces"))
        features = read_features(session.spaces, node, pick(options, "PTZTimeout"), session.profile_token)
        if node is None and not features.presets:
            # No node description: presets work if the camera lists them.
            listed = await _optional(ptz.GetPresets({"ProfileToken": session.profile_token}))
            features = _with(features, presets=listed is not None)
        return _with(features, device=await _device_info(session.camera))


async def _spaces(session: _Session) -> Spaces:
    """The session's coordinate spaces, read from the configuration options (or the node) once."""
    if session.spaces is None:
        ptz = session.ptz
        options = await _optional(ptz.GetConfigurationOptions({"ConfigurationToken": session.config_token}))
        raw = pick(options, "Spaces")
        if raw is None:
            node = await _optional(ptz.GetNode({"NodeToken": session.node_token})) if session.node_token else None
            raw = pick(node or first_of(await _optional(ptz.GetNodes())), "SupportedPTZSpaces")
        session.spaces = read_spaces(raw)
    return session.spaces


async def _status(session: _Session) -> PTZStatus:
    """Position (in the chosen spaces: converted when the camera reports another), movement, error."""
    reply = await session.ptz.GetStatus({"ProfileToken": session.profile_token})
    status = pick(reply, "PTZStatus") or reply
    position = pick(status, "Position")
    spaces = await _spaces(session) if names_other_spaces(position) else session.spaces
    return PTZStatus(read_position(position, spaces), read_moving(pick(status, "MoveStatus")),
                     str(pick(status, "Error") or "")[:200])


def _absolute_move(pan: float | None, tilt: float | None, zoom: float | None,
                   where: str) -> Callable[[_Session], Awaitable[bool]]:
    async def run(session: _Session) -> bool:
        spaces = await _spaces(session)
        if (pan is None) != (tilt is None):  # under the session's lock: no other command moves it meanwhile
            pan_tilt = complete_pan_tilt(pan, tilt, (await _status(session)).position)
            if pan_tilt is None:
                raise OnvifNotSupported(f"The camera at {where} does not report its position, so an absolute "
                                        "move needs both pan and tilt.")
            position = ptz_vector(*pan_tilt, zoom, spaces, "Position")
        else:
            position = ptz_vector(pan, tilt, zoom, spaces, "Position")
        await session.ptz.AbsoluteMove({"ProfileToken": session.profile_token, "Position": position})
        return True

    return run


def _with(features: PTZFeatures, **changes: Any) -> PTZFeatures:
    return PTZFeatures(**{**features.__dict__, **changes})


async def _optional(call: Awaitable[Any]) -> Any:
    """The reply of a call a camera may not implement; None when it faults."""
    try:
        return await call
    except (zeep.exceptions.Fault, zeep.exceptions.TransportError, ONVIFError) as exc:
        if isinstance(translate(exc, "", 0), OnvifAuthFailed):
            raise
        return None


async def _device_info(camera: ONVIFCamera) -> dict[str, str]:
    devicemgmt = await camera.create_devicemgmt_service()
    info = await _optional(devicemgmt.GetDeviceInformation())
    fields = ("Manufacturer", "Model", "FirmwareVersion")
    return {name.lower(): str(value)[:100] for name in fields if (value := pick(info, name))}


class _SessionCamera(PinnedCamera, ClockedCamera):
    """A camera reached only at its checked address (``PinnedCamera``) whose clock is learned first."""


async def _open_session(address: OnvifAddress, clock: dt.timedelta | None = None) -> _Session:
    """Connect, discover the services, pick the first media profile with a PTZ configuration.

    Every request goes to the checked address (``cameras.ptz.onvif.target``). The
    camera's clock is learned first, so that it accepts the signed requests
    (``cameras.ptz.onvif.clock``); a refused login whose reply shows another clock
    is tried once more with that clock.
    """
    camera = _SessionCamera(address.connect_host or address.host, address.port, address.username,
                            address.password, clock=clock, no_cache=True)
    try:
        await camera.update_xaddrs()
        media = await camera.create_media_service()
        profiles = await media.GetProfiles()
        profile = next((p for p in profiles or [] if pick(p, "PTZConfiguration") is not None), None)
        if profile is None:
            raise OnvifNotSupported(f"The camera at {address.label} has no media profile with PTZ.")
        ptz = await camera.create_ptz_service()
    except BaseException as exc:
        await _close(camera)
        refusal = judge_refusal(camera, exc, address.label)
        if refusal is None:
            raise
        if refusal.retry_with is not None and clock is None:
            return await _open_session(address, refusal.retry_with)
        raise refusal.error from exc
    config = pick(profile, "PTZConfiguration")
    return _Session(camera, ptz, str(pick(profile, "token")), str(pick(config, "token") or ""),
                    str(pick(config, "NodeToken") or ""))


async def _parse_wsdls() -> None:
    """The library keeps parsed WSDLs for every later session; a throwaway client fills that cache."""
    wsdl_dir = os.path.join(os.path.dirname(onvif.__file__), "wsdl")
    for name in ("devicemgmt", "media", "ptz"):
        definition = SERVICES[name]
        binding = f"{{{definition['ns']}}}{definition['binding']}"
        service = ONVIFService("http://127.0.0.1/", "", "", os.path.join(wsdl_dir, definition["wsdl"]),
                               no_cache=True, binding_name=binding)
        await service.setup()
        await service.close()


async def _close(camera: ONVIFCamera) -> None:
    with contextlib.suppress(Exception):
        await camera.close()



_adapter: OnvifAdapter | None = None
_adapter_guard = threading.Lock()


def warm_up() -> None:
    """Parse the Device, Media and PTZ WSDLs now (about half a second) rather than in the first command.

    Runs on a throwaway event loop in the calling thread, so it may be called
    before a worker forks: the parsed documents are a module-level cache that
    every later session, in this process or its children, reuses.
    """
    asyncio.run(_parse_wsdls())


def close_adapter() -> None:
    """Close the process's sessions, if it opened any."""
    if _adapter is not None:
        _adapter.close()


def get_adapter() -> OnvifAdapter:
    """The process's adapter (its sessions are reused across tasks)."""
    global _adapter  # noqa: PLW0603
    with _adapter_guard:
        if _adapter is None:
            _adapter = OnvifAdapter()
        return _adapter
