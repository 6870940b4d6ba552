"""What the ONVIF adapter reads from cameras, and the liberal readers that get it out of replies.

Real cameras leave out optional fields, use other namespace prefixes or
answer a plain string where a structure is due: every reader here returns
``None`` (or ``False``) for what it cannot read, and never raises.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from cameras.ptz.vocabulary import MOTIONS, has_any_feature

Range = tuple[float, float]


@dataclass(frozen=True)
class PTZFeatures:
    """What a camera's PTZ can do, as read from its node and configuration options.

    The yes/no fields are ``cameras.ptz.vocabulary.PTZ_FEATURES``, as in ``PTZCapabilities``.
    """

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
        return has_any_feature(self)


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


def pick(obj: Any, *path: str) -> Any:
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


def first_of(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return value[0] if value else None
    return value


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _range(value: Any) -> Range | None:
    low, high = _float(pick(value, "Min")), _float(pick(value, "Max"))
    return (low, high) if low is not None and high is not None and low <= high else None


# --- coordinate spaces --------------------------------------------------------------------

ONVIF_SPACES = "http://www.onvif.org/ver10/tptz/"
# The generic (normalised) space of each kind, chosen whenever a camera offers it.
GENERIC_SPACES = {
    "AbsolutePanTiltPositionSpace": ONVIF_SPACES + "PanTiltSpaces/PositionGenericSpace",
    "AbsoluteZoomPositionSpace": ONVIF_SPACES + "ZoomSpaces/PositionGenericSpace",
    "RelativePanTiltTranslationSpace": ONVIF_SPACES + "PanTiltSpaces/TranslationGenericSpace",
    "RelativeZoomTranslationSpace": ONVIF_SPACES + "ZoomSpaces/TranslationGenericSpace",
    "ContinuousPanTiltVelocitySpace": ONVIF_SPACES + "PanTiltSpaces/VelocityGenericSpace",
    "ContinuousZoomVelocitySpace": ONVIF_SPACES + "ZoomSpaces/VelocityGenericSpace",
}
# The kinds of space of each vector a command carries: (pan/tilt, zoom).
VECTOR_SPACES = {
    "Position": ("AbsolutePanTiltPositionSpace", "AbsoluteZoomPositionSpace"),
    "Translation": ("RelativePanTiltTranslationSpace", "RelativeZoomTranslationSpace"),
    "Velocity": ("ContinuousPanTiltVelocitySpace", "ContinuousZoomVelocitySpace"),
}


def _same_uri(a: Any, b: Any) -> bool:
    return str(a or "").strip().rstrip("/").lower() == str(b or "").strip().rstrip("/").lower()


@dataclass(frozen=True)
class Space:
    uri: str
    x: Range
    y: Range | None = None


@dataclass(frozen=True)
class Spaces:
    """The coordinate space chosen for each kind (the generic one when offered, else the first), and all offered.

    Commands name the chosen space, and the ranges the portal shows and
    checks are the chosen space's, so neither depends on which space the
    camera falls back to for a command that names none.
    """

    chosen: dict[str, Space] = field(default_factory=dict)
    offered: dict[str, tuple[Space, ...]] = field(default_factory=dict)

    def uri(self, kind: str) -> str | None:
        space = self.chosen.get(kind)
        return space.uri if space is not None and space.uri else None

    def range(self, kind: str, axis: str = "x") -> Range | None:
        space = self.chosen.get(kind)
        return getattr(space, axis) if space is not None else None

    def convert(self, kind: str, uri: Any, value: float | None, axis: str = "x") -> float | None:
        """A value the camera reported in space ``uri`` of ``kind``, in the chosen space of that kind.

        Linear between the two spaces' ranges; None when the reported space is
        not one the camera offers (its units are unknown).
        """
        chosen = self.chosen.get(kind)
        if value is None or chosen is None or not uri or _same_uri(uri, chosen.uri):
            return value
        source = next((space for space in self.offered.get(kind, ()) if _same_uri(space.uri, uri)), None)
        source_range, target_range = getattr(source, axis, None), getattr(chosen, axis)
        if source_range is None or target_range is None or source_range[0] == source_range[1]:
            return None
        scale = (target_range[1] - target_range[0]) / (source_range[1] - source_range[0])
        return target_range[0] + (value - source_range[0]) * scale


def _read_space(item: Any) -> Space | None:
    x = _range(pick(item, "XRange"))
    return Space(str(pick(item, "URI") or "").strip(), x, _range(pick(item, "YRange"))) if x is not None else None


def read_spaces(spaces: Any) -> Spaces:
    """The spaces of a PTZConfigurationOptions ``Spaces`` or a node's ``SupportedPTZSpaces``."""
    offered = {
        kind: tuple(space for item in _as_list(pick(spaces, kind)) if (space := _read_space(item)) is not None)
        for kind in GENERIC_SPACES
    }
    chosen = {
        kind: next((space for space in items if _same_uri(space.uri, GENERIC_SPACES[kind])), items[0])
        for kind, items in offered.items()
        if items
    }
    return Spaces(chosen, offered)


def names_other_spaces(vector: Any) -> bool:
    """Whether a reported position names a space other than the generic ones (so it may need converting)."""
    named = [(pick(vector, "PanTilt", "space"), GENERIC_SPACES["AbsolutePanTiltPositionSpace"]),
             (pick(vector, "Zoom", "space"), GENERIC_SPACES["AbsoluteZoomPositionSpace"])]
    return any(uri and not _same_uri(uri, generic) for uri, generic in named)


def _seconds(value: Any) -> float | None:
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if hasattr(value, "totimedelta"):  # isodate.Duration
        return value.totimedelta(start=dt.datetime(2000, 1, 1)).total_seconds()  # noqa: DTZ001  (a length, not a time)
    return None


def read_position(vector: Any, spaces: Spaces | None = None) -> PTZPosition:
    """A reported position; with ``spaces``, in the chosen spaces whatever spaces the camera reported in."""
    pan, tilt = _float(pick(vector, "PanTilt", "x")), _float(pick(vector, "PanTilt", "y"))
    zoom = _float(pick(vector, "Zoom", "x"))
    if spaces is not None:
        pan_tilt_space, zoom_space = pick(vector, "PanTilt", "space"), pick(vector, "Zoom", "space")
        pan = spaces.convert("AbsolutePanTiltPositionSpace", pan_tilt_space, pan)
        tilt = spaces.convert("AbsolutePanTiltPositionSpace", pan_tilt_space, tilt, "y")
        zoom = spaces.convert("AbsoluteZoomPositionSpace", zoom_space, zoom)
    return PTZPosition(pan=pan, tilt=tilt, zoom=zoom)


def read_moving(move_status: Any) -> bool | None:
    """MOVING/IDLE per axis, or one plain string as some cameras send; None when absent or UNKNOWN."""
    if move_status is None:
        return None
    if isinstance(move_status, str):
        values = [move_status]
    else:
        values = [pick(move_status, "PanTilt"), pick(move_status, "Zoom")]
    states = {str(value).strip().upper() for value in values if value is not None}
    if "MOVING" in states:
        return True
    return False if "IDLE" in states else None


def read_features(spaces: Spaces, node: Any, timeouts: Any, profile_token: str) -> PTZFeatures:
    """What the PTZ can do; the ranges are those of the chosen spaces."""
    ranges = {
        "pan_velocity": spaces.range("ContinuousPanTiltVelocitySpace"),
        "tilt_velocity": spaces.range("ContinuousPanTiltVelocitySpace", "y"),
        "zoom_velocity": spaces.range("ContinuousZoomVelocitySpace"),
        "pan": spaces.range("AbsolutePanTiltPositionSpace"),
        "tilt": spaces.range("AbsolutePanTiltPositionSpace", "y"),
        "zoom": spaces.range("AbsoluteZoomPositionSpace"),
        "pan_translation": spaces.range("RelativePanTiltTranslationSpace"),
        "tilt_translation": spaces.range("RelativePanTiltTranslationSpace", "y"),
        "zoom_translation": spaces.range("RelativeZoomTranslationSpace"),
    }
    low, high = _seconds(pick(timeouts, "Min")), _seconds(pick(timeouts, "Max"))
    max_presets = int(_float(pick(node, "MaximumNumberOfPresets")) or 0)
    motions = {  # a kind of move is there when its space is: pan/tilt by the pan range, zoom by the zoom range
        feature: bool(ranges[axis + motion.range_suffix])
        for motion in MOTIONS.values()
        for feature, axis in ((motion.pan_tilt, "pan"), (motion.zoom, "zoom"))
    }
    return PTZFeatures(
        **motions,
        presets=max_presets > 0,
        home=pick(node, "HomeSupported") is True,
        max_presets=max_presets,
        ranges={name: value for name, value in ranges.items() if value is not None},
        timeout_range=(low, high) if low is not None and high is not None else None,
        profile_token=profile_token,
    )


def complete_pan_tilt(pan: float | None, tilt: float | None, current: PTZPosition) -> tuple[float, float] | None:
    """Pan and tilt of an absolute move that gave only one: the other stays where the camera is now.

    ONVIF moves pan and tilt together (a PanTilt vector has both x and y);
    None when the camera does not report the missing one.
    """
    pan = current.pan if pan is None else pan
    tilt = current.tilt if tilt is None else tilt
    return (pan, tilt) if pan is not None and tilt is not None else None


def ptz_vector(pan: float | None, tilt: float | None, zoom: float | None, spaces: Spaces | None = None,
               field: str = "") -> dict[str, Any]:
    """The ``field`` ("Position", "Translation", "Velocity") of a command, naming the chosen spaces.

    A missing pan or tilt is 0, which is right for a velocity or a
    translation (no motion along it) and wrong for a position: complete
    those first (``complete_pan_tilt``).
    """
    pan_tilt_kind, zoom_kind = VECTOR_SPACES.get(field, ("", ""))
    vector: dict[str, Any] = {}
    if pan is not None or tilt is not None:
        vector["PanTilt"] = _in_space({"x": pan or 0.0, "y": tilt or 0.0}, spaces, pan_tilt_kind)
    if zoom is not None:
        vector["Zoom"] = _in_space({"x": zoom}, spaces, zoom_kind)
    return vector


def _in_space(values: dict[str, float], spaces: Spaces | None, kind: str) -> dict[str, Any]:
    uri = spaces.uri(kind) if spaces is not None else None
    return {**values, "space": uri} if uri else values


# --- the camera's clock -------------------------------------------------------------------

_POSIX_OFFSET = r"[+-]?\d{1,2}(?::\d{1,2}){0,2}"
_POSIX_TZ = re.compile(
    rf"^\s*(?P<std><[^>]+>|[A-Za-z]{{3,}})(?P<std_offset>{_POSIX_OFFSET})"
    rf"(?:(?P<dst><[^>]+>|[A-Za-z]{{3,}})(?P<dst_offset>{_POSIX_OFFSET})?)?(?:,.*)?\s*$"
)


def _posix_west(text: str) -> dt.timedelta | None:
    """A POSIX TZ offset ("-1", "5", "-5:30"): how far the zone is west of Greenwich."""
    sign = -1 if text.startswith("-") else 1
    hours, minutes, seconds = ([int(part) for part in text.lstrip("+-").split(":")] + [0, 0])[:3]
    if hours > 24 or minutes > 59 or seconds > 59:
        return None
    return sign * dt.timedelta(hours=hours, minutes=minutes, seconds=seconds)


def utc_offset(time_zone: Any, daylight_savings: bool, local: dt.datetime | None = None) -> dt.timedelta | None:
    """How far local time is ahead of UTC in a camera's time zone; None when the zone cannot be read.

    ONVIF gives a POSIX TZ string ("CET-1CEST,M3.5.0,M10.5.0/3", where -1
    means one hour *east*). The camera's own DaylightSavings flag says
    whether summer time is on now, so the rules after the comma need not be
    worked out. Some cameras send an IANA name instead ("Europe/Berlin").
    """
    text = str(time_zone or "").strip()
    match = _POSIX_TZ.match(text)
    if match is None:
        return _iana_offset(text, local)
    west = _posix_west(match["std_offset"])
    if west is not None and daylight_savings and match["dst"]:
        # Summer time is one hour ahead of standard time unless the string says otherwise.
        west = _posix_west(match["dst_offset"]) if match["dst_offset"] else west - dt.timedelta(hours=1)
    return -west if west is not None else None


def _iana_offset(name: str, local: dt.datetime | None) -> dt.timedelta | None:
    if "/" not in name or local is None:
        return None
    try:
        return local.replace(tzinfo=zoneinfo.ZoneInfo(name)).utcoffset()
    except (ValueError, zoneinfo.ZoneInfoNotFoundError):
        return None


_DATE_TIME_PARTS = (("Date", "Year"), ("Date", "Month"), ("Date", "Day"),
                    ("Time", "Hour"), ("Time", "Minute"), ("Time", "Second"))


def _date_time(value: Any) -> dt.datetime | None:
    """A tt:DateTime (Date and Time parts) as a naive datetime; None when absent or impossible."""
    try:
        return dt.datetime(*(int(pick(value, *path)) for path in _DATE_TIME_PARTS))  # noqa: DTZ001  (the zone comes separately)
    except (TypeError, ValueError):
        return None


def read_device_time(reply: Any) -> dt.datetime | None:
    """The camera's clock (UTC) from a GetSystemDateAndTime reply; None when it cannot be told.

    UTCDateTime when present; else LocalDateTime with the reply's time zone
    (both are optional in the ONVIF schema).
    """
    utc = _date_time(pick(reply, "UTCDateTime"))
    if utc is not None:
        return utc.replace(tzinfo=dt.UTC)
    local = _date_time(pick(reply, "LocalDateTime"))
    if local is None:
        return None
    offset = utc_offset(pick(reply, "TimeZone", "TZ"), pick(reply, "DaylightSavings") is True, local)
    return (local - offset).replace(tzinfo=dt.UTC) if offset is not None else None
