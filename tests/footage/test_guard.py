"""The volume guard against a simulated small disk (a fake probe): oldest unprotected local footage first.

The same guard on a real size-limited filesystem, run by a real Celery
worker, is in ``tests/footage/live/test_housekeeping_worker.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from unittest import mock

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from recordings.footage import holds, housekeeping, layout, tasks, volume
from recordings.footage.models import Segment, Tier, VolumeGuardRun
from tests.conftest import World
from tests.footage.helpers import ended_ago
from tests.footage.test_retention import counters_match_the_rows, kept
from tests.support.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

MB = 1_000_000


class SmallDisk:
    """A disk of ``total`` bytes holding ``other`` bytes besides the recordings under the root."""

    def __init__(self, root: Path, total: int, other: int) -> None:
        self.root, self.total, self.other = root, total, other
        self.probes = 0

    def __call__(self, path: Path) -> volume.Space:
        assert path == self.root
        self.probes += 1
        recorded = sum(file.stat().st_size for file in self.root.rglob("*.mp4"))
        return volume.Space(total=self.total, free=self.total - self.other - recorded)


@pytest.fixture
def now(footage_root: Path) -> datetime:
    return timezone.now()


@pytest.fixture
def floor(settings) -> int:  # type: ignore[no-untyped-def]
    settings.CCTV_RECORDING_MIN_FREE_BYTES = 3 * MB
    settings.CCTV_RECORDING_MIN_FREE_PERCENT = 0
    return 3 * MB


def test_below_the_floor_the_oldest_unprotected_local_footage_goes_across_organizations(
    world: World, now: datetime, floor: int, caplog: pytest.LogCaptureFixture
) -> None:
    held = ended_ago(world.camera_a1, now, minutes=60, size=MB)
    remote = ended_ago(world.camera_a2, now, minutes=55, size=MB)
    Segment.objects.filter(pk=remote.pk).update(tier=Tier.S3)  # another tier: not this disk's to free
    first_a, first_b = ended_ago(world.camera_a1, now, minutes=50, size=MB), ended_ago(world.camera_b, now,
                                                                                        minutes=45, size=MB)
    second_a, newest_b = ended_ago(world.camera_a2, now, minutes=40, size=MB), ended_ago(world.camera_b, now,
                                                                                          minutes=30, size=MB)
    holds.create_hold(world.admin, world.camera_a1.public_id, start=held.start, end=held.end, reason="Case 1")
    disk = SmallDisk(layout.root(), total=10 * MB, other=4 * MB)  # 6 MB recorded: 0 free

    with caplog.at_level(logging.WARNING, logger="recordings.footage.housekeeping"):
        guard = housekeeping.guard_volume(100, probe=disk)

    assert Segment.objects.filter(pk=remote.pk).exists() and layout.path_of(remote.key).exists()
    assert kept(held, first_a, first_b, second_a, newest_b) == [True, False, False, False, True]
    assert disk(layout.root()).free == 3 * MB
    counters_match_the_rows()
    run = VolumeGuardRun.objects.get()
    assert (guard.run_id, guard.more) == (run.pk, False)
    assert (run.free_before, run.free_after, run.floor_bytes, run.deleted_segments, run.deleted_bytes) == (
        0, 3 * MB, floor, 3, 3 * MB)
    assert run.organizations == {str(world.org_a.pk): 2 * MB, str(world.org_b.pk): MB}
    assert run.outcome == "Free space is back above the floor."
    assert "below its free-space floor" in caplog.text and "volume guard deleted 3 segments" in caplog.text


def test_above_the_floor_the_guard_deletes_nothing_and_writes_no_run(world: World, now: datetime,
                                                                    floor: int) -> None:
    segment = ended_ago(world.camera_a1, now, minutes=60, size=MB)

    guard = housekeeping.guard_volume(100, probe=SmallDisk(layout.root(), total=10 * MB, other=0))

    assert (guard.chosen, guard.run_id, guard.more) == (0, None, False)
    assert kept(segment) == [True] and not VolumeGuardRun.objects.exists()


def test_the_floor_may_be_a_percentage_of_the_disk(world: World, now: datetime, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CCTV_RECORDING_MIN_FREE_BYTES, settings.CCTV_RECORDING_MIN_FREE_PERCENT = 0, 20
    old, new = ended_ago(world.camera_a1, now, minutes=60, size=MB), ended_ago(world.camera_a1, now, minutes=50,
                                                                               size=MB)

    housekeeping.guard_volume(100, probe=SmallDisk(layout.root(), total=10 * MB, other=7 * MB))  # 1 MB free of 2

    assert kept(old, new) == [False, True]


def test_when_only_held_footage_is_left_the_guard_says_so(world: World, now: datetime, floor: int,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    segment = ended_ago(world.camera_a1, now, minutes=60, size=MB)
    holds.create_hold(world.admin, world.camera_a1.public_id, start=segment.start, end=segment.end, reason="Case 2")

    with caplog.at_level(logging.ERROR, logger="recordings.footage.housekeeping"):
        guard = housekeeping.guard_volume(100, probe=SmallDisk(layout.root(), total=4 * MB, other=2 * MB))

    assert kept(segment) == [True]
    assert guard.more is False
    assert VolumeGuardRun.objects.get().outcome.startswith("Still below the floor: nothing left that may be deleted")
    assert "only held footage is left" in caplog.text


def test_the_guard_task_carries_its_run_over_its_batches(world: World, now: datetime, floor: int,
                                                         monkeypatch) -> None:  # type: ignore[no-untyped-def]
    segments = [ended_ago(world.camera_a1, now, minutes=60 - m, size=MB) for m in range(4)]
    disk = SmallDisk(layout.root(), total=8 * MB, other=4 * MB)  # 4 recorded, 0 free: 3 must go
    monkeypatch.setattr(volume, "statvfs_space", disk)  # the probe the task's guard uses
    monkeypatch.setattr(tasks, "BATCH_SIZE", 2)

    with mock.patch.object(tasks.guard_recordings_volume, "apply_async") as again:
        assert tasks.guard_recordings_volume() == 2
    run = VolumeGuardRun.objects.get()
    again.assert_called_once_with(kwargs={"invocation": 1, "run_id": run.pk})
    with mock.patch.object(tasks.guard_recordings_volume, "apply_async") as again:
        assert tasks.guard_recordings_volume(invocation=1, run_id=run.pk) == 1
    again.assert_not_called()

    run.refresh_from_db()
    assert (run.deleted_segments, run.free_before, run.free_after) == (3, 0, 3 * MB)
    assert kept(*segments) == [False, False, False, True]


def test_guard_runs_are_shown_to_superusers_only(world: World, now: datetime, floor: int,
                                                 client_for: Callable[..., Client]) -> None:
    ended_ago(world.camera_a1, now, minutes=60, size=MB)
    housekeeping.guard_volume(100, probe=SmallDisk(layout.root(), total=10 * MB, other=int(6.5 * MB)))
    run = VolumeGuardRun.objects.get()
    superuser = make_user(is_staff=True, is_superuser=True)

    listing = client_for(superuser).get(reverse("admin:footage_volumeguardrun_changelist"))
    assert listing.status_code == 200 and "Free space is back above the floor." in listing.content.decode()
    page = client_for(superuser).get(reverse("admin:footage_volumeguardrun_change", args=[run.pk]))
    assert page.status_code == 200
    assert client_for(world.admin).get(reverse("admin:footage_volumeguardrun_changelist")).status_code == 403
    assert client_for(world.admin).get(reverse("admin:footage_volumeguardrun_change", args=[run.pk])).status_code == 404
