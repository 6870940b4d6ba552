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


def _space_range(spaces: Any, name: str, axis: str = "XRange") -> Range | None:
    space = first_of(pick(spaces, name))
    low, high = _float(pick(space, axis, "Min")), _float(pick(space, axis, "Max"))
    return (low, high) if low is not None and high is not None and low <= high else None


def _seconds(value: Any) -> float | None:
    if isinstance(value, dt.timedelta):
        return value.total_seconds()
    if hasattr(value, "totimedelta"):  # isodate.Duration
        return value.totimedelta(start=dt.datetime(2000, 1, 1)).total_seconds()  # noqa: DTZ001  (a length, not a time)
    return None


def read_position(vector: Any) -> PTZPosition:
    return PTZPosition(
        pan=_float(pick(vector, "PanTilt", "x")),
        tilt=_float(pick(vector, "PanTilt", "y")),
        zoom=_float(pick(vector, "Zoom", "x")),
    )


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
    low, high = _seconds(pick(timeouts, "Min")), _seconds(pick(timeouts, "Max"))
    max_presets = int(_float(pick(node, "MaximumNumberOfPresets")) or 0)
    return PTZFeatures(
        continuous_pan_tilt=bool(ranges["pan_velocity"]),
        continuous_zoom=bool(ranges["zoom_velocity"]),
        relative_pan_tilt=bool(ranges["pan_translation"]),
        relative_zoom=bool(ranges["zoom_translation"]),
        absolute_pan_tilt=bool(ranges["pan"]),
        absolute_zoom=bool(ranges["zoom"]),
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


def ptz_vector(pan: float | None, tilt: float | None, zoom: float | None) -> dict[str, Any]:
    """A PTZVector or PTZSpeed. A missing pan or tilt is 0, which is right for a velocity or a
    translation (no motion along it) and wrong for a position: complete those first."""
    vector: dict[str, Any] = {}
    if pan is not None or tilt is not None:
        vector["PanTilt"] = {"x": pan or 0.0, "y": tilt or 0.0}
    if zoom is not None:
        vector["Zoom"] = {"x": zoom}
    return vector


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
