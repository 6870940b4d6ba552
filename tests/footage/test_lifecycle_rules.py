"""The pure rules of footage housekeeping: days kept, quota notices, the disk's floor, stopped recording."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from recordings.footage import retention
from recordings.footage.retention import QuotaNotice

T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(("kind", "has_motion", "expected"), [
    ("continuous", False, 7),
    ("buffer", False, 7),
    ("event", True, 30),
    ("event", False, 30),
    ("continuous", True, 30),  # continuous footage of a motion event is event footage too
])
def test_days_kept_by_kind(kind: str, has_motion: bool, expected: int) -> None:
    assert retention.keep_days(kind, has_motion, continuous_days=7, event_days=30) == expected


def test_motion_in_continuous_footage_never_goes_before_the_footage_around_it() -> None:
    assert retention.keep_days("continuous", True, continuous_days=30, event_days=7) == 30


def test_expiry_cutoff_is_the_retention_days_back() -> None:
    assert retention.expired_if_ended_by(T0, 7) == T0 - timedelta(days=7)


@pytest.mark.parametrize(("used", "quota", "expected"), [(100, 80, 20), (80, 80, 0), (10, 80, 0), (10**9, None, 0)])
def test_quota_excess(used: int, quota: int | None, expected: int) -> None:
    assert retention.quota_excess(used, quota) == expected


def test_quota_notice_is_told_once_per_crossing_with_a_margin_to_rearm() -> None:
    told = False
    decisions = []
    for used in (50, 89, 90, 95, 100, 88, 86, 84, 91):
        decision = retention.quota_notice(used, 100, noticed=told)
        decisions.append(decision)
        if decision is QuotaNotice.WARN:
            told = True
        elif decision is QuotaNotice.REARM:
            told = False

    assert decisions == [None, None, QuotaNotice.WARN, None, None, None, None, QuotaNotice.REARM, QuotaNotice.WARN]


def test_removing_the_quota_rearms_the_notice() -> None:
    assert retention.quota_notice(10, None, noticed=True) is QuotaNotice.REARM
    assert retention.quota_notice(10, None, noticed=False) is None


@pytest.mark.parametrize(("total", "min_bytes", "percent", "expected"), [
    (1000, 100, 5, 100),  # the bytes are larger
    (10_000, 100, 5, 500),  # the percentage is larger
    (10_000, 0, 0, 0),  # both off
    (999, 0, 5, 50),  # rounded up
])
def test_floor_is_the_larger_setting(total: int, min_bytes: int, percent: int, expected: int) -> None:
    assert retention.floor_bytes(total, min_bytes, percent) == expected


def test_shortfall() -> None:
    assert (retention.shortfall(40, 100), retention.shortfall(100, 100), retention.shortfall(500, 100)) == (60, 0, 0)


def test_oldest_first_merges_organizations_until_enough_is_chosen() -> None:
    org_a = [(T0, 1, 10), (T0 + timedelta(seconds=20), 2, 10), (T0 + timedelta(seconds=40), 3, 10)]
    org_b = [(T0 + timedelta(seconds=10), 4, 10), (T0 + timedelta(seconds=30), 5, 10)]

    assert retention.oldest_first([org_a, org_b], need=25, limit=10) == [1, 4, 2]
    assert retention.oldest_first([org_a, org_b], need=1000, limit=4) == [1, 4, 2, 5]
    assert retention.oldest_first([org_a, org_b], need=0, limit=10) == []


def test_smallest_prefix_reaches_the_excess() -> None:
    assert retention.smallest_prefix([(1, 10), (2, 10), (3, 10)], 11) == [1, 2]
    assert retention.smallest_prefix([(1, 10)], 50) == [1]
    assert retention.smallest_prefix([(1, 10)], 0) == []


def test_stopped_since_the_newest_footage_or_the_switch_on() -> None:
    switched_on = T0 - timedelta(hours=1)
    assert retention.stopped_since(None, switched_on) == switched_on
    assert retention.stopped_since(T0 - timedelta(days=7), switched_on) == switched_on  # off for a week, then on
    assert retention.stopped_since(T0 - timedelta(minutes=5), switched_on) == T0 - timedelta(minutes=5)


def test_a_stop_is_told_once_and_again_after_recording_resumed() -> None:
    since = T0 - timedelta(minutes=12)

    assert not retention.stop_notice_due(since, T0, 15, None)  # not long enough yet
    assert retention.stop_notice_due(since, T0, 10, None)
    assert not retention.stop_notice_due(since, T0, 10, noticed_at=T0 - timedelta(minutes=1))  # told already
    assert retention.stop_notice_due(since, T0, 10, noticed_at=T0 - timedelta(minutes=30))  # an earlier stop
