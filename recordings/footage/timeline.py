"""Covered time and gaps of a camera's footage: pure functions over (start, end) pairs.

Neighbouring segments of one ffmpeg run meet within milliseconds (the end
of one is its start plus its media duration; the next starts when ffmpeg
opens it). Anything closer than ``GAP_TOLERANCE`` counts as covered; longer
stretches without footage are gaps, listed explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

GAP_TOLERANCE = timedelta(milliseconds=500)


@dataclass(frozen=True)
class Interval:
    start: datetime
    end: datetime

    @property
    def seconds(self) -> float:
        return (self.end - self.start).total_seconds()


def merge(spans: Iterable[tuple[datetime, datetime]], start: datetime, end: datetime,
          tolerance: timedelta = GAP_TOLERANCE) -> list[Interval]:
    """The covered parts of [start, end), from spans sorted by their start."""
    covered: list[list[datetime]] = []
    for span_start, span_end in spans:
        span_start, span_end = max(span_start, start), min(span_end, end)
        if span_end <= span_start:
            continue
        if covered and span_start - covered[-1][1] <= tolerance:
            if span_end > covered[-1][1]:
                covered[-1][1] = span_end
        else:
            covered.append([span_start, span_end])
    return [Interval(a, b) for a, b in covered]


def gaps(covered: list[Interval], start: datetime, end: datetime,
         tolerance: timedelta = GAP_TOLERANCE) -> list[Interval]:
    """The parts of [start, end) that ``covered`` leaves out, longer than the tolerance."""
    missing, cursor = [], start
    for interval in covered:
        if interval.start - cursor > tolerance:
            missing.append(Interval(cursor, interval.start))
        cursor = max(cursor, interval.end)
    if end - cursor > tolerance:
        missing.append(Interval(cursor, end))
    return missing
