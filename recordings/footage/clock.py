"""Placing a run's segments on the wall clock: from when ffmpeg closes them, against the media's own clock.

ffmpeg closes a segment when the first packet of the next one arrives, so
the moment the recorder reads that (``closed_at``) is the segment's end on
the wall clock, plus however long the recorder took to read it. Within one
run the media timestamps are continuous (the next segment starts where the
last ended), so every close gives a sample of the wall-clock time of the
run's media zero: ``closed_at - media end``. A late read only makes a sample
later, never earlier, so the smallest recent sample is the best estimate;
"recent" (a window of samples) lets it follow a camera clock that drifts
from the wall clock. Segments placed on that estimate meet exactly, however
busy the recorder was when it read their close.
"""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

WINDOW = 30  # samples (five minutes of 10 s segments)
# A media start this far from where the last segment ended is a timestamp jump: start learning again.
JUMP_SECONDS = 5.0


class RunClock:
    def __init__(self, window: int = WINDOW) -> None:
        self.samples: deque[datetime] = deque(maxlen=window)
        self.media_end: float | None = None

    def place(self, closed_at: datetime, media_start: float, duration: float) -> datetime:
        """The wall-clock start of a segment that starts at ``media_start`` on the run's clock."""
        if self.media_end is not None and abs(media_start - self.media_end) > JUMP_SECONDS:
            self.samples.clear()
        self.media_end = media_start + duration
        self.samples.append(closed_at - timedelta(seconds=self.media_end))
        return min(self.samples) + timedelta(seconds=media_start)
