"""Pure decisions about clips: expiry, quota, stuck rows. No database, no clock.

Every function takes the values it decides on (``now`` included), so the
rules are tested without a database and reused by services and tasks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Allowance on top of a clip's length for connecting to the gateway, waiting
# for a keyframe and writing the file into storage.
RECORDING_MARGIN = timedelta(minutes=2)
# A clip is "live": one that waited this long for a worker is no longer wanted.
QUEUED_TIMEOUT = timedelta(minutes=30)


def expiry(created_at: datetime, retention_days: int) -> datetime:
    return created_at + timedelta(days=retention_days)


def is_expired(expires_at: datetime, now: datetime) -> bool:
    return expires_at <= now


def expired_if_created_by(now: datetime, retention_days: int) -> datetime:
    """Anything created at or before this has expired by ``now`` (``expiry`` solved for the creation time)."""
    return now - timedelta(days=retention_days)


def recording_deadline(started_at: datetime, duration: int) -> datetime:
    """When a recording that started at ``started_at`` must be finished at the latest."""
    return started_at + timedelta(seconds=duration) + RECORDING_MARGIN


def stuck_if_started_before(now: datetime, duration: int) -> datetime:
    """A recording of ``duration`` seconds that started before this is past its deadline at ``now``."""
    return now - timedelta(seconds=duration) - RECORDING_MARGIN


def work_seconds(duration: int, *, is_range: bool) -> int:
    """How long a worker may hold a clip: a live clip records for its length; a range export only cuts
    footage that exists (stream copy runs at hundreds of times real time; this allows 20x)."""
    return 60 + duration // 20 if is_range else duration


def is_stuck(status: str, *, created_at: datetime, started_at: datetime | None, duration: int, now: datetime) -> bool:
    """A row no live worker will ever finish: recording past its deadline, or queued far too long."""
    if status == "recording":
        return started_at is None or recording_deadline(started_at, duration) < now
    if status == "queued":
        return created_at + QUEUED_TIMEOUT < now
    return False


def stuck_reason(status: str) -> str:
    if status == "queued":
        return "No recording worker picked the clip up in time; request it again."
    return "The recording stopped before the clip was finished (the worker ended); request it again."


def estimate_bytes(duration: int, bytes_per_second: int) -> int:
    return duration * bytes_per_second


@dataclass(frozen=True)
class QuotaDecision:
    allowed: bool
    message: str = ""


def check_quota(*, used: int, pending: int, requested: int, cap: int | None) -> QuotaDecision:
    """Whether a new clip of ``requested`` (estimated) bytes fits under ``cap``.

    ``used`` counts stored clips, ``pending`` the estimates of clips still
    being recorded. No cap means always allowed; at or over the cap nothing
    more is allowed, whatever its size.
    """
    if cap is None:
        return QuotaDecision(True)
    if used >= cap:
        return QuotaDecision(
            False,
            f"Your organization's clip storage is full ({human_bytes(used)} of {human_bytes(cap)}). "
            "Delete clips or ask an administrator to raise the cap.",
        )
    if used + pending + requested > cap:
        free = max(cap - used - pending, 0)
        return QuotaDecision(
            False,
            f"This clip (about {human_bytes(requested)}) would exceed your organization's clip storage cap: "
            f"{human_bytes(free)} of {human_bytes(cap)} left. Record a shorter clip or delete some.",
        )
    return QuotaDecision(True)


def human_bytes(value: int) -> str:
    size = float(value)
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1000:
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1000
    return f"{size:.1f} TB"
