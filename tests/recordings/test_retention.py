"""The pure clip decisions: expiry, stuck rows, quota; no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from recordings.clips import retention

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_a_clip_expires_its_retention_period_after_it_was_requested() -> None:
    expires = retention.expiry(NOW, 30)
    assert expires == NOW + timedelta(days=30)
    assert not retention.is_expired(expires, NOW + timedelta(days=29, hours=23))
    assert retention.is_expired(expires, expires)


@pytest.mark.parametrize(
    ("started_ago", "duration", "stuck"),
    [
        (timedelta(seconds=30), 10, False),  # still within its length
        (timedelta(seconds=10) + retention.RECORDING_MARGIN, 10, False),  # exactly at the deadline
        (timedelta(seconds=11) + retention.RECORDING_MARGIN, 10, True),  # past it: the worker died
        (timedelta(minutes=20), 1800, False),  # a long clip still recording
    ],
)
def test_recording_is_stuck_only_past_length_plus_margin(started_ago: timedelta, duration: int, stuck: bool) -> None:
    started = NOW - started_ago
    assert retention.is_stuck("recording", created_at=started, started_at=started, duration=duration, now=NOW) is stuck


@pytest.mark.parametrize("duration", [1, 10, 1800])
def test_the_sweepers_cutoff_agrees_with_is_stuck(duration: int) -> None:
    cutoff = retention.stuck_if_started_before(NOW, duration)
    tick = timedelta(microseconds=1)
    for started, stuck in ((cutoff - tick, True), (cutoff, False)):
        assert retention.is_stuck("recording", created_at=started, started_at=started, duration=duration,
                                  now=NOW) is stuck


@pytest.mark.parametrize("days", [1, 30, 3650])
def test_the_retention_cutoff_agrees_with_expiry(days: int) -> None:
    cutoff = retention.expired_if_created_by(NOW, days)
    tick = timedelta(microseconds=1)
    assert retention.is_expired(retention.expiry(cutoff, days), NOW)
    assert not retention.is_expired(retention.expiry(cutoff + tick, days), NOW)


def test_queued_clip_is_stuck_when_no_worker_took_it_in_time() -> None:
    fresh = NOW - retention.QUEUED_TIMEOUT + timedelta(seconds=1)
    stale = NOW - retention.QUEUED_TIMEOUT - timedelta(seconds=1)
    assert not retention.is_stuck("queued", created_at=fresh, started_at=None, duration=10, now=NOW)
    assert retention.is_stuck("queued", created_at=stale, started_at=None, duration=10, now=NOW)


@pytest.mark.parametrize("status", ["ready", "failed"])
def test_finished_clips_are_never_stuck(status: str) -> None:
    long_ago = NOW - timedelta(days=3)
    assert not retention.is_stuck(status, created_at=long_ago, started_at=long_ago, duration=10, now=NOW)


def test_stuck_reasons_say_what_to_do() -> None:
    assert "request it again" in retention.stuck_reason("recording")
    assert "request it again" in retention.stuck_reason("queued")


def test_no_cap_allows_everything() -> None:
    assert retention.check_quota(used=10**15, pending=0, requested=10**12, cap=None).allowed


def test_a_request_that_fits_is_allowed() -> None:
    assert retention.check_quota(used=400, pending=100, requested=500, cap=1000).allowed


def test_a_request_that_would_exceed_the_cap_is_refused_with_what_is_left() -> None:
    decision = retention.check_quota(used=400_000_000, pending=100_000_000, requested=600_000_000, cap=10**9)
    assert not decision.allowed
    assert "would exceed" in decision.message
    assert "500.0 MB of 1.0 GB left" in decision.message


def test_at_or_over_the_cap_nothing_more_is_allowed() -> None:
    for used in (1000, 1500):
        decision = retention.check_quota(used=used, pending=0, requested=1, cap=1000)
        assert not decision.allowed
        assert "storage is full" in decision.message


def test_pending_recordings_count_towards_the_cap() -> None:
    assert not retention.check_quota(used=0, pending=900, requested=200, cap=1000).allowed


def test_estimate_is_length_times_rate() -> None:
    assert retention.estimate_bytes(60, 500_000) == 30_000_000


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0 bytes"), (999, "999 bytes"), (1500, "1.5 KB"), (2_500_000, "2.5 MB"), (3 * 10**12, "3.0 TB")],
)
def test_human_bytes(value: int, text: str) -> None:
    assert retention.human_bytes(value) == text
