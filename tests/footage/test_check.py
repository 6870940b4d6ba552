"""check_footage: the index and its counters against real segment files on disk."""

from __future__ import annotations

import io
import os
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from recordings.footage import index, layout, mp4
from recordings.footage.check import check
from recordings.footage.models import CameraUsage, OrganizationUsage, Segment, SegmentKind
from tests.conftest import World
from tests.footage.helpers import RUN, place

# Aggregates, locked counter rows and datetime filters: run on SQLite (bin/start) too.
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]
T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)


def _age(path: Path, seconds: float = 600) -> None:
    """Files the check looks at are older than its minimum age (a recorder may be mid-way on newer ones)."""
    old = time.time() - seconds
    os.utime(path, (old, old))


def _record(world: World, files: list[Path]) -> list[Segment]:
    """Index real segment files as the recorder would: file in place first, then the row."""
    segments = []
    for number, source in enumerate(files):
        start = T0 + timedelta(seconds=2 * number)
        key = place(source, world.camera_a1, start)
        _age(layout.root() / key)
        facts = mp4.read_facts(layout.root() / key)
        segments.append(index.add_segment(index.NewSegment(
            organization_id=world.org_a.pk, camera_id=world.camera_a1.pk, stream="main",
            kind=SegmentKind.CONTINUOUS, start=start, facts=facts, run=RUN, key=key, sha256="0" * 64,
            local_day=start.date(),
        )))  # fmt: skip
    Segment.objects.update(created_at=T0)
    return segments


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("check_footage", *args, stdout=out)
    return out.getvalue()


def test_agreeing_index_and_disk_pass(world: World, footage_root: Path, fmp4_files: list[Path]) -> None:
    _record(world, fmp4_files)

    assert "agree" in _run()


def test_a_deleted_file_and_a_stray_file_are_found(world: World, footage_root: Path, fmp4_files: list[Path]) -> None:
    segments = _record(world, fmp4_files)
    layout.path_of(segments[1].key).unlink()  # deleted by hand
    stray = footage_root / "elsewhere" / "notes.txt"
    stray.parent.mkdir(parents=True)
    stray.write_text("not footage")
    _age(stray)

    with pytest.raises(CommandError, match="2 difference"):
        _run()
    report = check()
    assert report.rows_without_files == [segments[1].key]
    assert report.files_without_rows == ["elsewhere/notes.txt"]


def test_repair_removes_rows_without_files_and_strays_and_fixes_counters(world: World, footage_root: Path,
                                                                         fmp4_files: list[Path]) -> None:
    segments = _record(world, fmp4_files)
    gone = segments[1]
    layout.path_of(gone.key).unlink()
    stray = footage_root / "notes.txt"
    stray.write_text("not footage")
    _age(stray)
    CameraUsage.objects.update(bytes=1)  # drift

    report = check(repair=True)

    assert report.repaired == 3  # the row, the stray file, the drifted camera counter
    assert not Segment.objects.filter(pk=gone.pk).exists() and not stray.exists()
    expected = sum(s.bytes for s in segments) - gone.bytes
    assert CameraUsage.objects.get(camera=world.camera_a1).bytes == expected
    assert OrganizationUsage.objects.get(organization=world.org_a).bytes == expected
    assert check().problems == 0


def test_repair_indexes_a_recorders_file_whose_row_was_lost(world: World, footage_root: Path,
                                                            fmp4_files: list[Path]) -> None:
    """A crash between moving a file into place and writing its row leaves footage worth keeping."""
    key = place(fmp4_files[0], world.camera_a1, T0)
    _age(layout.root() / key)

    assert check().files_without_rows == [key]
    check(repair=True)

    segment = Segment.objects.get()
    assert (segment.key, segment.start, segment.bytes) == (key, T0, layout.path_of(key).stat().st_size)
    assert OrganizationUsage.objects.get(organization=world.org_a).segments == 1
    assert check().problems == 0


def test_files_being_written_are_left_alone(world: World, footage_root: Path, fmp4_files: list[Path]) -> None:
    place(fmp4_files[0], world.camera_a1, T0)  # brand new: a recorder may be about to index it

    assert check().problems == 0
