"""Timeline preview thumbnails: taking them from real segments, the index, removal with their footage, the check."""

from __future__ import annotations

import json
import os
import queue
import stat
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db.models import Sum
from django.utils import timezone

from recordings.footage import holds, housekeeping, layout, removal, thumbnailer, thumbnails
from recordings.footage.check import check
from recordings.footage.models import CameraUsage, OrganizationUsage, Segment, Thumbnail
from tests.conftest import World
from tests.footage.helpers import JPEG_BYTES, ended_ago, thumbnail_for

T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)


def _probe(path: Path) -> dict:
    result = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width,height", "-of",
                             "json", str(path)], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(result.stdout)["streams"][0]


def _age(path: Path, seconds: float = 600) -> None:
    old = time.time() - seconds
    os.utime(path, (old, old))


def _there(thumbnail: Thumbnail) -> tuple[bool, bool]:
    """Whether the thumbnail's row and its file are still there."""
    return Thumbnail.objects.filter(pk=thumbnail.pk).exists(), thumbnails.path_of(thumbnail.key).exists()


# --- names and intervals --------------------------------------------------------------------


def test_intervals_keys_and_stamps_round_trip(settings, footage_root: Path) -> None:  # type: ignore[no-untyped-def]
    camera_id = __import__("uuid").UUID(int=7)
    moment = T0 + timedelta(seconds=83, microseconds=5)

    minute = thumbnails.bucket_of(moment)
    key = thumbnails.thumbnail_key(3, camera_id, minute)

    assert minute == T0 + timedelta(minutes=1)
    assert key == f"3/{camera_id.hex}/thumbs/2026-03-01/20260301T080100Z.jpg"
    assert thumbnails.parse_thumbnail_key(key) == thumbnails.ThumbnailKey(3, camera_id, minute)
    assert thumbnails.parse_stamp(thumbnails.stamp(minute)) == minute
    assert thumbnails.bucket_of(moment, timedelta(seconds=4)) == T0 + timedelta(seconds=80)
    assert layout.parse_key(key) is None  # never mistaken for a segment
    for odd in ("3/../thumbs/2026-03-01/20260301T080100Z.jpg", f"3/{camera_id.hex}/thumbs/2026-03-02/"
                "20260301T080100Z.jpg", f"3/{camera_id.hex}/main/2026-03-01/20260301T080100Z.jpg"):
        assert thumbnails.parse_thumbnail_key(odd) is None
        with pytest.raises(ValueError):
            thumbnails.path_of(odd)
    assert thumbnails.source_stream(("main", "sub")) == "sub"
    assert thumbnails.source_stream(("main",)) == "main"


# --- taking pictures (real ffmpeg, real fMP4 segments) ------------------------------------------


def test_a_picture_is_the_first_keyframe_of_a_real_segment_scaled_to_160_px(footage_root: Path,
                                                                          fmp4_files: list[Path]) -> None:
    events: queue.Queue = queue.Queue()
    taker = thumbnailer.Thumbnailer(events)

    taken = taker.take(thumbnailer.Job(5, 9, T0, fmp4_files[0]))

    assert taken.key == (5, "thumbnail") and (taken.segment_id, taken.minute) == (9, T0)
    assert taken.jpeg is not None and taken.jpeg.parent == thumbnailer.incoming_dir()
    assert _probe(taken.jpeg) == {"codec_name": "mjpeg", "width": 160, "height": 90}
    assert (taker.costs.taken, taker.costs.failed) == (1, 0)
    assert taker.costs.cpu_seconds > 0  # the child's own CPU time was read (wait4)


def test_a_file_ffmpeg_cannot_read_gives_no_picture_and_leaves_nothing(footage_root: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.mp4"
    broken.write_bytes(b"not a movie")
    taker = thumbnailer.Thumbnailer(queue.Queue())

    taken = taker.take(thumbnailer.Job(5, 9, T0, broken))

    assert taken.jpeg is None
    assert list(thumbnailer.incoming_dir().iterdir()) == []
    assert taker.costs.failed == 1


def test_an_ffmpeg_that_overruns_its_timeout_is_killed(settings, footage_root: Path, tmp_path: Path,  # type: ignore[no-untyped-def]
                                                       fmp4_files: list[Path]) -> None:
    stuck = tmp_path / "stuck-ffmpeg"
    stuck.write_text("#!/bin/sh\necho $$ > \"$(dirname \"$0\")/pid\"\nexec sleep 600\n")
    stuck.chmod(stuck.stat().st_mode | stat.S_IEXEC)
    settings.CCTV_FFMPEG_BIN = str(stuck)

    ok, _ = thumbnailer.extract(fmp4_files[0], tmp_path / "out.jpg", width=160, timeout=0.5)

    assert ok is False
    pid = int((tmp_path / "pid").read_text())
    assert not Path(f"/proc/{pid}").exists()  # killed and reaped, not left behind
    assert not (tmp_path / "out.jpg").exists()


@pytest.mark.django_db
def test_only_the_first_segment_of_each_interval_of_the_thumbnail_stream_becomes_a_job(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    taker = thumbnailer.Thumbnailer(queue.Queue())
    monkeypatch.setattr(taker, "_ensure_thread", lambda: None)  # the jobs stay in the queue, to be read here
    both = ("main", "sub")
    source = Path("segment.mp4")

    offers = [
        taker.offer(1, "main", both, 10, T0 + timedelta(seconds=1), source),  # not the thumbnail stream
        taker.offer(1, "sub", both, 11, T0 + timedelta(seconds=1), source),  # first of 08:00
        taker.offer(1, "sub", both, 12, T0 + timedelta(seconds=11), source),  # 08:00 again
        taker.offer(2, "main", ("main",), 13, T0 + timedelta(seconds=11), source),  # another camera, main only
        taker.offer(1, "sub", both, 14, T0 + timedelta(seconds=61), source),  # 08:01
    ]

    assert offers == [False, True, False, True, True]
    jobs = [taker.jobs.get_nowait() for _ in range(3)]
    assert [(job.camera_id, job.segment_id, job.minute) for job in jobs] == [
        (1, 11, T0), (2, 13, T0), (1, 14, T0 + timedelta(minutes=1))]


@pytest.mark.django_db
def test_no_picture_is_taken_when_they_are_turned_off(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    settings.CCTV_THUMBNAIL_SECONDS = 0
    taker = thumbnailer.Thumbnailer(queue.Queue())
    monkeypatch.setattr(taker, "_ensure_thread", lambda: None)

    assert taker.offer(1, "main", ("main",), 10, T0, Path("segment.mp4")) is False
    assert taker.jobs.empty()
    assert thumbnails.interval() == timedelta(minutes=1)  # the pictures taken before are still read by minute


@pytest.mark.django_db
def test_a_full_queue_drops_the_job_and_the_intervals_next_segment_is_offered_again(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    taker = thumbnailer.Thumbnailer(queue.Queue())
    monkeypatch.setattr(taker, "_ensure_thread", lambda: None)
    for camera in range(thumbnailer.PENDING):
        assert taker.offer(camera, "main", ("main",), camera, T0, Path("s.mp4"))

    assert taker.offer(99, "main", ("main",), 99, T0, Path("s.mp4")) is False
    taker.jobs.get_nowait()
    assert taker.offer(99, "main", ("main",), 100, T0 + timedelta(seconds=10), Path("s.mp4")) is True
    assert taker.costs.dropped == 1


# --- the index and removal ---------------------------------------------------------------------


@pytest.fixture
def now(footage_root: Path) -> datetime:
    return timezone.now()


@pytest.mark.django_db
@pytest.mark.sqlite
def test_one_picture_per_camera_and_minute_is_indexed_and_the_counters_do_not_move(world: World,
                                                                                  now: datetime) -> None:
    segment = ended_ago(world.camera_a1, now, minutes=5)
    usage = (CameraUsage.objects.get(camera=world.camera_a1).bytes, OrganizationUsage.objects.get().bytes)

    first = thumbnail_for(segment)
    again = thumbnail_for(segment, content=b"another picture")

    assert first is not None and again is None
    assert (first.camera_id, first.organization_id, first.minute, first.bytes) == (
        world.camera_a1.pk, world.org_a.pk, thumbnails.bucket_of(segment.start), len(JPEG_BYTES))
    assert thumbnails.path_of(first.key).read_bytes() == JPEG_BYTES  # the second picture left nothing
    assert list((layout.root() / layout.INCOMING / "thumbs").iterdir()) == []
    assert thumbnails.minutes_in_range(world.camera_a1.pk, segment.start, segment.end) == [first.minute]
    assert thumbnails.minutes_in_range(world.camera_a2.pk, segment.start, segment.end) == []
    assert (CameraUsage.objects.get(camera=world.camera_a1).bytes, OrganizationUsage.objects.get().bytes) == usage


@pytest.mark.django_db
@pytest.mark.sqlite
def test_a_picture_of_footage_deleted_meanwhile_is_not_indexed(world: World, now: datetime) -> None:
    segment = ended_ago(world.camera_a1, now, minutes=5)
    removal.delete_segments([segment.pk])

    assert thumbnail_for(segment) is None
    assert Thumbnail.objects.count() == 0
    assert not any(layout.root().rglob("*.jpg"))


@pytest.mark.django_db
@pytest.mark.sqlite
def test_retention_removes_a_pictures_file_and_row_with_its_footage_and_a_hold_spares_both(world: World,
                                                                                          now: datetime) -> None:
    expired = ended_ago(world.camera_a1, now, days=9)
    held = ended_ago(world.camera_a1, now, days=9.5)
    recent = ended_ago(world.camera_a1, now, days=1)
    pictures = [thumbnail_for(segment) for segment in (expired, held, recent)]
    holds.create_hold(world.admin, world.camera_a1.public_id, start=held.start, end=held.end, reason="Case 9")

    housekeeping.expire_footage(now, batch_size=100)

    assert [_there(picture) for picture in pictures] == [(False, False), (True, True), (True, True)]


@pytest.mark.django_db
@pytest.mark.sqlite
@pytest.mark.parametrize("by", ["quota", "volume guard"])
def test_the_quota_and_the_volume_guard_take_the_pictures_with_the_oldest_footage(world: World, now: datetime,
                                                                                   settings, by: str) -> None:  # type: ignore[no-untyped-def]
    from recordings.footage.models import StoragePolicy
    from tests.footage.test_guard import SmallDisk

    megabytes = 1_000_000
    oldest = ended_ago(world.camera_a1, now, minutes=30, size=4 * megabytes)
    newest = ended_ago(world.camera_a1, now, minutes=2, size=4 * megabytes)
    pictures = [thumbnail_for(oldest), thumbnail_for(newest)]

    if by == "quota":
        StoragePolicy.objects.create(organization=world.org_a, quota_bytes=5 * megabytes)
        housekeeping.enforce_quotas(batch_size=100)
    else:  # a 10 MB disk with a 3 MB floor: 2 MB free, the oldest segment goes
        settings.CCTV_RECORDING_MIN_FREE_BYTES, settings.CCTV_RECORDING_MIN_FREE_PERCENT = 3 * megabytes, 0
        housekeeping.guard_volume(100, probe=SmallDisk(layout.root(), total=10 * megabytes, other=0))

    assert [_there(picture) for picture in pictures] == [(False, False), (True, True)]
    assert Segment.objects.aggregate(total=Sum("bytes"))["total"] == 4 * megabytes


@pytest.mark.django_db
@pytest.mark.sqlite
def test_the_check_knows_pictures_and_repairs_strays_and_missing_files(world: World, now: datetime) -> None:
    segment = ended_ago(world.camera_a1, now, minutes=5)
    kept = thumbnail_for(segment)
    lost = thumbnail_for(segment, minute=kept.minute + timedelta(minutes=1))
    thumbnails.path_of(lost.key).unlink()
    stray = layout.root() / thumbnails.thumbnail_key(world.org_a.pk, world.camera_a1.public_id,
                                                     kept.minute + timedelta(minutes=2))
    stray.write_bytes(JPEG_BYTES)
    for path in [*layout.root().rglob("*.jpg"), *layout.root().rglob("*.mp4")]:
        _age(path)
    Thumbnail.objects.update(created_at=now - timedelta(hours=1))
    Segment.objects.update(created_at=now - timedelta(hours=1))

    report = check(repair=True)

    assert report.rows_without_files == [lost.key]
    assert report.files_without_rows == [stray.relative_to(layout.root()).as_posix()]
    assert report.size_mismatches == []
    assert not stray.exists() and not Thumbnail.objects.filter(pk=lost.pk).exists()
    assert _there(kept) == (True, True)
    assert check().problems == 0  # the picture with its row was never a stray


@pytest.mark.django_db
@pytest.mark.sqlite
def test_repairing_a_segment_whose_file_is_gone_removes_its_picture(world: World, now: datetime) -> None:
    segment = ended_ago(world.camera_a1, now, minutes=5)
    picture = thumbnail_for(segment)
    layout.path_of(segment.key).unlink()
    Segment.objects.update(created_at=now - timedelta(hours=1))

    check(repair=True)

    assert _there(picture) == (False, False)
    assert not Segment.objects.filter(pk=segment.pk).exists()


@pytest.mark.django_db
def test_stopping_finishes_the_queued_pictures_and_takes_no_new_ones(footage_root: Path,
                                                                     fmp4_files: list[Path]) -> None:
    """A recorder that stops still hands over the pictures of its last segments (nothing is left in hand)."""
    events: queue.Queue = queue.Queue()
    taker = thumbnailer.Thumbnailer(events)
    assert taker.offer(1, "main", ("main",), 7, T0, fmp4_files[0])
    assert taker.offer(2, "main", ("main",), 8, T0, fmp4_files[1])

    taker.stop()

    taken = [events.get_nowait() for _ in range(2)]
    assert sorted(item.segment_id for item in taken) == [7, 8] and all(item.jpeg.is_file() for item in taken)
    assert taker.offer(3, "main", ("main",), 9, T0, fmp4_files[2]) is False
    assert events.empty()


@pytest.mark.django_db
@pytest.mark.sqlite
def test_an_interval_whose_picture_a_previous_recorder_took_is_not_decoded_again(world: World, now: datetime,
                                                                                 monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A recorder that takes a camera over (or restarts) mid-minute: no job, for that segment or the minute's next."""
    first = ended_ago(world.camera_a1, now, minutes=5)
    thumbnail_for(first)
    taker = thumbnailer.Thumbnailer(queue.Queue())
    monkeypatch.setattr(taker, "_ensure_thread", lambda: None)
    minute = thumbnails.bucket_of(first.start)

    offers = [taker.offer(world.camera_a1.pk, "main", ("main",), first.pk, minute + timedelta(seconds=s),
                          layout.path_of(first.key)) for s in (10, 20)]

    assert offers == [False, False] and taker.jobs.empty()


@pytest.mark.django_db
def test_an_indexed_minute_picture_serves_the_cameras_live_tiles_until_a_snapshot_is_cached(
        world: World, now: datetime) -> None:
    from django.core.cache import cache

    from cameras import snapshots

    segment = ended_ago(world.camera_a1, now, minutes=1)
    jpeg = layout.root() / layout.INCOMING / "thumbs" / "taken.jpg"
    jpeg.parent.mkdir(parents=True, exist_ok=True)
    jpeg.write_bytes(JPEG_BYTES)

    assert thumbnailer.index_taken(thumbnailer.Taken((world.camera_a1.pk, "thumbnail"), segment.pk,
                                                     thumbnails.bucket_of(segment.start), jpeg))

    assert snapshots.cached_recent(world.camera_a1) == JPEG_BYTES  # a live tile's picture (recent.jpg)
    assert snapshots.cached_recent(world.camera_a2) is None  # another camera's is not
    # A full-size snapshot, once someone took one, comes first.
    cache.set(snapshots._thumbnail_key(world.camera_a1), b"full size", 60)
    assert snapshots.cached_recent(world.camera_a1) == b"full size"
