"""Recorded footage for range-export tests: real fMP4 segments (ffmpeg) indexed as the recorder would."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from cameras.models import Camera
from recordings.footage import index
from recordings.footage.checksums import sha256_of
from recordings.footage.models import RecordingMode, RecordingSettings, Segment
from recordings.footage.mp4 import read_facts
from tests.footage.helpers import place

SEGMENT_SECONDS = 10
FPS = 15
KEYFRAME_SECONDS = 2


def make_recording(directory: Path, *, count: int, segment_seconds: int = SEGMENT_SECONDS,
                   keyframe_seconds: int = KEYFRAME_SECONDS, size: str = "320x180") -> list[Path]:
    """One ffmpeg run cut into ``count`` fragmented MP4 segments with the recorder's options."""
    from recordings.footage.ffmpeg import MP4_OPTIONS

    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={FPS}",
         "-t", str(count * segment_seconds), "-c:v", "libx264", "-preset", "ultrafast",
         "-g", str(FPS * keyframe_seconds), "-pix_fmt", "yuv420p",
         "-f", "segment", "-segment_format", "mp4", "-segment_format_options", MP4_OPTIONS,
         "-segment_time", str(segment_seconds), str(directory / "part-%04d.mp4")],
        check=True, timeout=300,
    )  # fmt: skip
    return sorted(directory.glob("part-*.mp4"))


def index_recording(camera: Camera, start: datetime, files: list[Path], *, leave_out: Iterable[int] = (),
                    stream: str = "main") -> list[Segment]:
    """Place and index the files back to back from ``start``; the ones numbered in ``leave_out`` make gaps."""
    segments, moment, skipped = [], start, set(leave_out)
    for number, path in enumerate(files):
        facts = read_facts(path)
        if number not in skipped:
            key = place(path, camera, moment, stream)
            segment = index.add_segment(index.NewSegment(
                organization_id=camera.site.organization_id, camera_id=camera.pk, stream=stream,
                kind="continuous", start=moment, facts=facts, run="0badcafe", key=key, sha256=sha256_of(path),
                local_day=moment.date(),
            ))  # fmt: skip
            assert segment is not None
            segments.append(segment)
        moment += timedelta(seconds=facts.duration)
    return segments


def set_recording(camera: Camera, mode: str = RecordingMode.CONTINUOUS) -> None:
    RecordingSettings.objects.update_or_create(camera=camera, defaults={"mode": mode})


def probe(path: Path) -> dict:
    """ffprobe's view of a file: format (duration, tags) and streams (codec, size, frames)."""
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries",
         "format=format_name,duration:format_tags:stream=codec_type,codec_name,width,height",
         "-of", "json", str(path)],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


def first_frame_is_keyframe(path: Path) -> bool:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-read_intervals", "%+#1", "-show_entries",
         "frame=key_frame", "-of", "csv=p=0", str(path)],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return result.stdout.strip().splitlines()[0].strip().startswith("1")
