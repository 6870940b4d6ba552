"""Builders for footage tests: index rows with plausible facts, and real fMP4 segments made by ffmpeg."""

from __future__ import annotations

import shutil
import subprocess
from datetime import datetime, timedelta
from pathlib import Path

from cameras.models import Camera
from recordings.footage import index, layout
from recordings.footage.models import Segment, SegmentKind
from recordings.footage.mp4 import MediaFacts

RUN = "0badcafe"


def facts(duration: float = 10.0, size: int = 1000) -> MediaFacts:
    return MediaFacts(init_size=700, size=size, codec="h264", codecs="avc1.640029", width=640, height=360,
                      has_audio=False, duration=duration, decode_start=0.0, keyframes=(0.0, 3.333, 6.667))


def add(camera: Camera, start: datetime, seconds: float = 10.0, *, stream: str = "main", size: int = 1000,
        kind: str = SegmentKind.CONTINUOUS) -> Segment:
    """Index a segment (no file) through the service, counters included."""
    key = layout.segment_key(camera.site.organization_id, camera.public_id, stream, start, RUN)
    segment = index.add_segment(index.NewSegment(
        organization_id=camera.site.organization_id, camera_id=camera.pk, stream=stream, kind=kind, start=start,
        facts=facts(seconds, size), run=RUN, key=key, sha256="0" * 64, local_day=start.date(),
    ))  # fmt: skip
    assert segment is not None
    return segment


def run_of(camera: Camera, start: datetime, count: int, seconds: float = 10.0, **kwargs: object) -> list[Segment]:
    """``count`` back-to-back segments from ``start``."""
    return [add(camera, start + timedelta(seconds=seconds * i), seconds, **kwargs) for i in range(count)]


def make_fmp4_segments(directory: Path, *, seconds: int = 6, segment_seconds: int = 2) -> list[Path]:
    """Real fragmented MP4 segments, cut by ffmpeg's segment muxer with the recorder's options."""
    from recordings.footage.ffmpeg import MP4_OPTIONS

    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=15",
         "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-g", "15", "-pix_fmt", "yuv420p",
         "-f", "segment", "-segment_format", "mp4", "-segment_format_options", MP4_OPTIONS,
         "-segment_time", str(segment_seconds), str(directory / "part-%03d.mp4")],
        check=True, timeout=60,
    )  # fmt: skip
    return sorted(directory.glob("part-*.mp4"))


def place(source: Path, camera: Camera, start: datetime, stream: str = "main") -> str:
    """Copy a real segment file into the recordings root where the recorder would put it; returns its key."""
    key = layout.segment_key(camera.site.organization_id, camera.public_id, stream, start, RUN)
    target = layout.root() / key
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return key


def with_file(segment: Segment, size: int | None = None) -> Segment:
    """Give an indexed segment a file of its size (zeros) where the recorder would have put it."""
    path = layout.path_of(segment.key)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\0" * (segment.bytes if size is None else size))
    return segment


def ended_ago(camera: Camera, now: datetime, *, days: float = 0, minutes: float = 0, seconds: float = 10.0,
              size: int = 1000, kind: str = SegmentKind.CONTINUOUS, has_motion: bool = False,
              stream: str = "main") -> Segment:
    """A segment (with its file) that ended that long before ``now``."""
    end = now - timedelta(days=days, minutes=minutes)
    segment = add(camera, end - timedelta(seconds=seconds), seconds, size=size, kind=kind, stream=stream)
    if has_motion:
        Segment.objects.filter(pk=segment.pk).update(has_motion=True)
        segment.has_motion = True
    return with_file(segment)


# The smallest JPEG files a test needs: the bytes only matter where a test decodes them.
JPEG_BYTES = b"\xff\xd8\xff\xe0" + b"thumbnail" * 20 + b"\xff\xd9"


def thumbnail_for(segment: Segment, minute: datetime | None = None, content: bytes = JPEG_BYTES):  # type: ignore[no-untyped-def]
    """Index a preview picture taken from ``segment`` (its interval unless ``minute``), as the recorder would."""
    from recordings.footage import thumbnails

    jpeg = layout.root() / layout.INCOMING / "thumbs" / f"test-{segment.pk}.jpg"
    jpeg.parent.mkdir(parents=True, exist_ok=True)
    jpeg.write_bytes(content)
    return thumbnails.record(segment.pk, minute or thumbnails.bucket_of(segment.start), jpeg)
