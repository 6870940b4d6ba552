"""How much room the recordings disk has: the volume guard's probe, and its floor from settings.

``Probe`` is the seam: the guard asks it for the filesystem of the
recordings directory, so tests can give it a small one (a fake in unit
tests; a size-limited tmpfs where the machine allows mounting one).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from recordings.footage import retention


@dataclass(frozen=True)
class Space:
    total: int
    free: int  # what an unprivileged writer (ffmpeg) may still use


Probe = Callable[[Path], Space]


def statvfs_space(path: Path) -> Space:
    stat = os.statvfs(path)
    return Space(total=stat.f_blocks * stat.f_frsize, free=stat.f_bavail * stat.f_frsize)


def floor_for(space: Space) -> int:
    """The free space the guard keeps: ``CCTV_RECORDING_MIN_FREE_BYTES`` or ``..._PERCENT``, the larger."""
    return retention.floor_bytes(space.total, settings.CCTV_RECORDING_MIN_FREE_BYTES,
                                 settings.CCTV_RECORDING_MIN_FREE_PERCENT)
