"""The one exponential backoff: how long to wait before the next attempt after failures in a row.

Every retry that waits longer each time uses it (camera tasks, clip exports,
notification deliveries, tier moves, the ONVIF adapter's hold-off), each with
its own first wait and cap; which numbers fit is the calling service's call.
"""

from __future__ import annotations

# Past this many doublings every realistic first wait is far over its cap; the
# bound keeps a huge attempt count (a row that failed for months) from building
# an enormous number.
MAX_DOUBLINGS = 64


def exponential_delay(attempt: int, first: float, cap: float) -> float:
    """``first`` doubled ``attempt`` times, at most ``cap``: 0 -> first, 1 -> 2 x first, ...

    A negative ``attempt`` counts as 0 (nothing failed yet still waits ``first``).
    """
    doublings = min(max(attempt, 0), MAX_DOUBLINGS)
    return min(first * 2**doublings, cap)
