"""Turning per-frame detections into motion events: debounced start and end.

Pure logic (no I/O), so the rules are unit-tested on their own: an event
opens after ``start_frames`` moving frames in a row, keeps its strongest
moment as the peak, and closes after ``end_seconds`` without motion, so one
person walking past is one event even if a few frames in the middle are still.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Step(enum.Enum):
    NOTHING = "nothing"
    OPEN = "open"
    PEAK = "peak"
    CLOSE = "close"


@dataclass
class MotionTracker:
    start_frames: int = 2
    end_seconds: float = 3.0
    streak: int = 0
    open: bool = False
    peak: float = 0.0
    last_motion_at: float = 0.0

    def update(self, at: float, motion: bool, score: float) -> Step:
        """Feed one analysed frame (``at`` in seconds); say what happened to the event."""
        if motion:
            self.streak += 1
            self.last_motion_at = at
            if not self.open and self.streak >= self.start_frames:
                self.open, self.peak = True, score
                return Step.OPEN
            if self.open and score > self.peak:
                self.peak = score
                return Step.PEAK
            return Step.NOTHING
        self.streak = 0
        if self.open and at - self.last_motion_at >= self.end_seconds:
            self.open, self.peak = False, 0.0
            return Step.CLOSE
        return Step.NOTHING

    def reset(self) -> Step:
        """The picture went away (stream lost, settings changed): close any open event."""
        was_open = self.open
        self.open, self.streak, self.peak = False, 0, 0.0
        return Step.CLOSE if was_open else Step.NOTHING
