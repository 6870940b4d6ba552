"""Beat's footage tasks run by a real Celery worker, on both databases; the volume guard on a real small disk.

The worker is a subprocess on the test database and Redis (like the clip
tests' workers) and deletes real files under a recordings root of the test.
The small disk is a 4 MB tmpfs mounted for the test where the machine
allows it (root); elsewhere that test is skipped with the reason, and the
guard is still tested against a simulated disk (``test_guard.py``) and,
below, with a floor set high enough that the real disk is "full".
"""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.roles import Role
from recordings.footage import holds, layout, tasks, volume
from recordings.footage.models import Notice, NoticeKind, RecordingSettings, Segment, StoragePolicy, VolumeGuardRun
from tests.footage.helpers import ended_ago
from tests.live.conftest import Server, _start, _stop
from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.sqlite, pytest.mark.django_db(transaction=True)]

MB = 1_000_000


@pytest.fixture
def root(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.CCTV_RECORDINGS_DIR = tmp_path / "recordings"
    settings.CCTV_RECORDINGS_DIR.mkdir()
    return settings.CCTV_RECORDINGS_DIR


@pytest.fixture
def worker(transactional_db: None, tmp_path: Path) -> Iterator[Callable[..., Server]]:
    """``worker(root, **env)``: a real Celery worker whose recordings directory is ``root``."""
    started: list[Server] = []

    def start(recordings: Path, **env: str) -> Server:
        log_path = tmp_path / f"worker-{len(started)}.log"
        process = _start(
            [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-l", "info",
             "--without-mingle", "--without-gossip", "--without-heartbeat"],
            log_path, DJANGO_SETTINGS_MODULE="tests.settings", CCTV_RECORDINGS_DIR=str(recordings), **env,
        )  # fmt: skip
        started.append(Server(0, process, log_path))
        return started[-1]

    yield start
    for server in started:
        _stop(server.process)


def gone(segment: Segment) -> bool:
    return not Segment.objects.filter(pk=segment.pk).exists() and not layout.path_of(segment.key).exists()


def present(segment: Segment) -> bool:
    return Segment.objects.filter(pk=segment.pk).exists() and layout.path_of(segment.key).exists()


def test_the_beat_tasks_do_their_work_on_a_real_worker(root: Path, worker) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    org, crowded = make_organization("Kept Org"), make_organization("Crowded Org")
    admin = make_user()
    make_member(admin, org, Role.ADMIN)
    camera, crowded_camera = make_camera(make_site(org, "Yard"), "Gate"), make_camera(make_site(crowded, "Lot"), "Bay")
    expired, held, recent = (ended_ago(camera, now, days=d) for d in (8, 9, 1))
    holds.create_hold(admin, camera.public_id, start=held.start, end=held.end, reason="Case 31")
    crowd = [ended_ago(crowded_camera, now, minutes=m, size=2000) for m in (30, 20, 10)]
    StoragePolicy.objects.create(organization=crowded, quota_bytes=4400)
    RecordingSettings.objects.create(camera=camera, mode="continuous")
    RecordingSettings.objects.filter(camera=camera).update(updated_at=now - timedelta(hours=2))
    # Every byte of this disk below the floor: the guard must delete all it may.
    server = worker(root, CCTV_RECORDING_MIN_FREE_BYTES="0", CCTV_RECORDING_MIN_FREE_PERCENT="99")

    tasks.expire_footage.delay()
    wait_until(lambda: gone(expired), timeout=60, otherwise=lambda: server.log_text()[-3000:])
    assert present(held) and present(recent)

    tasks.enforce_footage_quotas.delay()
    wait_until(lambda: gone(crowd[0]), timeout=30, otherwise=lambda: server.log_text()[-3000:])
    wait_until(lambda: Notice.objects.filter(kind=NoticeKind.STORAGE_QUOTA, organization=crowded).exists(),
                      timeout=30, otherwise=lambda: server.log_text()[-3000:])
    assert present(crowd[1]) and present(crowd[2])  # 4000 bytes fit the quota, at 91 %: told

    tasks.notice_stopped_recordings.delay()  # the camera's newest footage is a day old
    wait_until(lambda: Notice.objects.filter(kind=NoticeKind.RECORDING_STOPPED, camera=camera).exists(),
                      timeout=30, otherwise=lambda: server.log_text()[-3000:])

    tasks.guard_recordings_volume.delay()
    wait_until(lambda: gone(recent) and all(gone(s) for s in crowd), timeout=60,
               otherwise=lambda: server.log_text()[-3000:])
    assert present(held)
    run = VolumeGuardRun.objects.get()
    assert run.outcome.startswith("Still below the floor: nothing left that may be deleted")
    assert "below its free-space floor" in server.log_text()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 4 MB tmpfs mounted for this test (needs root; skipped, saying why, where mounting is refused)."""
    mount = tmp_path / "small-disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a size-limited tmpfs needs root; test_guard.py simulates the small disk instead")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True,
                          text=True, timeout=30, check=False)
    if done.returncode != 0:
        pytest.skip(f"could not mount a 4 MB tmpfs ({done.stderr.strip()}); test_guard.py simulates it instead")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True, timeout=30, check=False)


def test_the_guard_frees_a_real_full_disk_before_writes_fail(small_disk: Path, settings, worker) -> None:  # type: ignore[no-untyped-def]
    settings.CCTV_RECORDINGS_DIR = small_disk
    now = timezone.now()
    org = make_organization("Disk Org")
    admin = make_user()
    make_member(admin, org, Role.ADMIN)
    camera = make_camera(make_site(org, "Yard"), "Gate")
    segments = [ended_ago(camera, now, minutes=60 - m, size=500_000) for m in range(7)]  # 3.5 MB of a 4 MB disk
    holds.create_hold(admin, camera.public_id, start=segments[0].start, end=segments[0].end, reason="Case 40")
    floor = 1_500_000
    assert volume.statvfs_space(small_disk).free < floor
    with pytest.raises(OSError) as full:
        (small_disk / "next-segment.mp4").write_bytes(b"\0" * MB)  # what a recorder would write next
    assert full.value.errno == errno.ENOSPC
    (small_disk / "next-segment.mp4").unlink()
    server = worker(small_disk, CCTV_RECORDING_MIN_FREE_BYTES=str(floor), CCTV_RECORDING_MIN_FREE_PERCENT="0")

    tasks.guard_recordings_volume.delay()

    wait_until(lambda: VolumeGuardRun.objects.filter(outcome__startswith="Free space is back").exists(),
                      timeout=60, otherwise=lambda: server.log_text()[-3000:])
    assert volume.statvfs_space(small_disk).free >= floor
    assert [present(s) for s in segments] == [True, False, False, True, True, True, True]  # oldest unheld first
    (small_disk / "next-segment.mp4").write_bytes(b"\0" * MB)  # there is room again
    run = VolumeGuardRun.objects.get()
    assert (run.deleted_segments, run.deleted_bytes, run.path) == (2, MB, str(small_disk))
    assert "volume guard deleted 2 segments" in server.log_text()
