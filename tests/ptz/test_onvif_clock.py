"""Reading a camera's clock: POSIX time zones, time replies without UTCDateTime, HTTP Date headers (pure functions)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from cameras.ptz.onvif.clock import Clock, offset_of_date, refusal_message
from cameras.ptz.onvif.replies import read_device_time, utc_offset


@pytest.mark.parametrize(
    ("zone", "summer", "hours"),
    [
        ("UTC0", False, 0),
        ("CET-1CEST,M3.5.0,M10.5.0/3", False, 1),
        ("CET-1CEST,M3.5.0,M10.5.0/3", True, 2),
        ("EST5EDT,M3.2.0,M11.1.0", True, -4),
        ("<+0530>-5:30", False, 5.5),
        ("NZST-12NZDT-13,M9.5.0,M4.1.0/3", True, 13),
        ("GMT+8", True, -8),  # POSIX: west of Greenwich; no summer time named
        ("Europe/Berlin", False, 1),  # an IANA name, as some cameras send (a January date below)
    ],
)
def test_time_zones(zone: str, summer: bool, hours: float) -> None:
    assert utc_offset(zone, summer, dt.datetime(2026, 1, 15, 12)) == dt.timedelta(hours=hours)  # noqa: DTZ001


@pytest.mark.parametrize("zone", ["", None, "nonsense", "CET-99", "Mars/Olympus"])
def test_unreadable_time_zones(zone: str | None) -> None:
    assert utc_offset(zone, False, dt.datetime(2026, 1, 15, 12)) is None  # noqa: DTZ001


def date_time(year: int, month: int, day: int, hour: int, minute: int, second: int) -> dict:
    return {"Date": {"Year": year, "Month": month, "Day": day}, "Time": {"Hour": hour, "Minute": minute,
                                                                         "Second": second}}


def test_utc_time_wins() -> None:
    reply = {"UTCDateTime": date_time(2026, 3, 1, 10, 0, 0), "LocalDateTime": date_time(2026, 3, 1, 11, 0, 0),
             "TimeZone": {"TZ": "CET-1"}}

    assert read_device_time(reply) == dt.datetime(2026, 3, 1, 10, 0, 0, tzinfo=dt.UTC)


def test_local_time_with_its_zone_and_summer_time() -> None:
    reply = SimpleNamespace(UTCDateTime=None, LocalDateTime=date_time(2026, 7, 1, 14, 30, 0), DaylightSavings=True,
                            TimeZone=SimpleNamespace(TZ="CET-1CEST,M3.5.0,M10.5.0/3"))

    assert read_device_time(reply) == dt.datetime(2026, 7, 1, 12, 30, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "reply",
    [None, {}, {"LocalDateTime": date_time(2026, 7, 1, 14, 30, 0)}, {"UTCDateTime": date_time(2026, 13, 1, 0, 0, 0)},
     {"UTCDateTime": {"Date": {"Year": "x"}}}],
    ids=["no-reply", "empty", "local-without-zone", "impossible-date", "garbled"],
)
def test_replies_without_a_usable_time(reply: object) -> None:
    assert read_device_time(reply) is None


def test_http_dates() -> None:
    in_an_hour = dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)

    offset = offset_of_date(in_an_hour.strftime("%a, %d %b %Y %H:%M:%S GMT"))

    assert offset is not None and abs(offset.total_seconds() - 3600) < 2
    assert offset_of_date(None) is None and offset_of_date("yesterday") is None


def test_refusal_messages() -> None:
    unknown = refusal_message("cam:80", Clock(None))
    behind = refusal_message("cam:80", Clock(dt.timedelta(minutes=-90)))
    close = refusal_message("cam:80", Clock(dt.timedelta(seconds=3)))

    assert "password may be wrong" in unknown and "clock may differ" in unknown
    assert behind.endswith("Its clock is 1 h 30 min behind the portal's, which the portal allowed for.")
    assert close == "The camera at cam:80 refused the ONVIF user name or password."
