"""From a closed ffmpeg file to an indexed segment, and what a dead run leaves behind: real fMP4 files."""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import OperationalError

from recordings.footage import index, ingest, layout, mp4
from recordings.footage.models import CameraUsage, Segment, SegmentKind
from recordings.footage.services import Plan
from tests.conftest import World

pytestmark = pytest.mark.django_db
RUN = "0badcafe"
OPENED = datetime(2026, 3, 1, 8, 0, 10, tzinfo=UTC)


def _plan(world: World) -> Plan:
    camera = world.camera_a1
    return Plan(camera.pk, camera.public_id, world.org_a.pk, "Europe/Paris", "continuous", ("main",),
                timedelta(seconds=5), timedelta(seconds=5))


def _incoming(world: World, source: Path, opened: datetime = OPENED, *, age: float = 60) -> Path:
    directory = layout.incoming_dir(world.camera_a1.public_id, "main")
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / opened.strftime(layout.incoming_pattern(RUN))
    shutil.copyfile(source, path)
    old = time.time() - age
    os.utime(path, (old, old))
    return path


def test_a_closed_file_is_moved_into_place_and_indexed(world: World, footage_root: Path,
                                                       fmp4_files: list[Path]) -> None:
    path = _incoming(world, fmp4_files[0])
    ended = OPENED + timedelta(seconds=2.345)

    segment = ingest.ingest(_plan(world), ingest.Closed(path, "main", RUN, ended))

    duration = mp4.read_facts(fmp4_files[0]).duration
    assert segment.start == ended - timedelta(seconds=duration) and segment.end == ended
    assert segment.key == layout.segment_key(world.org_a.pk, world.camera_a1.public_id, "main", segment.start, RUN)
    final = layout.path_of(segment.key)
    assert not path.exists() and final.read_bytes() == fmp4_files[0].read_bytes()
    assert segment.sha256 == hashlib.sha256(final.read_bytes()).hexdigest()
    assert (segment.kind, segment.codec, segment.width) == (SegmentKind.CONTINUOUS, "h264", 320)
    assert CameraUsage.objects.get(camera=world.camera_a1).bytes == final.stat().st_size


def test_a_database_failure_leaves_the_file_for_recovery_not_stranded(world: World, footage_root: Path,
                                                                      fmp4_files: list[Path], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Regression: the file was already in its final place, with no row and nothing to index it but a repair."""
    path = _incoming(world, fmp4_files[0])

    def database_down(new: index.NewSegment) -> None:
        raise OperationalError("the database went away")

    with monkeypatch.context() as patch:
        patch.setattr(index, "add_segment", database_down)
        with pytest.raises(OperationalError):
            ingest.ingest(_plan(world), ingest.Closed(path, "main", RUN, OPENED + timedelta(seconds=2)))
    assert path.exists()
    assert not [p for p in footage_root.rglob("*.mp4") if layout.INCOMING not in p.parts]

    assert ingest.recover(_plan(world), "main") == 1
    segment = Segment.objects.get()
    assert segment.start == OPENED and layout.path_of(segment.key).exists() and not path.exists()


def test_recovery_trims_a_file_cut_short_and_drops_one_with_nothing_whole(world: World, footage_root: Path,
                                                                          fmp4_files: list[Path],
                                                                          tmp_path: Path) -> None:
    whole = fmp4_files[1].read_bytes()
    cut, hopeless = tmp_path / "cut.mp4", tmp_path / "hopeless.mp4"
    cut.write_bytes(whole[:-500])
    hopeless.write_bytes(whole[:900])  # the header and a piece of the first fragment
    kept = _incoming(world, cut, OPENED)
    dropped = _incoming(world, hopeless, OPENED + timedelta(seconds=2))
    busy = _incoming(world, fmp4_files[2], OPENED + timedelta(seconds=4), age=0)  # may still be written

    assert ingest.recover(_plan(world), "main") == 1

    segment = Segment.objects.get()
    assert (segment.start, segment.duration) == (OPENED, pytest.approx(1.0, abs=0.07))
    assert not kept.exists() and not dropped.exists() and busy.exists()


def test_recovery_leaves_the_current_runs_files_alone(world: World, footage_root: Path,
                                                      fmp4_files: list[Path]) -> None:
    path = _incoming(world, fmp4_files[0])

    assert ingest.recover(_plan(world), "main", current_run=RUN) == 0
    assert path.exists() and not Segment.objects.exists()
