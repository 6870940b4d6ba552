"""The recorder's main loop keeps its leases renewed whatever work piles up.

Fifty cameras close their segments within the same second or two (they cut
at the same wall-clock multiples), and a recorder starts all its cameras'
ffmpegs at once. Measured with ``bench.recording_cost`` at 50 cameras on a
busy machine, the loop handled such a burst in one go for longer than the
lease lasts, missed its renewals, lost every camera "to another recorder"
(there was none), restarted all 50 ffmpegs and left a 20 s gap in each.
The work is timed here with a clock the test moves, not the real one.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest

from cameras.gateways import gateway_from_settings
from recordings.footage import leases, recorders
from recordings.footage.recorder import Held, RecorderLoop
from recordings.footage.services import Plan
from tests.conftest import World

pytestmark = pytest.mark.django_db


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


class WatchedLease(leases.Lease):
    """A real Redis lease that notes the (test) time of every renewal."""

    def __init__(self, camera_id: int, ttl: float, clock: Clock) -> None:
        super().__init__(camera_id, ttl, owner="loop-test")
        self.clock = clock
        self.renewed_at: list[float] = []

    def renew(self) -> bool:
        self.renewed_at.append(self.clock())
        return super().renew()


@dataclass
class SlowCapture:
    """Stands in for a stream capture whose ffmpeg takes a test second to start."""

    clock: Clock
    started: list[float] = field(default_factory=list)
    stream: str = "main"
    run: str | None = None

    def due(self, now: float) -> bool:
        return not self.started

    def stalled(self, now: float, limit: float) -> bool:
        return False

    def start(self, segment_seconds: int) -> str:
        self.clock.now += 1.0
        self.started.append(self.clock.now)
        return "0badcafe"

    def stop(self, *, wait: bool = True) -> None:
        return None


def _loop(world: World, clock: Clock, settings: Any) -> tuple[RecorderLoop, WatchedLease]:
    gateway = gateway_from_settings()
    loop = RecorderLoop(recorders.register("loop-test", gateway), gateway)
    loop.now = clock
    loop.due.update(scan=float("inf"), settle=float("inf"))  # only the heartbeat is scheduled here
    camera = world.camera_a1
    plan = Plan(camera.pk, camera.public_id, world.org_a.pk, "UTC", "continuous", ("main",),
                timedelta(0), timedelta(0))
    lease = WatchedLease(camera.pk, settings.CCTV_RECORDING_LEASE_SECONDS, clock)
    assert lease.acquire()
    loop.held[camera.pk] = Held(plan, lease)
    return loop, lease


def _longest_wait(renewals: list[float], until: float) -> float:
    moments = [0.0, *renewals, until]
    return max(later - earlier for earlier, later in zip(moments, moments[1:], strict=False))


def test_a_burst_of_closed_segments_does_not_hold_up_the_lease_renewals(world: World, settings: Any) -> None:
    clock = Clock()
    loop, lease = _loop(world, clock, settings)
    stopping = threading.Event()
    for number in range(40):  # forty closed segments waiting, each taking a second to index
        loop.events.put(number)

    def handle(event: object) -> None:
        clock.now += 1.0
        if loop.events.empty():
            stopping.set()

    loop._handle = handle  # type: ignore[method-assign]
    loop.run(stopping)

    assert clock.now >= 40
    assert _longest_wait(lease.renewed_at, clock.now) < settings.CCTV_RECORDING_LEASE_SECONDS, lease.renewed_at


def test_starting_many_ffmpegs_does_not_hold_up_the_lease_renewals(world: World, settings: Any) -> None:
    clock = Clock()
    loop, lease = _loop(world, clock, settings)
    held = next(iter(loop.held.values()))
    captures = [SlowCapture(clock) for _ in range(40)]
    held.captures = {f"s{number}": capture for number, capture in enumerate(captures)}  # type: ignore[misc]
    stopping = threading.Event()
    loop.events.put("wake")

    def handle(event: object) -> None:
        if all(capture.started for capture in captures):
            stopping.set()
        else:
            loop.events.put("wake")

    loop._handle = handle  # type: ignore[method-assign]
    loop.run(stopping)

    assert all(capture.started for capture in captures)
    assert _longest_wait(lease.renewed_at, clock.now) < settings.CCTV_RECORDING_LEASE_SECONDS, lease.renewed_at
