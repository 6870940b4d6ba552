"""Benchmark: clip export cost, wall time and CPU, for clips of several lengths.

    .venv/bin/python -m bench.clip_export [--lengths 10,60,300] [--no-baseline]

Starts the stack (camera simulator, go2rtc gateway, PostgreSQL, Redis) and
one real Celery worker on the ``exports`` queue, then exports one clip per
length through ``recordings.clips.services.request_clip``, one after the other.
For each it prints the wall time from request to ``ready`` relative to the
clip's length, and the CPU seconds per clip second of the export process:
the worker itself and its ffmpeg child (read from /proc: the child's CPU is
added to the worker's ``cutime``/``cstime`` once the worker reaps it). For
contrast, the baseline re-encodes the same restream with libx264 for the
shortest length: that is what a transcoding export would cost.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.stack import running_stack
from tests.support.services import REPO_ROOT


@dataclass
class Export:
    length: int
    wall: float
    worker_cpu: float
    ffmpeg_cpu: float
    size: int
    status: str
    reason: str


def cpu_split(pid: int) -> tuple[float, float]:
    """(own CPU seconds, CPU seconds of reaped children) of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / tick, (int(fields[13]) + int(fields[14])) / tick


def start_worker(log_dir: Path) -> subprocess.Popen:
    log = open(log_dir / "worker.log", "ab")  # noqa: SIM115  (the child owns it)
    return subprocess.Popen(  # noqa: S603
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-Q", "exports", "-l", "warning",
         "--without-mingle", "--without-gossip", "--without-heartbeat"],
        cwd=REPO_ROOT, env=dict(os.environ), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip


def export_one(worker_pid: int, user, camera, length: int) -> Export:  # type: ignore[no-untyped-def]
    from recordings.clips import services as exports
    from recordings.models import Clip

    own_before, children_before = cpu_split(worker_pid)
    started = time.monotonic()
    clip = exports.request_clip(user, camera.public_id, length)
    deadline = started + length + 120
    while time.monotonic() < deadline:
        clip = Clip.objects.get(pk=clip.pk)
        if clip.status in ("ready", "failed"):
            break
        time.sleep(0.1)
    wall = time.monotonic() - started
    own_after, children_after = cpu_split(worker_pid)
    return Export(length, wall, own_after - own_before, children_after - children_before, clip.size or 0,
                  clip.status, clip.reason)


def transcode_baseline(source: str, length: int) -> float:
    """CPU seconds per clip second of re-encoding the restream (what stream copy avoids)."""
    ffmpeg = shutil.which("ffmpeg") or "/usr/bin/ffmpeg"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(  # noqa: S603  (fixed argv)
        [ffmpeg, "-nostdin", "-loglevel", "error", "-rtsp_transport", "tcp", "-i", source, "-t", str(length),
         "-c:v", "libx264", "-preset", "veryfast", "-an", "-f", "mp4", "-y", os.devnull],
        check=True, timeout=length + 60,
    )  # fmt: skip
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime) / length


def wait_until_recording_works(worker_pid: int, user, camera) -> None:  # type: ignore[no-untyped-def]
    """One short warm-up export: worker booted, stream on the gateway, source connected."""
    for _ in range(30):
        if export_one(worker_pid, user, camera, 1).status == "ready":
            return
        time.sleep(1)
    raise RuntimeError("the warm-up clip never became ready; see the worker log")


def report(exports_done: list[Export], baseline: float | None) -> None:
    for result in exports_done:
        name = f"clip_{result.length}s"
        if result.status != "ready":
            print(f"{name}_status: {result.status} ({result.reason})")
            continue
        print(f"{name}_wall_time: {result.wall:.2f} s")
        print(f"{name}_wall_per_clip_second: {result.wall / result.length:.3f} x")
        print(f"{name}_overhead: {result.wall - result.length:.2f} s")
        print(f"{name}_cpu_ffmpeg_per_clip_second: {result.ffmpeg_cpu / result.length:.4f} s/s")
        print(f"{name}_cpu_worker_per_clip_second: {result.worker_cpu / result.length:.4f} s/s")
        print(f"{name}_cpu_total_per_clip_second: {(result.ffmpeg_cpu + result.worker_cpu) / result.length:.4f} s/s")
        print(f"{name}_size: {result.size / 1e6:.2f} MB")
    if baseline is not None:
        print(f"transcode_baseline_cpu_per_clip_second: {baseline:.4f} s/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lengths", default="10,60,300", help="clip lengths in seconds, comma-separated")
    parser.add_argument("--no-baseline", action="store_true", help="skip the libx264 re-encoding baseline")
    args = parser.parse_args()
    lengths = [int(value) for value in args.lengths.split(",") if value.strip()]
    data_dir = Path(tempfile.mkdtemp(prefix="cctv-bench-clips-"))
    with running_stack(cameras=1, users=1, sources=1, env={"CCTV_DATA_DIR": str(data_dir)}) as stack:
        from accounts.roles import Role
        from cameras.gateways import restream_url
        from cameras.streams import stream_name
        from tests.support.factories import make_member, make_user

        camera = stack.cameras[0]
        operator = make_user()
        make_member(operator, camera.site.organization, Role.OPERATOR)
        worker = start_worker(data_dir)
        try:
            wait_until_recording_works(worker.pid, operator, camera)
            results = [export_one(worker.pid, operator, camera, length) for length in lengths]
            baseline = None
            if not args.no_baseline:
                source = restream_url(camera.gateway, stream_name(camera.public_id))
                baseline = transcode_baseline(source, min(lengths))
        finally:
            worker.terminate()
            worker.wait(timeout=30)
    shutil.rmtree(data_dir, ignore_errors=True)
    print(f"cpu_cores: {os.cpu_count()}")
    report(results, baseline)


if __name__ == "__main__":
    main()
