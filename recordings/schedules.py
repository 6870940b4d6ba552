"""Weekly time windows ("Mon-Fri 18:00-07:00") for motion detection and notification rules.

A schedule is a list of windows ``{"days": [0..6], "start": "HH:MM", "end": "HH:MM"}``
(Monday is 0). A window whose end is not after its start runs past midnight
into the next day, and belongs to the day it starts on. An empty schedule
means always. Times are read in the camera's site time zone.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.core.exceptions import ValidationError

MAX_WINDOWS = 14
_TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _parse_time(value: Any, where: str) -> time:
    match = _TIME.match(value) if isinstance(value, str) else None
    if not match:
        raise ValidationError(f"{where}: write the time as HH:MM, from 00:00 to 23:59.")
    return time(int(match.group(1)), int(match.group(2)))


def clean_schedule(value: Any) -> list[dict[str, Any]]:
    """Check a schedule from a form or the API and return it in its stored form."""
    if value in (None, ""):
        return []
    if not isinstance(value, list):
        raise ValidationError("A schedule is a list of time windows.")
    if len(value) > MAX_WINDOWS:
        raise ValidationError(f"A schedule has at most {MAX_WINDOWS} windows.")
    cleaned = []
    for number, window in enumerate(value, start=1):
        where = f"Window {number}"
        if not isinstance(window, dict) or set(window) != {"days", "start", "end"}:
            raise ValidationError(f"{where}: give exactly days, start and end.")
        days = window["days"]
        if (not isinstance(days, list) or not days
                or not all(isinstance(d, int) and not isinstance(d, bool) and 0 <= d <= 6 for d in days)):
            raise ValidationError(f"{where}: days are numbers from 0 (Monday) to 6 (Sunday), at least one.")
        start, end = _parse_time(window["start"], where), _parse_time(window["end"], where)
        cleaned.append({"days": sorted(set(days)), "start": start.strftime("%H:%M"), "end": end.strftime("%H:%M")})
    return cleaned


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def is_active(schedule: list[dict[str, Any]], timezone_name: str, moment: datetime) -> bool:
    """Whether ``moment`` (aware) falls in one of the windows, read in the given time zone."""
    if not schedule:
        return True
    local = moment.astimezone(zone(timezone_name))
    clock = local.time().replace(second=0, microsecond=0)
    today, yesterday = local.weekday(), (local - timedelta(days=1)).weekday()
    for window in schedule:
        start, end = _parse_time(window["start"], ""), _parse_time(window["end"], "")
        if start < end:
            if today in window["days"] and start <= clock < end:
                return True
        elif (today in window["days"] and clock >= start) or (yesterday in window["days"] and clock < end):
            return True
    return False


def describe(schedule: list[dict[str, Any]]) -> str:
    """A short human description, e.g. "Mon Tue 18:00-07:00; Sat 00:00-00:00"."""
    if not schedule:
        return "Always"
    parts = []
    for window in schedule:
        days = " ".join(DAY_NAMES[d] for d in window["days"])
        parts.append(f"{days} {window['start']}-{window['end']}")
    return "; ".join(parts)
