"""Benchmark: exporting a 1-hour range of recorded footage to one MP4 (stream copy): wall time, CPU, speed.

    .venv/bin/python -m bench.export_range [--size 640x360] [--bitrate 1M] [--repeat 3]

The footage is made once and kept under ``var/bench/``: one ffmpeg run of a
15 fps test pattern with a keyframe every 2 s, cut by the segment muxer with
the recorder's options into 360 segments of 10 s. Each run indexes them
(SQLite in a temporary directory, the files hard-linked into a recordings
root), requests the range through ``recordings.clips.range_exports`` and runs the
export task's body in this process: the index query, the cut plan, ffmpeg's
concat stream copy, hashing and writing into clip storage. CPU is this
process's plus its reaped children's (ffmpeg). Goal: at least 50x real time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import tempfile
import time
from datetime import timedelta
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
SEGMENTS = 360
SEGMENT_SECONDS = 10
FPS = 15
KEYFRAME_SECONDS = 2


def footage(size: str, bitrate: str) -> list[Path]:
    """The hour of segments, made on first use."""
    from recordings.footage.ffmpeg import MP4_OPTIONS

    directory = REPO_ROOT / "var" / "bench" / f"export-range-{size}-{bitrate}-g{KEYFRAME_SECONDS}"
    files = sorted(directory.glob("part-*.mp4"))
    if len(files) == SEGMENTS:
        return files
    directory.mkdir(parents=True, exist_ok=True)
    for stale in files:
        stale.unlink()
    print(f"making {SEGMENTS} segments of {SEGMENT_SECONDS} s ({size}, {bitrate}bit/s) once, in {directory} ...")
    subprocess.run(  # noqa: S603  (a fixed command line)
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi", "-i", f"testsrc2=size={size}:rate={FPS}",  # noqa: S607
         "-t", str(SEGMENTS * SEGMENT_SECONDS), "-c:v", "libx264", "-preset", "ultrafast", "-b:v", bitrate,
         "-maxrate", bitrate, "-bufsize", bitrate, "-g", str(FPS * KEYFRAME_SECONDS), "-pix_fmt", "yuv420p",
         "-f", "segment", "-segment_format", "mp4", "-segment_format_options", MP4_OPTIONS,
         "-segment_time", str(SEGMENT_SECONDS), str(directory / "part-%04d.mp4")],
        check=True,
    )  # fmt: skip
    return sorted(directory.glob("part-*.mp4"))


def setup_django(work: Path) -> None:
    os.environ.update({
        "DJANGO_SETTINGS_MODULE": "portal.settings", "DJANGO_DEBUG": "true", "CCTV_DATA_DIR": str(work),
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}", "REDIS_URL": "", "CELERY_BROKER_URL": "",
        "CCTV_RECORDINGS_DIR": str(work / "recordings"),
    })  # fmt: skip
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def index_hour(files: list[Path]):  # type: ignore[no-untyped-def]
    """A camera whose hour of footage is indexed (files hard-linked where the recorder puts them)."""
    from django.utils import timezone

    from accounts.roles import Role
    from recordings.footage import index, layout
    from recordings.footage.mp4 import read_facts
    from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user

    organization = make_organization("Bench")
    camera = make_camera(make_site(organization, "Bench site"), "Bench camera")
    user = make_user("bench@example.test")
    make_member(user, organization, Role.OPERATOR)
    start = (timezone.now() - timedelta(hours=2)).replace(microsecond=0)
    moment = start
    for path in files:
        facts = read_facts(path)
        key = layout.segment_key(organization.pk, camera.public_id, "main", moment, "0badcafe")
        target = layout.root() / key
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(path, target)
        index.add_segment(index.NewSegment(
            organization_id=organization.pk, camera_id=camera.pk, stream="main", kind="continuous", start=moment,
            facts=facts, run="0badcafe", key=key, sha256="0" * 64, local_day=moment.date(),
        ))  # fmt: skip
        moment += timedelta(seconds=facts.duration)
    return user, camera, start


def cpu_seconds() -> tuple[float, float]:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def export_once(user, camera, start) -> tuple[float, float, float, object]:  # type: ignore[no-untyped-def]
    from portal import work
    from recordings.clips import range_exports
    from recordings.models import Clip

    end = start + timedelta(seconds=SEGMENTS * SEGMENT_SECONDS)
    with work.captured():  # the bench cuts the clip itself, below, instead of a worker
        clip = range_exports.request_range_clip(user, camera.public_id, start, end, "main")
    own_before, children_before = cpu_seconds()
    began = time.perf_counter()
    range_exports.cut_range_clip(clip.pk, task_id=clip.task_id, last_try=True)
    wall = time.perf_counter() - began
    own_after, children_after = cpu_seconds()
    return wall, own_after - own_before, children_after - children_before, Clip.objects.get(pk=clip.pk)


def probe_duration(path: Path) -> float:
    argv = ["ffprobe", "-v", "error", "-show_entries", "format=duration", "-of", "csv=p=0", str(path)]
    result = subprocess.run(argv, capture_output=True, text=True, check=True)  # noqa: S603, S607
    return float(result.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="640x360")
    parser.add_argument("--bitrate", default="1M")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    files = footage(args.size, args.bitrate)
    with tempfile.TemporaryDirectory(prefix="bench-export-range-") as work:
        setup_django(Path(work))
        user, camera, start = index_hour(files)
        from recordings import storage

        runs = []
        for _ in range(args.repeat):
            wall, own, ffmpeg, clip = export_once(user, camera, start)
            if clip.status != "ready":
                raise SystemExit(f"the export failed: {clip.reason}")
            runs.append((wall, own, ffmpeg))
        path = Path(storage.clip_storage().path(clip.file.name))
        seconds = SEGMENTS * SEGMENT_SECONDS
        wall = statistics.median(run[0] for run in runs)
        own = statistics.median(run[1] for run in runs)
        ffmpeg = statistics.median(run[2] for run in runs)
        print(f"footage: {seconds} s")
        print(f"segments: {len(files)} count")
        print(f"footage_size: {sum(p.stat().st_size for p in files) / 1e6:.1f} MB")
        print(f"output_size: {clip.size / 1e6:.1f} MB")
        print(f"output_duration: {probe_duration(path):.2f} s")
        print(f"runs: {len(runs)} count")
        print(f"wall_time_median: {wall:.2f} s")
        print(f"wall_time_max: {max(run[0] for run in runs):.2f} s")
        print(f"cpu_time_median: {own + ffmpeg:.2f} s")
        print(f"cpu_time_portal_median: {own:.2f} s")
        print(f"cpu_time_ffmpeg_median: {ffmpeg:.2f} s")
        print(f"speed_median: {seconds / wall:.0f} x real time")
        print(f"speed_worst: {seconds / max(run[0] for run in runs):.0f} x real time")


if __name__ == "__main__":
    main()
