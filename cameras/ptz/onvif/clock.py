"""The camera's clock, so that it accepts the portal's signed (WS-Security) requests.

A camera refuses a request whose signed ``Created`` time is too far from its
own clock (from a few seconds to five minutes, by make) and says only "not
authorized". So a session first learns how far the camera's clock is from
the portal's, taking the first of these that works:

1. its time reply, asked without a login as ONVIF allows: UTCDateTime, else
   LocalDateTime with its POSIX time zone (``replies.read_device_time``);
2. the HTTP ``Date`` header of its replies, refusals included (``ReplyDates``):
   the way to a camera that answers its time only after a login;
3. its time reply asked with a login signed with the portal's clock (fine
   when the clocks are close);
4. else no adjustment.

A login refused even so, by a camera whose refusal carries a Date showing
another clock than the one the requests were signed for (firmware that
writes local time into UTCDateTime exists), is tried once more with that
clock (``judge_refusal``). A refusal that stays is explained: a wrong user
name or password, or, when the camera's time could not be learned, possibly
the clocks.
"""

from __future__ import annotations

import datetime as dt
import email.utils
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import zeep.exceptions
from onvif import ONVIFCamera, ONVIFService
from zeep import Plugin

from cameras.ptz.onvif.errors import OnvifAuthFailed, is_login_refusal
from cameras.ptz.onvif.replies import read_device_time

# Clocks closer than this agree (Date headers have whole seconds).
TOLERANCE = dt.timedelta(seconds=5)


@dataclass(frozen=True)
class Clock:
    """How far the camera's clock is ahead of the portal's (None: unknown), and where that was read."""

    offset: dt.timedelta | None
    source: str = ""


def offset_of_date(value: str | None) -> dt.timedelta | None:
    """The offset an HTTP Date header shows (``Fri, 04 Dec 2026 15:20:13 GMT``); None when absent or unreadable."""
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:  # "-0000": UTC, origin unknown
        moment = moment.replace(tzinfo=dt.UTC)
    return moment - dt.datetime.now(dt.UTC)


class ReplyDates(Plugin):
    """A zeep plugin noting the camera's clock from the Date header of every reply it reads, faults included."""

    def __init__(self) -> None:
        self.offset: dt.timedelta | None = None

    def ingress(self, envelope: Any, http_headers: Any, operation: Any) -> tuple[Any, Any]:
        offset = offset_of_date(http_headers.get("Date") if http_headers is not None else None)
        if offset is not None:
            self.offset = offset
        return envelope, http_headers


async def _time_reply(call: Callable[[], Awaitable[Any]]) -> Any:
    """A time reply, or None when the camera refused or garbled it (an unreachable camera still raises)."""
    try:
        return await call()
    except zeep.exceptions.Error:
        return None


async def read_clock(devicemgmt: ONVIFService, dates: ReplyDates) -> Clock:
    """Steps 1 to 4 of the module docstring."""
    reply = await _time_reply(devicemgmt.authless_GetSystemDateAndTime)
    if reply is None and dates.offset is None:
        # Only with a login, and no Date header to go by: signed with the portal's clock.
        reply = await _time_reply(devicemgmt.GetSystemDateAndTime)
    device_now = read_device_time(reply)
    if device_now is not None:
        return Clock(device_now - dt.datetime.now(dt.UTC), "its time reply")
    if dates.offset is not None:
        return Clock(dates.offset, "the Date header of its replies")
    return Clock(None)


class ClockedCamera(ONVIFCamera):
    """``ONVIFCamera`` whose ``adjust_time`` step is ``read_clock`` (or a clock given by the caller).

    The library calls ``_adjust_time`` once per ``update_xaddrs``; every
    service created afterwards signs with ``dt_diff``.
    """

    def __init__(self, host: str, port: int, user: str, passwd: str, *, clock: dt.timedelta | None = None,
                 **kwargs: Any) -> None:
        super().__init__(host, port, user, passwd, adjust_time=True, **kwargs)
        self.reply_dates = ReplyDates()
        self.given_clock = clock
        self.clock = Clock(clock, "the Date header of its refusal") if clock is not None else Clock(None)

    async def create_onvif_service(self, name: str, *args: Any, **kwargs: Any) -> ONVIFService:
        service = await super().create_onvif_service(name, *args, **kwargs)
        for client in (service.zeep_client, service.zeep_client_authless):
            if client is not None and self.reply_dates not in client.plugins:
                client.plugins.append(self.reply_dates)
        return service

    async def _adjust_time(self, devicemgmt: ONVIFService) -> ONVIFService:
        if self.given_clock is None:
            self.clock = await read_clock(devicemgmt, self.reply_dates)
        if self.clock.offset is None:
            return devicemgmt
        self.dt_diff = self.clock.offset
        # A service signs with the offset it was created with: make the device service again.
        await devicemgmt.close()
        self.services.pop(devicemgmt.binding_key, None)
        return await self.create_devicemgmt_service()


@dataclass(frozen=True)
class Refusal:
    """A refused login: the error to show, or a clock to try once more with."""

    error: OnvifAuthFailed
    retry_with: dt.timedelta | None = None


def judge_refusal(camera: ClockedCamera, exc: BaseException, where: str) -> Refusal | None:
    """What a failed session opening means, if the camera refused the login; None for other failures."""
    if not is_login_refusal(exc):
        return None
    seen, signed_for = camera.reply_dates.offset, camera.clock.offset or dt.timedelta(0)
    retry = seen if seen is not None and abs(seen - signed_for) > TOLERANCE else None
    return Refusal(OnvifAuthFailed(refusal_message(where, camera.clock)), retry)


def refusal_message(where: str, clock: Clock) -> str:
    if clock.offset is None:
        return (
            f"The camera at {where} refused the ONVIF login. The user name or password may be wrong, or the "
            "camera's clock may differ from the portal's by more than it accepts: it did not tell its time, so "
            "the portal could not allow for it. Check both (a camera set to NTP keeps its clock right)."
        )
    message = f"The camera at {where} refused the ONVIF user name or password."
    seconds = clock.offset.total_seconds()
    if abs(seconds) >= 60:
        direction = "ahead of" if seconds > 0 else "behind"
        message += f" Its clock is {_length(abs(seconds))} {direction} the portal's, which the portal allowed for."
    return message


def _length(seconds: float) -> str:
    minutes = round(seconds / 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes} min"
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
