"""The suite's wait: the first truthy value, or a failure that says what never happened and why."""

from __future__ import annotations

import itertools

import pytest

from tests.support.waiting import WaitTimeout, wait_until


def test_the_first_truthy_value_is_returned_as_soon_as_it_comes() -> None:
    calls = itertools.count()
    assert wait_until(lambda: next(calls) >= 3 and "ready", interval=0) == "ready"
    assert next(calls) == 4  # no poll after the answer


def test_a_condition_that_never_holds_fails_with_what_was_awaited_and_the_explanation() -> None:
    with pytest.raises(WaitTimeout, match=r"(?s)the recorder started did not happen within 0\.05 s\n.*log: refused"):
        wait_until(lambda: False, timeout=0.05, interval=0.01, what="the recorder started",
                   otherwise=lambda: "log: refused")


def test_a_timeout_is_an_assertion_failure() -> None:
    assert issubclass(WaitTimeout, AssertionError)
