"""The one exponential backoff gives every caller the waits it computed by hand before (no change of behaviour)."""

from __future__ import annotations

import pytest

from portal.backoff import exponential_delay


def test_the_first_wait_doubles_up_to_the_cap() -> None:
    assert [exponential_delay(attempt, 5, 300) for attempt in range(8)] == [5, 10, 20, 40, 80, 160, 300, 300]


def test_before_any_failure_the_wait_is_the_first_one() -> None:
    assert exponential_delay(-1, 60, 3600) == exponential_delay(0, 60, 3600) == 60


def test_an_enormous_attempt_count_is_the_cap() -> None:
    assert exponential_delay(10**9, 2.0, 60.0) == 60.0


# Each caller's formula as it was written before the helper, with its numbers.
BEFORE = {
    "camera tasks (cameras.retries)": (lambda retries: min(2**retries, 60),
                                       lambda retries: exponential_delay(retries, 1, 60)),
    "clip exports (clips.tasks.backoff)": (lambda retries: min(5 * 2**retries, 60),
                                           lambda retries: exponential_delay(retries, 5, 60)),
    "notification deliveries": (lambda retries: min(5 * 2**retries, 300),
                                lambda retries: exponential_delay(retries, 5, 300)),
    "tier moves (footage.mover.backoff, defaults)": (
        lambda failures: min(3600, 60 * 2 ** min(max(failures - 1, 0), 30)),
        lambda failures: exponential_delay(failures - 1, 60, 3600)),
    "ONVIF hold-off": (lambda over: min(2.0 * 2**over, 60.0), lambda over: exponential_delay(over, 2.0, 60.0)),
}


@pytest.mark.parametrize("caller", sorted(BEFORE))
def test_each_caller_waits_as_long_as_before(caller: str) -> None:
    before, now = BEFORE[caller]

    assert [now(attempt) for attempt in range(40)] == [before(attempt) for attempt in range(40)]


def test_the_callers_use_it(settings) -> None:  # type: ignore[no-untyped-def]
    from recordings.clips import tasks as clip_tasks
    from recordings.footage import mover
    from recordings.notifications import delivery

    settings.CCTV_FOOTAGE_MOVE_RETRY_SECONDS, settings.CCTV_FOOTAGE_MOVE_RETRY_MAX_SECONDS = 60, 3600
    assert [clip_tasks.backoff(retries) for retries in range(5)] == [5, 10, 20, 40, 60]
    assert [delivery.retry_delay(retries) for retries in range(8)] == [5, 10, 20, 40, 80, 160, 300, 300]
    assert [mover.backoff(failures).total_seconds() for failures in (0, 1, 2, 7, 1000)] == [60, 60, 120, 3600, 3600]
