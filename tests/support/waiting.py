"""The suite's one way to wait for something that happens in another process: poll, then fail loudly.

Live tests watch recorders, workers, go2rtc and browsers do their work; a
fixed sleep either wastes time or is too short on a busy machine. Polling
returns as soon as the condition holds, and a condition that never holds
fails the test with what was awaited and, if given, what the other side
logged, instead of a bare ``assert False``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


class WaitTimeout(AssertionError):
    """The awaited condition did not hold in time (an assertion failure, so pytest reports it as one)."""


def wait_until(condition: Callable[[], T], timeout: float = 20.0, interval: float = 0.1, *,
               what: str = "the condition", otherwise: Callable[[], object] | None = None) -> T:
    """The first truthy value of ``condition()``, polled every ``interval`` s; ``WaitTimeout`` after ``timeout`` s.

    ``otherwise`` is called only on a timeout, for what explains it (a
    worker's log, say), which goes into the failure's message.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            details = f"\n{otherwise()}" if otherwise is not None else ""
            raise WaitTimeout(f"{what} did not happen within {timeout:g} s{details}")
        time.sleep(interval)
