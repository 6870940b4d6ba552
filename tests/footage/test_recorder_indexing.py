"""The recorder leaves no closed file un-indexed in its incoming directory: real fMP4 files, a real loop.

A CI run once ended with a file of the running ffmpeg still in the incoming
directory after a clean stop. Recovery skips the running ffmpeg's files (it
may be writing one), so a file of that run that the database refused, or that
was not a whole MP4, stayed there until another run started. These tests put
such files in the loop's way and check each is indexed (or trimmed to its
whole fragments) without a new run.
"""

from __future__ import annotations

import queue
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import OperationalError

from cameras.gateways import gateway_from_settings
from recordings.footage import capture, ffmpeg, index, layout, leases, recorders
from recordings.footage.models import RecordingSettings, Segment
from recordings.footage.recorder import Held, RecorderLoop
from recordings.footage.services import recording_plan
from tests.conftest import World

pytestmark = pytest.mark.django_db
RUN = "0badcafe"


def _loop(world: World, settings: Any) -> tuple[RecorderLoop, Held, capture.StreamCapture]:
    """A loop holding camera A1 (recorded continuously) with one stream capture of run ``RUN``, no ffmpeg."""
    gateway = gateway_from_settings()
    world.camera_a1.gateway = gateway
    world.camera_a1.save(update_fields=["gateway"])
    RecordingSettings.objects.create(camera=world.camera_a1, mode="continuous")
    plan = recording_plan(gateway.pk)[world.camera_a1.pk]
    loop = RecorderLoop(recorders.register("indexing-test", gateway), gateway)
    lease = leases.Lease(world.camera_a1.pk, settings.CCTV_RECORDING_LEASE_SECONDS, owner="indexing-test")
    assert lease.acquire()
    held = Held(plan, lease)
    directory = layout.incoming_dir(plan.camera_public_id, "main")
    directory.mkdir(parents=True, exist_ok=True)
    stream_capture = capture.StreamCapture(plan.camera_id, "main", "rtsp://unused", directory, queue.Queue())
    stream_capture.run = RUN
    held.captures["main"] = stream_capture
    loop.held[plan.camera_id] = held
    return loop, held, stream_capture


def _closed(stream_capture: capture.StreamCapture, source: Path, opened: datetime, data: bytes | None = None
            ) -> capture.Closed:
    """Put ``source`` (or ``data``) in the incoming directory as ffmpeg names it, and the list line's event."""
    path = stream_capture.directory / opened.strftime(layout.incoming_pattern(RUN))
    if data is None:
        shutil.copyfile(source, path)
    else:
        path.write_bytes(data)
    entry = ffmpeg.ListEntry(path.name, 0.0, 2.0)
    return capture.Closed(stream_capture.key, RUN, entry, opened + timedelta(seconds=2))


def _left(stream_capture: capture.StreamCapture) -> list[Path]:
    return sorted(stream_capture.directory.glob("*.mp4"))


@pytest.mark.django_db(transaction=True)  # the scan starts with close_old_connections, as in the recorder
def test_a_closed_file_the_database_refused_is_indexed_by_the_next_scan(
        world: World, footage_root: Path, fmp4_files: list[Path], settings: Any, monkeypatch: pytest.MonkeyPatch,
) -> None:
    loop, held, stream_capture = _loop(world, settings)
    opened = datetime.now(tz=UTC).replace(microsecond=0) - timedelta(seconds=30)
    event = _closed(stream_capture, fmp4_files[0], opened)

    with monkeypatch.context() as patch:
        patch.setattr(index, "add_segment", lambda new: (_ for _ in ()).throw(OperationalError("database gone")))
        with pytest.raises(OperationalError):
            loop._handle(event)
    assert len(_left(stream_capture)) == 1 and not Segment.objects.exists()

    loop._scan()  # the database answers again; the run is still going (recovery alone would skip its files)

    segment = Segment.objects.get()
    assert segment.run == RUN and layout.path_of(segment.key).exists()
    assert _left(stream_capture) == [] and stream_capture.unindexed == []
    assert stream_capture.segments_in_run == 1  # it counts as the run's progress


def test_a_closed_file_that_is_not_whole_is_trimmed_to_its_fragments_at_once(
        world: World, footage_root: Path, fmp4_files: list[Path], settings: Any,
) -> None:
    loop, held, stream_capture = _loop(world, settings)
    opened = datetime.now(tz=UTC).replace(microsecond=0) - timedelta(seconds=30)
    whole = fmp4_files[1].read_bytes()

    loop._handle(_closed(stream_capture, fmp4_files[1], opened, data=whole[:-500]))

    segment = Segment.objects.get()
    assert segment.duration == pytest.approx(1.0, abs=0.07)  # the first of its two one-second fragments
    assert _left(stream_capture) == []


def test_a_clean_stop_indexes_what_the_run_left_even_a_file_just_written(
        world: World, footage_root: Path, fmp4_files: list[Path], settings: Any,
) -> None:
    loop, held, stream_capture = _loop(world, settings)
    opened = datetime.now(tz=UTC).replace(microsecond=0) - timedelta(seconds=4)
    _closed(stream_capture, fmp4_files[2], opened)  # on disk, its list line never handled

    loop.shutdown()

    segment = Segment.objects.get()
    assert segment.start == opened and segment.run == RUN
    assert _left(stream_capture) == [] and loop.held == {}
