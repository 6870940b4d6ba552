"""The one ONVIF client: PTZ over onvif-zeep-async.

``OnvifAdapter`` owns the device sessions of its process (one per camera
address, with the media profile and PTZ configuration tokens cached),
applies a timeout to every call, and turns whatever the library or the
camera throws into one of the typed errors below, whose ``retryable`` flag
says whether trying again can help. A camera that keeps failing is backed
off for a while (shared through the cache, so every worker agrees) instead
of being hammered; only Stop is always attempted.

onvif-zeep-async is asyncio-only while Celery tasks are plain functions, and
a session (aiohttp connections, parsed WSDLs) must live on one event loop.
So the adapter runs one loop in a daemon thread per process and the public
methods are synchronous: they hand a coroutine to that loop and wait.

Replies are read liberally: real cameras leave out optional fields, use
other namespace prefixes or answer a plain string where a structure is due.
Values the adapter cannot read become ``None``, never a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
import hashlib
import logging
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import aiohttp
import onvif
import zeep.exceptions
from django.conf import settings
from django.core.cache import cache
from onvif import ONVIFCamera, ONVIFService
from onvif.definition import SERVICES
from onvif.exceptions import ONVIFAuthError, ONVIFError, ONVIFTimeoutError

from cameras.sources import scrub

logger = logging.getLogger(__name__)
T = TypeVar("T")

MAX_SESSIONS = 64
BACKOFF_AFTER_FAILURES = 2
BACKOFF_BASE_SECONDS = 2.0
BACKOFF_MAX_SECONDS = 60.0


class PTZCommand(enum.StrEnum):
    CAPABILITIES = "capabilities"
    MOVE = "move"
    STOP = "stop"
    RELATIVE = "relative"
    ABSOLUTE = "absolute"
    STATUS = "status"
    PRESETS = "presets"
    SET_PRESET = "set_preset"
    REMOVE_PRESET = "remove_preset"
    GOTO_PRESET = "goto_preset"
    HOME = "home"


# --- errors ------------------------------------------------------------------------------


class OnvifError(Exception):
    """Base of the adapter's errors; the message is safe to show (no credentials)."""

    retryable = False

    def __init__(self, message: str) -> None:
        super().__init__(scrub(message))


class OnvifUnreachable(OnvifError):
    """No connection to the camera (refused, no route, reset)."""

    retryable = True


class OnvifTimeout(OnvifError):
    """The camera did not answer in time."""

    retryable = True


class OnvifBackedOff(OnvifError):
    """The camera failed repeatedly; the adapter leaves it alone for ``retry_after`` seconds."""

    retryable = True

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class OnvifAuthFailed(OnvifError):
    """The camera refused the ONVIF user name or password."""


class OnvifNotSupported(OnvifError):
    """The camera has no PTZ, or not this operation."""


class OnvifFault(OnvifError):
    """The camera answered with a SOAP fault or a reply that cannot be read."""


# --- values ------------------------------------------------------------------------------


@dataclass(frozen=True)
class OnvifAddress:
    """Where and how to reach a camera's ONVIF device service."""

    host: str
    port: int
    username: str = ""
    password: str = field(default="", repr=False)

    @classmethod
    def of(cls, camera: Any) -> OnvifAddress:
        return cls(camera.onvif_host, int(camera.onvif_port), camera.onvif_username or "",
                   camera.onvif_password or "")

    @property
    def label(self) -> str:
        return f"{self.host}:{self.port}"

    @property
    def backoff_key(self) -> str:
        return "onvif:backoff:" + hashlib.sha256(self.label.encode()).hexdigest()[:24]


Range = tuple[float, float]


@dataclass(frozen=True)
class PTZFeatures:
    """What a camera's PTZ can do, as read from its node and configuration options."""

    continuous_pan_tilt: bool = False
    continuous_zoom: bool = False
    relative_pan_tilt: bool = False
    relative_zoom: bool = False
    absolute_pan_tilt: bool = False
    absolute_zoom: bool = False
    presets: bool = False
    home: bool = False
    max_presets: int = 0
    ranges: dict[str, Range] = field(default_factory=dict)
    timeout_range: Range | None = None
    profile_token: str = ""
    device: dict[str, str] = field(default_factory=dict)

    @property
    def supported(self) -> bool:
        return any((self.continuous_pan_tilt, self.continuous_zoom, self.relative_pan_tilt, self.relative_zoom,
                    self.absolute_pan_tilt, self.absolute_zoom, self.presets, self.home))


@dataclass(frozen=True)
class PTZPosition:
    pan: float | None = None
    tilt: float | None = None
    zoom: float | None = None


@dataclass(frozen=True)
class PTZStatus:
    position: PTZPosition
    moving: bool | None  # None: the camera does not say
    error: str = ""


@dataclass(frozen=True)
class DevicePreset:
    token: str
    name: str
    position: PTZPosition | None = None


# --- liberal readers ----------------------------------------------------------------------


def _get(obj: Any, *path: str) -> Any:
    """Follow attribute (or key) names; any missing step gives None."""
    for name in path:
        if obj is None:
            return None
        obj = obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)
    return obj


def _float(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _first(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return value[0] if value else None
    return value


def _space_range(spaces: Any, name: str, axis: str = "XRange") -> Range | None:
    space = _first(_get(spaces, name))
    low, high = _float(_get(space, axis, "Min")), _float(_get(space, axis, "Max"))
    return (low, high) if low is not None and high is not None and low <= high else None


def _seconds(value: Any) -> float | None:
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if hasattr(value, "totimedelta"):  # isodate.Duration
        return value.totimedelta(start=dt.datetime(2000, 1, 1)).total_seconds()  # noqa: DTZ001  (a length, not a time)
    return None


def read_position(vector: Any) -> PTZPosition:
    return PTZPosition(
        pan=_float(_get(vector, "PanTilt", "x")),
        tilt=_float(_get(vector, "PanTilt", "y")),
        zoom=_float(_get(vector, "Zoom", "x")),
    )


def read_moving(move_status: Any) -> bool | None:
    """MOVING/IDLE per axis, or one plain string as some cameras send; None when absent or UNKNOWN."""
    if move_status is None:
        return None
    if isinstance(move_status, str):
        values = [move_status]
    else:
        values = [_get(move_status, "PanTilt"), _get(move_status, "Zoom")]
    states = {str(value).strip().upper() for value in values if value is not None}
    if "MOVING" in states:
        return True
    return False if "IDLE" in states else None


def read_features(spaces: Any, node: Any, timeouts: Any, profile_token: str) -> PTZFeatures:
    ranges = {
        "pan_velocity": _space_range(spaces, "ContinuousPanTiltVelocitySpace"),
        "tilt_velocity": _space_range(spaces, "ContinuousPanTiltVelocitySpace", "YRange"),
        "zoom_velocity": _space_range(spaces, "ContinuousZoomVelocitySpace"),
        "pan": _space_range(spaces, "AbsolutePanTiltPositionSpace"),
        "tilt": _space_range(spaces, "AbsolutePanTiltPositionSpace", "YRange"),
        "zoom": _space_range(spaces, "AbsoluteZoomPositionSpace"),
        "pan_translation": _space_range(spaces, "RelativePanTiltTranslationSpace"),
        "tilt_translation": _space_range(spaces, "RelativePanTiltTranslationSpace", "YRange"),
        "zoom_translation": _space_range(spaces, "RelativeZoomTranslationSpace"),
    }
    low, high = _seconds(_get(timeouts, "Min")), _seconds(_get(timeouts, "Max"))
    max_presets = int(_float(_get(node, "MaximumNumberOfPresets")) or 0)
    return PTZFeatures(
        continuous_pan_tilt=bool(ranges["pan_velocity"]),
        continuous_zoom=bool(ranges["zoom_velocity"]),
        relative_pan_tilt=bool(ranges["pan_translation"]),
        relative_zoom=bool(ranges["zoom_translation"]),
        absolute_pan_tilt=bool(ranges["pan"]),
        absolute_zoom=bool(ranges["zoom"]),
        presets=max_presets > 0,
        home=_get(node, "HomeSupported") is True,
        max_presets=max_presets,
        ranges={name: value for name, value in ranges.items() if value is not None},
        timeout_range=(low, high) if low is not None and high is not None else None,
        profile_token=profile_token,
    )


def _vector(pan: float | None, tilt: float | None, zoom: float | None) -> dict[str, Any]:
    vector: dict[str, Any] = {}
    if pan is not None or tilt is not None:
        vector["PanTilt"] = {"x": pan or 0.0, "y": tilt or 0.0}
    if zoom is not None:
        vector["Zoom"] = {"x": zoom}
    return vector


# --- error translation --------------------------------------------------------------------


def _fault_names(fault: zeep.exceptions.Fault) -> set[str]:
    names = {str(fault.code or "").rsplit(":", 1)[-1]}
    for subcode in fault.subcodes or []:
        names.add(getattr(subcode, "localname", None) or str(subcode).rsplit(":", 1)[-1].rsplit("}", 1)[-1])
    return {name.lower() for name in names if name}


AUTH_WORDS = ("notauthorized", "not authorized", "unauthorized", "authority failure", "authentication")


def translate(exc: BaseException, where: str, timeout: float) -> OnvifError:
    """One of the typed errors for anything the library, the network or the camera raised."""
    if isinstance(exc, OnvifError):
        return exc
    if isinstance(exc, TimeoutError | asyncio.TimeoutError | ONVIFTimeoutError | aiohttp.ServerTimeoutError):
        return OnvifTimeout(f"The camera at {where} did not answer within {timeout:g} s.")
    if isinstance(exc, ONVIFAuthError):
        return OnvifAuthFailed(f"The camera at {where} refused the ONVIF user name or password.")
    if isinstance(exc, aiohttp.ClientConnectionError | ConnectionError | OSError):
        return OnvifUnreachable(f"Cannot connect to the camera at {where} ({type(exc).__name__}).")
    if isinstance(exc, zeep.exceptions.Fault):
        return _translate_fault(exc, where)
    if isinstance(exc, zeep.exceptions.TransportError):
        return _translate_http(exc.status_code, where)
    if isinstance(exc, zeep.exceptions.Error | ValueError | TypeError | AttributeError):
        return OnvifFault(f"The camera at {where} sent a reply that could not be read.")
    if isinstance(exc, ONVIFError):
        return _translate_library_error(exc, where, timeout)
    logger.warning("unexpected ONVIF failure at %s", where, exc_info=exc)
    return OnvifFault(f"The camera at {where} failed: {type(exc).__name__}.")


def _translate_fault(fault: zeep.exceptions.Fault, where: str) -> OnvifError:
    names = _fault_names(fault)
    message = str(fault.message or "").strip()
    text = " ".join([*names, message.lower()])
    if any(word in text for word in AUTH_WORDS):
        return OnvifAuthFailed(f"The camera at {where} refused the ONVIF user name or password.")
    if "actionnotsupported" in names or "not supported" in text or "nohomeposition" in names:
        return OnvifNotSupported(f"The camera at {where} does not support this: {message[:120]}")
    return OnvifFault(f"The camera at {where} refused the command: {message[:160] or 'SOAP fault'}")


def _translate_http(status: int | None, where: str) -> OnvifError:
    if status in (401, 403):
        return OnvifAuthFailed(f"The camera at {where} refused the ONVIF user name or password.")
    if status == 404:
        return OnvifNotSupported(f"The camera at {where} has no such ONVIF service (HTTP 404).")
    if status is not None and status >= 500:
        return OnvifUnreachable(f"The camera at {where} failed with HTTP {status}.")
    return OnvifFault(f"The camera at {where} answered HTTP {status}.")


def _translate_library_error(exc: ONVIFError, where: str, timeout: float) -> OnvifError:
    cause = exc.__cause__
    if cause is not None and not isinstance(cause, ONVIFError):
        return translate(cause, where, timeout)
    if "support" in str(exc).lower():
        return OnvifNotSupported(f"The camera at {where} has no PTZ service.")
    return OnvifFault(f"The camera at {where} failed: {str(exc)[:160]}")


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
            state["until"] = time.time() + min(BACKOFF_BASE_SECONDS * 2**over, BACKOFF_MAX_SECONDS)
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
        return self._call(address, PTZCommand.CAPABILITIES, self._capabilities)

    def continuous_move(
        self, address: OnvifAddress, pan: float | None, tilt: float | None, zoom: float | None,
        timeout: float | None, still_wanted: Callable[[], bool] | None = None,
    ) -> bool:
        """Start moving; False when ``still_wanted`` said no once the camera was ours (nothing sent)."""
        request: dict[str, Any] = {"Velocity": _vector(pan, tilt, zoom)}
        if timeout:
            request["Timeout"] = dt.timedelta(seconds=timeout)
        return self._call(address, PTZCommand.MOVE, self._op("ContinuousMove", request, still_wanted))

    def stop(self, address: OnvifAddress, pan_tilt: bool = True, zoom: bool = True) -> bool:
        return self._call(address, PTZCommand.STOP, self._op("Stop", {"PanTilt": pan_tilt, "Zoom": zoom}))

    def relative_move(self, address: OnvifAddress, pan: float | None, tilt: float | None, zoom: float | None) -> bool:
        request = {"Translation": _vector(pan, tilt, zoom)}
        return self._call(address, PTZCommand.RELATIVE, self._op("RelativeMove", request))

    def absolute_move(self, address: OnvifAddress, pan: float | None, tilt: float | None, zoom: float | None) -> bool:
        request = {"Position": _vector(pan, tilt, zoom)}
        return self._call(address, PTZCommand.ABSOLUTE, self._op("AbsoluteMove", request))

    def goto_preset(self, address: OnvifAddress, token: str) -> bool:
        return self._call(address, PTZCommand.GOTO_PRESET, self._op("GotoPreset", {"PresetToken": token}))

    def home(self, address: OnvifAddress) -> bool:
        return self._call(address, PTZCommand.HOME, self._op("GotoHomePosition", {}))

    def remove_preset(self, address: OnvifAddress, token: str) -> bool:
        return self._call(address, PTZCommand.REMOVE_PRESET, self._op("RemovePreset", {"PresetToken": token}))

    def set_preset(self, address: OnvifAddress, name: str, token: str = "") -> str:
        request = {"PresetName": name, **({"PresetToken": token} if token else {})}
        reply = self._call(address, PTZCommand.SET_PRESET, self._op("SetPreset", request, raw=True))
        token = str(_get(reply, "PresetToken") or reply or "").strip()
        if not token:
            raise OnvifFault(f"The camera at {address.label} saved the preset but sent no token.")
        return token

    def status(self, address: OnvifAddress) -> PTZStatus:
        reply = self._call(address, PTZCommand.STATUS, self._op("GetStatus", {}, raw=True))
        status = _get(reply, "PTZStatus") or reply
        return PTZStatus(read_position(_get(status, "Position")), read_moving(_get(status, "MoveStatus")),
                         str(_get(status, "Error") or "")[:200])

    def presets(self, address: OnvifAddress) -> list[DevicePreset]:
        reply = self._call(address, PTZCommand.PRESETS, self._op("GetPresets", {}, raw=True))
        items = reply if isinstance(reply, list) else (_get(reply, "Preset") or [])
        return [
            DevicePreset(str(token), str(_get(item, "Name") or token), read_position(_get(item, "PTZPosition")))
            for item in items
            if (token := _get(item, "token"))
        ]

    def warm_up(self) -> None:
        """Parse the Device, Media and PTZ WSDLs now rather than during the first command."""
        self._thread.run(_parse_wsdls(), timeout=60)

    def close(self) -> None:
        """Close every session (tests, worker shutdown)."""
        with contextlib.suppress(Exception):
            self._thread.run(self._close_sessions(), self.timeout)

    async def _close_sessions(self) -> None:
        sessions = list(self._sessions.values())
        self._sessions.clear()
        for session in sessions:
            await _close(session.camera)

    # --- machinery ---

    def _call(self, address: OnvifAddress, command: PTZCommand, operation: Callable[[_Session], Awaitable[T]]) -> T:
        if command != PTZCommand.STOP:  # a Stop is always attempted
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
            raw: bool = False) -> Callable[[_Session], Awaitable[Any]]:
        async def run(session: _Session) -> Any:
            if still_wanted is not None and not still_wanted():
                return False
            reply = await getattr(session.ptz, name)({"ProfileToken": session.profile_token, **request})
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
            node = _first(await _optional(ptz.GetNodes()))
        options = await _optional(ptz.GetConfigurationOptions({"ConfigurationToken": session.config_token}))
        spaces = _get(options, "Spaces") or _get(node, "SupportedPTZSpaces")
        features = read_features(spaces, node, _get(options, "PTZTimeout"), session.profile_token)
        if node is None and not features.presets:
            # No node description: presets work if the camera lists them.
            listed = await _optional(ptz.GetPresets({"ProfileToken": session.profile_token}))
            features = _with(features, presets=listed is not None)
        return _with(features, device=await _device_info(session.camera))


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
    return {name.lower(): str(value)[:100] for name in fields if (value := _get(info, name))}


async def _open_session(address: OnvifAddress) -> _Session:
    """Connect, discover the services, pick the first media profile with a PTZ configuration."""
    # adjust_time: cameras with a wrong clock still accept our WS-Security timestamps.
    camera = ONVIFCamera(address.host, address.port, address.username, address.password, adjust_time=True,
                         no_cache=True)
    try:
        await camera.update_xaddrs()
        media = await camera.create_media_service()
        profiles = await media.GetProfiles()
        profile = next((p for p in profiles or [] if _get(p, "PTZConfiguration") is not None), None)
        if profile is None:
            raise OnvifNotSupported(f"The camera at {address.label} has no media profile with PTZ.")
        ptz = await camera.create_ptz_service()
    except BaseException:
        await _close(camera)
        raise
    config = _get(profile, "PTZConfiguration")
    return _Session(camera, ptz, str(_get(profile, "token")), str(_get(config, "token") or ""),
                    str(_get(config, "NodeToken") or ""))


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


def get_adapter() -> OnvifAdapter:
    """The process's adapter (its sessions are reused across tasks)."""
    global _adapter  # noqa: PLW0603
    with _adapter_guard:
        if _adapter is None:
            _adapter = OnvifAdapter()
        return _adapter
