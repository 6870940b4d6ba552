"""A small ONVIF PTZ camera for tests, benchmarks and the demo: SOAP 1.2 over HTTP.

It answers the Device, Media and PTZ operations the portal's adapter uses,
checks WS-Security UsernameToken credentials (PasswordDigest, and
PasswordText as some clients send), and keeps a pan/tilt/zoom position
that integrates the requested velocity over time, clamped to its ranges.
Continuous moves honour their ONVIF ``Timeout``. Presets are remembered.
Every request is recorded (operation, arrival time, parameters) so a test
can assert exactly what reached the camera.

Some behaviour of real cameras can be switched on (``DeviceOptions``) to
prove the adapter is liberal in what it accepts: other namespace prefixes,
replies without the optional fields, a device that ignores the move
timeout, a clock that is off (and a time query that needs a login, a time
reply without UTCDateTime or with a wrong one, no HTTP Date header), no
RemovePreset, service addresses (XAddrs) advertised on another host and
port, and several coordinate spaces per kind with the generic one not
first (the first being the default for requests that name no space).

With a motion file (``--motion-file``) it publishes what its mechanics are
doing (``Motion``) whenever a command changes it, for the demo's picture
renderer (``tests.support.ptz_picture``), which shows the view at that position.

    python -m tests.support.onvif_device --port 18080 --username admin --password secret
"""

from __future__ import annotations

import argparse
import base64
import email.utils
import hashlib
import hmac
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.etree import ElementTree as ET  # noqa: S405  (the device parses requests of its own tests)
from xml.sax.saxutils import escape, quoteattr

NS = {
    "env": "http://www.w3.org/2003/05/soap-envelope",
    "tds": "http://www.onvif.org/ver10/device/wsdl",
    "trt": "http://www.onvif.org/ver10/media/wsdl",
    "tptz": "http://www.onvif.org/ver20/ptz/wsdl",
    "tt": "http://www.onvif.org/ver10/schema",
    "ter": "http://www.onvif.org/ver10/error",
}
# What some vendors write instead: same namespaces, other prefixes.
VENDOR_PREFIXES = {"env": "SOAP-ENV", "tds": "ns1", "trt": "ns2", "tptz": "ns3", "tt": "ns4", "ter": "ns5"}
PASSWORD_DIGEST = "PasswordDigest"
SERVICE_PATHS = {"tds": "/onvif/device_service", "trt": "/onvif/media_service", "tptz": "/onvif/ptz_service"}
GENERIC = "http://www.onvif.org/ver10/tptz/"
SPACES = {
    "AbsolutePanTiltPositionSpace": (GENERIC + "PanTiltSpaces/PositionGenericSpace", (-1.0, 1.0), (-1.0, 1.0)),
    "AbsoluteZoomPositionSpace": (GENERIC + "ZoomSpaces/PositionGenericSpace", (0.0, 1.0), None),
    "RelativePanTiltTranslationSpace": (GENERIC + "PanTiltSpaces/TranslationGenericSpace", (-1.0, 1.0), (-1.0, 1.0)),
    "RelativeZoomTranslationSpace": (GENERIC + "ZoomSpaces/TranslationGenericSpace", (-1.0, 1.0), None),
    "ContinuousPanTiltVelocitySpace": (GENERIC + "PanTiltSpaces/VelocityGenericSpace", (-1.0, 1.0), (-1.0, 1.0)),
    "ContinuousZoomVelocitySpace": (GENERIC + "ZoomSpaces/VelocityGenericSpace", (-1.0, 1.0), None),
    "PanTiltSpeedSpace": (GENERIC + "PanTiltSpaces/GenericSpeedSpace", (0.0, 1.0), None),
    "ZoomSpeedSpace": (GENERIC + "ZoomSpaces/ZoomGenericSpeedSpace", (0.0, 1.0), None),
}
# With ``extra_spaces``: a non-generic space listed before the generic one of each kind, and used
# when a request names no space. Values map linearly between its ranges and the generic ones.
OTHER_SPACES = {
    "AbsolutePanTiltPositionSpace": (GENERIC + "PanTiltSpaces/SphericalPositionSpaceDegrees", (-180.0, 180.0),
                                     (-90.0, 90.0)),
    "AbsoluteZoomPositionSpace": ("http://www.example.com/ptz/ZoomSpaces/MagnificationSpace", (1.0, 30.0), None),
    "RelativePanTiltTranslationSpace": (GENERIC + "PanTiltSpaces/TranslationSpaceFov", (-100.0, 100.0),
                                        (-100.0, 100.0)),
    "RelativeZoomTranslationSpace": ("http://www.example.com/ptz/ZoomSpaces/MagnificationTranslationSpace",
                                     (-29.0, 29.0), None),
    "ContinuousPanTiltVelocitySpace": (GENERIC + "PanTiltSpaces/VelocitySpaceDegrees", (-60.0, 60.0), (-30.0, 30.0)),
    "ContinuousZoomVelocitySpace": ("http://www.example.com/ptz/ZoomSpaces/MagnificationVelocitySpace",
                                    (-10.0, 10.0), None),
}
# The kinds of space of each vector a request carries: (pan/tilt kind, zoom kind).
VECTOR_KINDS = {
    "Position": ("AbsolutePanTiltPositionSpace", "AbsoluteZoomPositionSpace"),
    "Translation": ("RelativePanTiltTranslationSpace", "RelativeZoomTranslationSpace"),
    "Velocity": ("ContinuousPanTiltVelocitySpace", "ContinuousZoomVelocitySpace"),
}
RANGES = {"pan": (-1.0, 1.0), "tilt": (-1.0, 1.0), "zoom": (0.0, 1.0)}
_DURATION_RE = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?$"
)


class Fault(Exception):
    """A SOAP fault to answer with: ``code`` is Sender or Receiver, ``subcodes`` are ter: names."""

    def __init__(self, code: str, subcodes: tuple[str, ...], reason: str) -> None:
        super().__init__(reason)
        self.code, self.subcodes, self.reason = code, subcodes, reason


def parse_duration(text: str) -> float:
    """Seconds of an xs:duration such as PT1.5S (days at most; months and years have no fixed length)."""
    match = _DURATION_RE.match(text.strip())
    if not match:
        raise Fault("Sender", ("InvalidArgVal",), f"Invalid duration {text[:40]!r}")
    parts = {key: float(value) for key, value in match.groupdict().items() if value}
    return parts.get("d", 0) * 86400 + parts.get("h", 0) * 3600 + parts.get("m", 0) * 60 + parts.get("s", 0)


# --- a tiny XML writer with a replaceable prefix map ----------------------------------


class X:
    """An element to write: ``X("tt:Name", "text", child, ..., attr=value)``."""

    def __init__(self, tag: str, *children: Any, **attrs: Any) -> None:
        self.tag, self.children, self.attrs = tag, children, attrs

    def write(self, prefixes: dict[str, str]) -> str:
        prefix, name = self.tag.split(":", 1)
        tag = f"{prefixes[prefix]}:{name}"
        attrs = "".join(f" {key}={quoteattr(_text(value))}" for key, value in self.attrs.items() if value is not None)
        inner = "".join(
            c.write(prefixes) if isinstance(c, X) else escape(_text(c)) for c in self.children if c is not None
        )
        return f"<{tag}{attrs}>{inner}</{tag}>"


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(round(value, 6))
    return str(value)


def envelope(body: X, prefixes: dict[str, str]) -> bytes:
    declarations = "".join(f' xmlns:{prefixes[key]}="{uri}"' for key, uri in NS.items())
    env = prefixes["env"]
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><{env}:Envelope{declarations}><{env}:Body>'
        f"{body.write(prefixes)}</{env}:Body></{env}:Envelope>"
    ).encode()


def fault_body(fault: Fault) -> X:
    subcode = None
    for name in reversed(fault.subcodes):
        subcode = X("env:Subcode", X("env:Value", f"ter:{name}"), subcode)
    return X(
        "env:Fault",
        X("env:Code", X("env:Value", f"env:{fault.code}"), subcode),
        X("env:Reason", X("env:Text", fault.reason, **{"xml:lang": "en"})),
    )


# --- reading requests, whatever prefixes the client chose -----------------------------


def local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def child(element: ET.Element | None, *path: str) -> ET.Element | None:
    """The first descendant along ``path`` by local names (namespaces ignored)."""
    for name in path:
        if element is None:
            return None
        element = next((c for c in element if local(c.tag) == name), None)
    return element


def text(element: ET.Element | None, *path: str) -> str | None:
    found = child(element, *path)
    return found.text.strip() if found is not None and found.text else None


def vector(element: ET.Element | None) -> dict[str, float]:
    """PanTilt x/y and Zoom x of a PTZVector or PTZSpeed as pan, tilt, zoom."""
    values: dict[str, float] = {}
    pan_tilt, zoom = child(element, "PanTilt"), child(element, "Zoom")
    try:
        if pan_tilt is not None:
            values["pan"], values["tilt"] = float(pan_tilt.get("x", "0")), float(pan_tilt.get("y", "0"))
        if zoom is not None:
            values["zoom"] = float(zoom.get("x", "0"))
    except ValueError:
        raise Fault("Sender", ("InvalidArgVal",), "Vector values must be numbers") from None
    return values


def vector_spaces(element: ET.Element | None) -> dict[str, str]:
    """The space each part of a PTZVector or PTZSpeed names: {"PanTilt": uri, "Zoom": uri}, when named."""
    spaces: dict[str, str] = {}
    for name in ("PanTilt", "Zoom"):
        part = child(element, name)
        if part is not None and part.get("space"):
            spaces[name] = part.get("space", "")
    return spaces


def map_range(value: float, source: tuple[float, float], target: tuple[float, float]) -> float:
    """A value of one coordinate space in another, linearly between their ranges."""
    if source == target:
        return value
    return target[0] + (value - source[0]) * (target[1] - target[0]) / (source[1] - source[0])


# --- the mechanics ---------------------------------------------------------------------


def _clamp(value: float, axis: str) -> float:
    low, high = RANGES[axis]
    return max(low, min(high, value))


@dataclass(frozen=True)
class Motion:
    """What the mechanics do: the position at ``since``, the velocity from then on, until ``deadline``.

    Times are ``time.monotonic()``, which on Linux is CLOCK_MONOTONIC, one clock for every
    process of the machine: another process can evaluate a published motion at its own now.
    """

    position: dict[str, float]
    velocity: dict[str, float]
    speed: float
    since: float
    deadline: float | None

    def position_at(self, now: float) -> dict[str, float]:
        until = now if self.deadline is None else min(now, self.deadline)
        elapsed = max(0.0, until - self.since)
        return {axis: _clamp(value + self.velocity[axis] * self.speed * elapsed, axis)
                for axis, value in self.position.items()}


def write_motion(path: str, motion: Motion) -> None:
    """Publish a motion for other processes: JSON, replaced in one step so a reader never sees half."""
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "w", encoding="utf-8") as file:
        json.dump(asdict(motion), file)
    os.replace(temporary, path)


def read_motion(path: str) -> Motion | None:
    """The motion a device published at ``path``, or None when there is none (yet)."""
    try:
        with open(path, "rb") as file:
            return parse_motion(file.read())
    except OSError:
        return None


def parse_motion(raw: bytes) -> Motion | None:
    """A published motion from the file's bytes, or None when they are not one."""
    try:
        return Motion(**json.loads(raw))
    except (ValueError, TypeError):
        return None


@dataclass
class Preset:
    token: str
    name: str
    position: dict[str, float]


class PTZMechanics:
    """Position integrated from velocity over time; thread-safe.

    ``on_change`` is called with the new ``Motion`` after every command (under the lock, so
    calls come in the order of the changes).
    """

    def __init__(self, speed: float = 1.0, honour_timeout: bool = True,
                 on_change: Callable[[Motion], None] | None = None) -> None:
        self.speed = speed  # position units per second at velocity 1
        self.honour_timeout = honour_timeout
        self.on_change = on_change
        self.position = {"pan": 0.0, "tilt": 0.0, "zoom": 0.0}
        self.velocity = {"pan": 0.0, "tilt": 0.0, "zoom": 0.0}
        self.deadline: float | None = None
        self.since = time.monotonic()
        self.lock = threading.Lock()

    def motion(self) -> Motion:
        return Motion(dict(self.position), dict(self.velocity), self.speed, self.since, self.deadline)

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change(self.motion())

    def _advance(self, now: float) -> None:
        self.position = self.motion().position_at(now)
        self.since = now
        if self.deadline is not None and now >= self.deadline:
            self.velocity = dict.fromkeys(self.velocity, 0.0)
            self.deadline = None

    def continuous(self, velocity: dict[str, float], timeout: float | None) -> None:
        with self.lock:
            now = time.monotonic()
            self._advance(now)
            for axis in ("pan", "tilt", "zoom"):
                self.velocity[axis] = max(-1.0, min(1.0, velocity.get(axis, 0.0)))
            self.deadline = now + timeout if timeout is not None and self.honour_timeout else None
            self._changed()

    def stop(self, pan_tilt: bool = True, zoom: bool = True) -> None:
        with self.lock:
            self._advance(time.monotonic())
            axes = (["pan", "tilt"] if pan_tilt else []) + (["zoom"] if zoom else [])
            for axis in axes:
                self.velocity[axis] = 0.0
            if not any(self.velocity.values()):
                self.deadline = None
            self._changed()

    def jump(self, target: dict[str, float], relative: bool = False) -> None:
        """Absolute and relative moves, presets and home: arrive at once (and stop moving)."""
        with self.lock:
            self._advance(time.monotonic())
            self.velocity = dict.fromkeys(self.velocity, 0.0)
            self.deadline = None
            for axis, value in target.items():
                self.position[axis] = _clamp(self.position[axis] + value if relative else value, axis)
            self._changed()

    def snapshot(self) -> tuple[dict[str, float], dict[str, bool]]:
        with self.lock:
            self._advance(time.monotonic())
            moving = {
                "pan_tilt": bool(self.velocity["pan"] or self.velocity["tilt"]),
                "zoom": bool(self.velocity["zoom"]),
            }
            return dict(self.position), moving


# --- the device ------------------------------------------------------------------------


@dataclass
class Request:
    operation: str
    service: str
    at: float  # time.time()
    perf: float  # time.perf_counter(), for latency measurements in the same process
    params: dict[str, Any]
    authenticated: bool


@dataclass
class DeviceOptions:
    username: str = "admin"
    password: str = "onvif-test-password"  # noqa: S105  (a test device's default login)
    speed: float = 1.0
    honour_timeout: bool = True
    vendor_prefixes: bool = False
    minimal_replies: bool = False  # leave out what the specifications let a device leave out
    max_presets: int = 32
    home_supported: bool = True
    clock_offset: float = 0.0  # seconds the device's clock is ahead
    max_clock_skew: float = 300.0
    time_needs_auth: bool = False  # GetSystemDateAndTime refused without a login, as some firmwares do
    # What the time reply holds: "utc" (UTCDateTime), "local" (LocalDateTime only) or "none" (neither);
    # the ONVIF schema makes both optional.
    time_reply: str = "utc"
    time_zone: str = "UTC0"  # the POSIX TZ string of the time reply
    local_offset: float = 0.0  # seconds its local time is ahead of UTC (what time_zone and daylight_savings say)
    daylight_savings: bool = False
    reported_time_error: float = 0.0  # seconds its time reply is off its own clock (local time written as UTC)
    http_date: bool = True  # a Date header (its own clock) on every reply, as HTTP servers send
    # RemovePreset: "yes", "not_supported" (ActionNotSupported fault) or "refused" (another fault)
    remove_presets: str = "yes"
    advertised_host: str = ""  # the host its service addresses (XAddrs) name instead of its own
    advertised_port: int = 0
    extra_spaces: bool = False  # a non-generic space first for each kind (see OTHER_SPACES)
    motion_file: str = ""  # where to publish its Motion (for the demo's picture); "" publishes nothing


class OnvifDevice:
    """The simulated camera. ``start()`` serves it on a loopback port in a background thread."""

    profile_token = "profile_main"
    config_token = "ptz_config_1"
    node_token = "ptz_node_1"

    def __init__(self, host: str = "127.0.0.1", port: int = 0, **options: Any) -> None:
        self.options = DeviceOptions(**options)
        publish = (lambda motion: write_motion(self.options.motion_file, motion)) if self.options.motion_file else None
        self.mechanics = PTZMechanics(self.options.speed, self.options.honour_timeout, publish)
        if publish is not None:
            publish(self.mechanics.motion())  # at home, before any command
        self.presets: dict[str, Preset] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._preset_counter = 0
        self._server = _Server((host, port), _Handler)
        self._server.device = self
        self._thread: threading.Thread | None = None

    # --- life cycle and inspection ---

    @property
    def host(self) -> str:
        return self._server.server_address[0]

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def prefixes(self) -> dict[str, str]:
        return VENDOR_PREFIXES if self.options.vendor_prefixes else {key: key for key in NS}

    def start(self) -> OnvifDevice:
        self._thread = threading.Thread(target=self._server.serve_forever, name="onvif-device", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def operations(self, authenticated_only: bool = True) -> list[str]:
        with self._lock:
            return [r.operation for r in self.requests if r.authenticated or not authenticated_only]

    def received(self, operation: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.operation == operation]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()

    def wait_for(self, operation: str, count: int = 1, timeout: float = 5.0) -> list[Request]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.received(operation)
            if len(found) >= count:
                return found
            time.sleep(0.01)
        raise TimeoutError(f"{operation} x{count} did not reach the device in {timeout} s: {self.operations()}")

    def position(self) -> dict[str, float]:
        return self.mechanics.snapshot()[0]

    def moving(self) -> bool:
        return any(self.mechanics.snapshot()[1].values())

    # --- request handling ---

    def handle(self, body: bytes, arrived: float, perf: float) -> tuple[int, bytes]:
        try:
            root = ET.fromstring(body)  # noqa: S314  (requests come from our own tests)
        except ET.ParseError:
            return 400, envelope(fault_body(Fault("Sender", ("WellFormed",), "Not well-formed XML")), self.prefixes)
        request = child(root, "Body")
        operation = request[0] if request is not None and len(request) else None
        if operation is None:
            return 400, envelope(fault_body(Fault("Sender", ("InvalidArgs",), "Empty body")), self.prefixes)
        name, service = local(operation.tag), _service_of(operation.tag)
        authenticated = self._authenticated(child(root, "Header"))
        with self._lock:
            self.requests.append(Request(name, service, arrived, perf, _params(operation), authenticated))
        try:
            if not authenticated and (name != "GetSystemDateAndTime" or self.options.time_needs_auth):
                raise Fault("Sender", ("NotAuthorized",), "Sender not Authorized")
            reply = self._dispatch(service, name, operation)
        except Fault as fault:
            status = 400 if fault.code == "Sender" else 500
            return status, envelope(fault_body(fault), self.prefixes)
        return 200, envelope(reply, self.prefixes)

    def http_headers(self) -> dict[str, str]:
        """Headers of every reply besides the content ones."""
        if not self.options.http_date:
            return {}
        return {"Date": email.utils.formatdate(time.time() + self.options.clock_offset, usegmt=True)}

    def _authenticated(self, header: ET.Element | None) -> bool:
        token = child(header, "Security", "UsernameToken")
        if token is None:
            return False
        password = child(token, "Password")
        if text(token, "Username") != self.options.username or password is None:
            return False
        given = (password.text or "").strip()
        if password.get("Type", "").endswith(PASSWORD_DIGEST):
            return self._digest_ok(given, text(token, "Nonce") or "", text(token, "Created") or "")
        return hmac.compare_digest(given, self.options.password)

    def _digest_ok(self, given: str, nonce: str, created: str) -> bool:
        try:
            raw_nonce = base64.b64decode(nonce)
            created_at = datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            return False
        device_now = time.time() + self.options.clock_offset
        if abs(created_at.timestamp() - device_now) > self.options.max_clock_skew:
            return False
        expected = base64.b64encode(
            hashlib.sha1(raw_nonce + created.encode() + self.options.password.encode()).digest()  # noqa: S324  (WS-Security's digest)
        ).decode()
        return hmac.compare_digest(given, expected)

    def _dispatch(self, service: str, name: str, operation: ET.Element) -> X:
        handler: Callable[[ET.Element], X] | None = getattr(self, f"op_{service}_{name}", None)
        if handler is None:
            raise Fault("Receiver", ("ActionNotSupported",), f"{name} is not supported by this device")
        return handler(operation)

    # --- Device service ---

    def op_tds_GetSystemDateAndTime(self, _: ET.Element) -> X:  # noqa: N802  (ONVIF operation names)
        options = self.options
        now = datetime.fromtimestamp(time.time() + options.clock_offset + options.reported_time_error, tz=UTC)
        utc = _date_time("tt:UTCDateTime", now) if options.time_reply == "utc" else None
        local_now = now + timedelta(seconds=options.local_offset)
        local = _date_time("tt:LocalDateTime", local_now) if options.time_reply == "local" else None
        time_zone = None if options.minimal_replies else X("tt:TimeZone", X("tt:TZ", options.time_zone))
        return X(
            "tds:GetSystemDateAndTimeResponse",
            X("tds:SystemDateAndTime", X("tt:DateTimeType", "Manual"),
              X("tt:DaylightSavings", options.daylight_savings), time_zone, utc, local),
        )

    def op_tds_GetDeviceInformation(self, _: ET.Element) -> X:  # noqa: N802
        fields = [("Manufacturer", "CCTV Portal tests"), ("Model", "Simulated PTZ"), ("FirmwareVersion", "1.0"),
                  ("SerialNumber", f"SIM-{self.port}"), ("HardwareId", "sim-ptz")]
        return X("tds:GetDeviceInformationResponse", *(X(f"tds:{key}", value) for key, value in fields))

    def op_tds_GetServices(self, _: ET.Element) -> X:  # noqa: N802
        services = [
            X("tds:Service", X("tds:Namespace", NS[key]), X("tds:XAddr", self._xaddr(key)),
              X("tds:Version", X("tt:Major", 2), X("tt:Minor", 60)))
            for key in ("tds", "trt", "tptz")
        ]
        return X("tds:GetServicesResponse", *services)

    def op_tds_GetCapabilities(self, _: ET.Element) -> X:  # noqa: N802
        streaming = X("tt:StreamingCapabilities", X("tt:RTPMulticast", False), X("tt:RTP_TCP", True),
                      X("tt:RTP_RTSP_TCP", True))
        return X(
            "tds:GetCapabilitiesResponse",
            X(
                "tds:Capabilities",
                X("tt:Device", X("tt:XAddr", self._xaddr("tds"))),
                X("tt:Media", X("tt:XAddr", self._xaddr("trt")), streaming),
                X("tt:PTZ", X("tt:XAddr", self._xaddr("tptz"))),
            ),
        )

    def _xaddr(self, key: str) -> str:
        host = self.options.advertised_host or self.host
        host = f"[{host}]" if ":" in host else host
        return f"http://{host}:{self.options.advertised_port or self.port}{SERVICE_PATHS[key]}"

    # --- Media service ---

    def op_trt_GetProfiles(self, _: ET.Element) -> X:  # noqa: N802
        sub = X("trt:Profiles", X("tt:Name", "Sub stream (no PTZ)"), token="profile_sub", fixed=True)
        main = X("trt:Profiles", X("tt:Name", "Main stream"), self._ptz_configuration(), token=self.profile_token,
                 fixed=True)
        return X("trt:GetProfilesResponse", sub, main)

    def _ptz_configuration(self) -> X:
        parts = [X("tt:Name", "PTZ"), X("tt:UseCount", 1), X("tt:NodeToken", self.node_token)]
        if not self.options.minimal_replies:
            parts.append(X("tt:DefaultPTZTimeout", "PT5S"))
        return X("tt:PTZConfiguration", *parts, token=self.config_token)

    def op_trt_GetStreamUri(self, _: ET.Element) -> X:  # noqa: N802
        return X(
            "trt:GetStreamUriResponse",
            X("trt:MediaUri", X("tt:Uri", f"rtsp://{self.host}:554/main"), X("tt:InvalidAfterConnect", False),
              X("tt:InvalidAfterReboot", False), X("tt:Timeout", "PT0S")),
        )

    # --- PTZ service ---

    def _profile(self, operation: ET.Element) -> None:
        if text(operation, "ProfileToken") != self.profile_token:
            raise Fault("Sender", ("InvalidArgVal", "NoProfile"), "The requested profile token does not exist")

    def _space_list(self, kind: str) -> list[tuple[str, tuple[float, float], tuple[float, float] | None]]:
        """The spaces of one kind it offers, its default (for requests that name none) first."""
        if self.options.extra_spaces and kind in OTHER_SPACES:
            return [OTHER_SPACES[kind], SPACES[kind]]
        return [SPACES[kind]]

    def _spaces(self, tag: str) -> X:
        elements = []
        for name in SPACES:
            for uri, x_range, y_range in self._space_list(name):
                ranges = [X("tt:XRange", X("tt:Min", x_range[0]), X("tt:Max", x_range[1]))]
                if y_range is not None:
                    ranges.append(X("tt:YRange", X("tt:Min", y_range[0]), X("tt:Max", y_range[1])))
                elements.append(X(f"tt:{name}", X("tt:URI", uri), *ranges))
        return X(tag, *elements)

    def _generic(self, operation: ET.Element, field: str) -> dict[str, float]:
        """A request's vector in the generic spaces, from the space it names (or the default one)."""
        element = child(operation, field)
        values, named = vector(element), vector_spaces(element)
        result: dict[str, float] = {}
        for part, axes, kind in (("PanTilt", ("pan", "tilt"), VECTOR_KINDS[field][0]),
                                 ("Zoom", ("zoom",), VECTOR_KINDS[field][1])):
            if axes[0] not in values:
                continue
            _, x_range, y_range = self._space_named(kind, named.get(part))
            _, generic_x, generic_y = SPACES[kind]
            for axis, own, generic in zip(axes, (x_range, y_range), (generic_x, generic_y), strict=False):
                result[axis] = map_range(values[axis], own or generic or (-1.0, 1.0), generic or (-1.0, 1.0))
        return result

    def _space_named(self, kind: str, uri: str | None) -> tuple[str, tuple[float, float], tuple[float, float] | None]:
        offered = self._space_list(kind)
        if uri is None:
            return offered[0]
        for space in offered:
            if space[0] == uri:
                return space
        raise Fault("Sender", ("InvalidArgVal", "SpaceNotSupported"), f"{kind} {uri[:80]} is not supported")

    def op_tptz_GetNodes(self, _: ET.Element) -> X:  # noqa: N802
        return X("tptz:GetNodesResponse", self._node("tptz:PTZNode"))

    def op_tptz_GetNode(self, operation: ET.Element) -> X:  # noqa: N802
        if text(operation, "NodeToken") != self.node_token:
            raise Fault("Sender", ("InvalidArgVal", "NoEntity"), "No such PTZ node")
        return X("tptz:GetNodeResponse", self._node("tptz:PTZNode"))

    def _node(self, tag: str) -> X:
        name = None if self.options.minimal_replies else X("tt:Name", "PTZ node")
        return X(
            tag, name, self._spaces("tt:SupportedPTZSpaces"),
            X("tt:MaximumNumberOfPresets", self.options.max_presets),
            X("tt:HomeSupported", self.options.home_supported),
            token=self.node_token,
        )

    def op_tptz_GetConfigurationOptions(self, operation: ET.Element) -> X:  # noqa: N802
        if text(operation, "ConfigurationToken") != self.config_token:
            raise Fault("Sender", ("InvalidArgVal", "NoConfig"), "No such PTZ configuration")
        return X(
            "tptz:GetConfigurationOptionsResponse",
            X("tptz:PTZConfigurationOptions", self._spaces("tt:Spaces"),
              X("tt:PTZTimeout", X("tt:Min", "PT1S"), X("tt:Max", "PT60S"))),
        )

    def op_tptz_ContinuousMove(self, operation: ET.Element) -> X:  # noqa: N802
        self._profile(operation)
        timeout = text(operation, "Timeout")
        self.mechanics.continuous(self._generic(operation, "Velocity"), parse_duration(timeout) if timeout else None)
        return X("tptz:ContinuousMoveResponse")

    def op_tptz_Stop(self, operation: ET.Element) -> X:  # noqa: N802
        self._profile(operation)
        pan_tilt, zoom = text(operation, "PanTilt"), text(operation, "Zoom")
        self.mechanics.stop(pan_tilt != "false", zoom != "false")
        return X("tptz:StopResponse")

    def op_tptz_RelativeMove(self, operation: ET.Element) -> X:  # noqa: N802
        self._profile(operation)
        self.mechanics.jump(self._generic(operation, "Translation"), relative=True)
        return X("tptz:RelativeMoveResponse")

    def op_tptz_AbsoluteMove(self, operation: ET.Element) -> X:  # noqa: N802
        self._profile(operation)
        target = self._generic(operation, "Position")
        for axis, value in target.items():
            low, high = RANGES[axis]
            if not low <= value <= high:
                raise Fault("Sender", ("InvalidArgVal", "InvalidPosition"), f"{axis} is outside its range")
        self.mechanics.jump(target)
        return X("tptz:AbsoluteMoveResponse")

    def op_tptz_GetStatus(self, operation: ET.Element) -> X:  # noqa: N802
        self._profile(operation)
        position, moving = self.mechanics.snapshot()
        parts = [self._position("tt:Position", position)]
        if not self.options.minimal_replies:
            parts.append(X("tt:MoveStatus", X("tt:PanTilt", "MOVING" if moving["pan_tilt"] else "IDLE"),
                           X("tt:Zoom", "MOVING" if moving["zoom"] else "IDLE")))
        parts.append(X("tt:UtcTime", datetime.now(tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")))
        return X("tptz:GetStatusResponse", X("tptz:PTZStatus", *parts))

    def _position(self, tag: str, position: dict[str, float]) -> X:
        """A position in its default spaces (the first offered), naming them."""
        pan_tilt = self._space_list("AbsolutePanTiltPositionSpace")[0]
        zoom = self._space_list("AbsoluteZoomPositionSpace")[0]
        _, generic_x, generic_y = SPACES["AbsolutePanTiltPositionSpace"]
        generic_zoom = SPACES["AbsoluteZoomPositionSpace"][1]
        return X(
            tag,
            X("tt:PanTilt", x=map_range(position["pan"], generic_x, pan_tilt[1]),
              y=map_range(position["tilt"], generic_y or generic_x, pan_tilt[2] or pan_tilt[1]), space=pan_tilt[0]),
            X("tt:Zoom", x=map_range(position["zoom"], generic_zoom, zoom[1]), space=zoom[0]),
        )

    def op_tptz_GetPresets(self, operation: ET.Element) -> X:  # noqa: N802
        self._profile(operation)
        with self._lock:
            presets = list(self.presets.values())
        return X(
            "tptz:GetPresetsResponse",
            *(X("tptz:Preset", X("tt:Name", p.name), self._position("tt:PTZPosition", p.position), token=p.token)
              for p in presets),
        )

    def op_tptz_SetPreset(self, operation: ET.Element) -> X:  # noqa: N802
        self._profile(operation)
        name, token = text(operation, "PresetName"), text(operation, "PresetToken")
        position = self.position()
        with self._lock:
            if token and token not in self.presets:
                raise Fault("Sender", ("InvalidArgVal", "NoToken"), "No preset with this token")
            if name and any(p.name == name and p.token != token for p in self.presets.values()):
                raise Fault("Sender", ("InvalidArgVal", "PresetExist"), "A preset with this name exists")
            if not token and len(self.presets) >= self.options.max_presets:
                raise Fault("Receiver", ("Action", "TooManyPresets"), "No room for another preset")
            if not token:
                self._preset_counter += 1
                token = f"preset_{self._preset_counter}"
            self.presets[token] = Preset(token, name or token, position)
        return X("tptz:SetPresetResponse", X("tptz:PresetToken", token))

    def op_tptz_RemovePreset(self, operation: ET.Element) -> X:  # noqa: N802
        self._profile(operation)
        if self.options.remove_presets == "not_supported":
            raise Fault("Receiver", ("ActionNotSupported",), "Optional Action Not Implemented")
        if self.options.remove_presets == "refused":
            raise Fault("Receiver", ("Action",), "The preset is part of a patrol tour")
        with self._lock:
            if self.presets.pop(text(operation, "PresetToken") or "", None) is None:
                raise Fault("Sender", ("InvalidArgVal", "NoToken"), "No preset with this token")
        return X("tptz:RemovePresetResponse")

    def op_tptz_GotoPreset(self, operation: ET.Element) -> X:  # noqa: N802
        self._profile(operation)
        with self._lock:
            preset = self.presets.get(text(operation, "PresetToken") or "")
        if preset is None:
            raise Fault("Sender", ("InvalidArgVal", "NoToken"), "No preset with this token")
        self.mechanics.jump(preset.position)
        return X("tptz:GotoPresetResponse")

    def op_tptz_GotoHomePosition(self, operation: ET.Element) -> X:  # noqa: N802
        self._profile(operation)
        if not self.options.home_supported:
            raise Fault("Receiver", ("Action", "NoHomePosition"), "No home position")
        self.mechanics.jump({"pan": 0.0, "tilt": 0.0, "zoom": 0.0})
        return X("tptz:GotoHomePositionResponse")


def _date_time(tag: str, moment: datetime) -> X:
    return X(
        tag,
        X("tt:Time", X("tt:Hour", moment.hour), X("tt:Minute", moment.minute), X("tt:Second", moment.second)),
        X("tt:Date", X("tt:Year", moment.year), X("tt:Month", moment.month), X("tt:Day", moment.day)),
    )


def _service_of(tag: str) -> str:
    namespace = tag[1:].split("}", 1)[0] if tag.startswith("{") else ""
    return next((key for key, uri in NS.items() if uri == namespace), "")


def _params(operation: ET.Element) -> dict[str, Any]:
    """What a test may want to check about a request: top-level values and vectors."""
    params: dict[str, Any] = {}
    for element in operation:
        name = local(element.tag)
        params[name] = vector(element) if len(element) else (element.text or "").strip()
        if len(element) and (spaces := vector_spaces(element)):
            params[name + "Spaces"] = spaces
    return params


# --- HTTP ----------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    device: OnvifDevice


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Replies go out in one write; no Nagle delay on a keep-alive connection.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_POST(self) -> None:  # noqa: N802  (http.server's naming)
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        device = self.server.device
        status, reply = device.handle(body, time.time(), time.perf_counter())
        reason = {200: "OK", 400: "Bad Request", 500: "Internal Server Error"}[status]
        extra = "".join(f"{name}: {value}\r\n" for name, value in device.http_headers().items())
        head = (
            f"HTTP/1.1 {status} {reason}\r\n{extra}Content-Type: application/soap+xml; charset=utf-8\r\n"
            f"Content-Length: {len(reply)}\r\n\r\n"
        ).encode()
        self.wfile.write(head + reply)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        """Quiet: tests read ``device.requests`` instead."""


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve a simulated ONVIF PTZ camera.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=18080)
    parser.add_argument("--username", default="admin")
    parser.add_argument("--password", default=DeviceOptions.password)
    parser.add_argument("--clock-offset", type=float, default=0.0, help="seconds its clock is ahead")
    parser.add_argument("--time-needs-auth", action="store_true", help="refuse the time query without a login")
    parser.add_argument("--time-reply", choices=("utc", "local", "none"), default="utc")
    parser.add_argument("--remove-presets", choices=("yes", "not_supported", "refused"), default="yes")
    parser.add_argument("--extra-spaces", action="store_true", help="a non-generic coordinate space first")
    parser.add_argument("--motion-file", default="", metavar="PATH",
                        help="publish its position and movement there (python -m tests.support.ptz_picture reads it)")
    args = parser.parse_args()
    device = OnvifDevice(args.host, args.port, username=args.username, password=args.password,
                         clock_offset=args.clock_offset, time_needs_auth=args.time_needs_auth,
                         time_reply=args.time_reply, remove_presets=args.remove_presets,
                         extra_spaces=args.extra_spaces, motion_file=args.motion_file)
    print(f"ONVIF PTZ device on http://{device.host}:{device.port}/onvif/device_service", flush=True)  # noqa: T201
    try:
        device._server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        device._server.server_close()


if __name__ == "__main__":
    main()
