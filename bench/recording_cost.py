"""Benchmark: what recording costs per camera, and whether every segment arrives.

    .venv/bin/python -m bench.recording_cost [--counts 1,10,50] [--duration 300] [--warmup 20]

For 1, 10 and 50 cameras of 1080p H.264 at about 4 Mbit/s, through go2rtc,
recorded by the real recorder (``manage.py record``, stream copy):

- **cameras**: a 1080p 25 fps clip (noisy test pattern, libx264 at 4 Mbit/s,
  a keyframe every 2 s, no B-frames, as cameras send) is encoded once and
  cached under ``var/bench/``; one ffmpeg per camera loops it into a camera
  simulator go2rtc with ``-stream_loop -1 -re -c copy``, so the simulator
  costs packet copying, not encoding;
- **gateway**: a go2rtc with the repository's ``go2rtc.yaml`` that pulls each
  camera from the simulator, as it would a real camera;
- **recorder**: ``manage.py record`` on PostgreSQL and Redis (the test
  tooling's throwaway servers), the cameras set to continuous recording.

Once every camera records (and ``--warmup`` seconds more, past the start-up
probing), CPU (``utime + stime`` from /proc, so other work on the machine
does not count) and memory are read every segment length for ``--duration``
seconds (default 300: 30 segments per camera, 1,500 at 50 cameras), aligned
so that exactly ``duration / segment length`` segments per camera start in
the window. Reported separately: the recorder process (Python), its ffmpeg
children, the gateway, the simulator and the publishing ffmpegs. Then, from
the index: segments expected and indexed, gaps in the window (the largest),
ffmpeg restarts, and the delay from a segment's end to its row (the row's
``created_at`` minus the segment's end: reading ffmpeg's list, hashing,
fsync, moving, the insert). Medians and p95 are over the per-interval
readings or the segments.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bench import procstat
from bench.stack import create_gateway_row, setup_django
from tests.support.media import Gateway, Go2RTCProcess, stop_processes
from tests.support.services import REPO_ROOT, Services, free_port, stop_process
from tests.support.waiting import wait_until

CACHE_DIR = REPO_ROOT / "var" / "bench"
CLIP_SECONDS = 20
CLIP_FPS = 25
CLIP_BITRATE = "4M"
MAX_CAMERAS = 50


def camera_clip() -> Path:
    """The looped camera picture, encoded once: 1080p, 25 fps, ~4 Mbit/s, keyframe every 2 s."""
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    clip = CACHE_DIR / f"camera-1080p-{CLIP_BITRATE}-{CLIP_SECONDS}s.mp4"
    if clip.exists():
        return clip
    partial = clip.with_suffix(".partial.mp4")
    # Temporal noise makes the encoder spend the whole bit rate, as a real scene does.
    subprocess.run(  # noqa: S603  (fixed argv)
        ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error",  # noqa: S607
         "-f", "lavfi", "-i", f"testsrc2=size=1920x1080:rate={CLIP_FPS},noise=alls=10:allf=t",
         "-t", str(CLIP_SECONDS), "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "main", "-bf", "0",
         "-g", str(2 * CLIP_FPS), "-keyint_min", str(2 * CLIP_FPS), "-sc_threshold", "0",
         "-b:v", CLIP_BITRATE, "-maxrate", CLIP_BITRATE, "-bufsize", "8M", "-pix_fmt", "yuv420p",
         "-movflags", "+faststart", "-y", str(partial)],
        check=True, timeout=600,
    )  # fmt: skip
    partial.rename(clip)
    return clip


def clip_mbit_per_second(clip: Path) -> float:
    argv = ["ffprobe", "-v", "error", "-show_entries", "format=bit_rate", "-of", "json", str(clip)]
    out = subprocess.run(argv, capture_output=True, text=True, check=True, timeout=30).stdout  # noqa: S603, S607
    return int(json.loads(out)["format"]["bit_rate"]) / 1e6


class LoopingCameras(Go2RTCProcess):
    """A camera simulator go2rtc with empty streams ``cam1``.., each fed by an ffmpeg looping the clip."""

    def __init__(self, count: int, clip: Path) -> None:
        self.rtsp_port = free_port()
        self.names = [f"cam{i}" for i in range(1, count + 1)]
        overrides = {
            "api": {"listen": f"127.0.0.1:{free_port()}"},
            "rtsp": {"listen": f"127.0.0.1:{self.rtsp_port}"},
            "webrtc": {"listen": ""},
            "log": {"level": "warn"},
            "streams": dict.fromkeys(self.names),
        }
        super().__init__("camera-simulator", [], overrides, {})
        self.clip = clip
        self.publishers: list[subprocess.Popen] = []

    def source(self, name: str) -> str:
        return f"rtsp://127.0.0.1:{self.rtsp_port}/{name}"

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.rtsp_port}"

    def publish(self, count: int) -> None:
        """Keep the first ``count`` cameras fed (starting the publishers missing)."""
        for name in self.names[len(self.publishers):count]:
            self.publishers.append(subprocess.Popen(  # noqa: S603
                ["ffmpeg", "-nostdin", "-hide_banner", "-loglevel", "error", "-re", "-stream_loop", "-1",  # noqa: S607
                 "-i", str(self.clip), "-c", "copy", "-f", "rtsp", "-rtsp_transport", "tcp", self.source(name)],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            ))  # fmt: skip
        wait_until(lambda: self.published() >= count, timeout=60, what=f"{count} cameras publishing",
                   otherwise=lambda: f"only {self.published()} publish:\n{self.log_text()[-2000:]}")

    def published(self) -> int:
        import httpx

        streams = httpx.get(f"http://127.0.0.1:{self.api_port}/api/streams", timeout=5).json() or {}
        return sum(1 for name in self.names if (streams.get(name) or {}).get("producers"))

    def publishers_cpu(self) -> float:
        return sum(procstat.cpu_seconds(process.pid) for process in self.publishers)

    def cleanup(self) -> None:
        stop_processes(self.publishers)
        super().cleanup()


# --- one measured configuration -----------------------------------------------------------------


@dataclass
class Reading:
    at: float
    recorder: float
    ffmpeg: float
    gateway: float
    simulator: float
    publishers: float


@dataclass
class Memory:
    recorder_rss: list[float] = field(default_factory=list)
    recorder_pss: list[float] = field(default_factory=list)
    ffmpeg_rss: list[float] = field(default_factory=list)  # each child, each reading
    ffmpeg_pss: list[float] = field(default_factory=list)
    family_rss: list[float] = field(default_factory=list)  # recorder + children, each reading
    family_pss: list[float] = field(default_factory=list)


@dataclass
class Phase:
    cameras: int
    window: tuple[datetime, datetime] = (datetime.min.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC))
    readings: list[Reading] = field(default_factory=list)
    memory: Memory = field(default_factory=Memory)
    startup_seconds: float = 0.0
    startup_cpu: float = 0.0
    load: list[float] = field(default_factory=list)


class Rig:
    """The running parts shared by every phase: services, simulator, gateway, the camera rows."""

    def __init__(self, clip: Path, segment_seconds: int, work: Path, profile: bool = False) -> None:
        self.profile = profile
        self.services = Services("postgresql")
        self.simulator = LoopingCameras(MAX_CAMERAS, clip)
        self.gateway = Gateway()
        self.segment_seconds = segment_seconds
        self.work = work
        self.cameras: list = []
        self.admin = None

    def start(self, cameras: int) -> None:
        self.services.start()
        setup_django({"CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS": self.simulator.host_port})
        self.simulator.start()
        self.gateway.start()
        self._seed(cameras)

    def _seed(self, count: int) -> None:
        from accounts.roles import Role
        from cameras import sync
        from cameras.models import Camera
        from tests.support.factories import make_member, make_organization, make_site, make_user

        row = create_gateway_row(self.gateway)
        org = make_organization("Bench Org")
        site = make_site(org, "Bench Site")
        self.admin = make_user()
        make_member(self.admin, org, Role.ADMIN)
        self.cameras = [
            Camera.objects.create(site=site, gateway=row, name=f"Bench {i + 1:03d}",
                                  main_source=self.simulator.source(self.simulator.names[i]))
            for i in range(count)
        ]
        sync.reconcile(row)

    def record_only(self, count: int) -> None:
        from recordings.footage import services

        for index, camera in enumerate(self.cameras):
            mode = "continuous" if index < count else "off"
            services.update_settings(self.admin, camera.public_id, mode=mode, stream="main")

    def start_recorder(self, name: str, root: Path) -> subprocess.Popen:
        log = open(self.work / f"recorder-{name}.log", "ab")  # noqa: SIM115  (the child owns it)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", "CCTV_RECORDINGS_DIR": str(root),
               "CCTV_RECORDING_SEGMENT_SECONDS": str(self.segment_seconds)}
        # With --profile, the main thread's CPU profile lands next to the log when the recorder stops.
        profile = ["-m", "bench.profiled", str(self.work / f"recorder-{name}.prof")] if self.profile else []
        return subprocess.Popen(  # noqa: S603
            [sys.executable, *profile, "manage.py", "record", "--name", name], cwd=REPO_ROOT, env=env,
            stdout=log, stderr=subprocess.STDOUT,
        )

    def reading(self, recorder: subprocess.Popen) -> Reading:
        own, children = procstat.family_cpu_seconds(recorder.pid)
        return Reading(time.monotonic(), own, children, procstat.cpu_seconds(self.gateway.process.pid),
                       procstat.cpu_seconds(self.simulator.process.pid), self.simulator.publishers_cpu())

    def stop(self) -> None:
        self.gateway.cleanup()
        self.simulator.cleanup()
        self.services.stop()


def all_recording(cameras: list) -> bool:
    from recordings.footage.models import HealthState, RecordingHealth

    ids = [camera.pk for camera in cameras]
    return RecordingHealth.objects.filter(camera_id__in=ids, state=HealthState.RECORDING).count() == len(ids)


def next_aligned(after: float, segment_seconds: int) -> float:
    """The first wall-clock time after ``after`` half a segment past a multiple of the segment length.

    Segments are cut on the first keyframe after each multiple; starting the
    window half a segment later puts exactly one segment start per period in it.
    """
    offset = segment_seconds / 2
    base = (after - offset) // segment_seconds * segment_seconds + offset
    return base + segment_seconds if base <= after else base


def sleep_until_wall(moment: float) -> None:
    while (left := moment - time.time()) > 0:
        time.sleep(min(left, 1.0))


def sample_memory(recorder: subprocess.Popen, memory: Memory) -> None:
    kids = procstat.children(recorder.pid)
    rss = [procstat.rss_mb(pid) for pid in kids]
    pss = [procstat.pss_mb(pid) for pid in kids]
    own_rss, own_pss = procstat.rss_mb(recorder.pid), procstat.pss_mb(recorder.pid)
    memory.recorder_rss.append(own_rss)
    memory.recorder_pss.append(own_pss)
    memory.ffmpeg_rss.extend(rss)
    memory.ffmpeg_pss.extend(pss)
    memory.family_rss.append(own_rss + sum(rss))
    memory.family_pss.append(own_pss + sum(pss))


def run_phase(rig: Rig, count: int, duration: int, warmup: int) -> Phase:
    phase = Phase(count)
    rig.simulator.publish(count)
    rig.record_only(count)
    root = rig.work / f"recordings-{count}"
    started = time.monotonic()
    recorder = rig.start_recorder(f"bench-{count}", root)
    try:
        start_own, start_children = procstat.family_cpu_seconds(recorder.pid)
        wait_until(lambda: all_recording(rig.cameras[:count]), timeout=120 + 2 * count, interval=0.5,
                   what="every camera recording", otherwise=lambda: f"see {rig.work}/recorder-bench-{count}.log")
        phase.startup_seconds = time.monotonic() - started
        phase.startup_cpu = sum(procstat.family_cpu_seconds(recorder.pid)) - start_own - start_children
        begin = next_aligned(time.time() + warmup, rig.segment_seconds)
        sleep_until_wall(begin)
        phase.readings.append(rig.reading(recorder))
        phase.load.append(procstat.load_average())
        periods = max(1, round(duration / rig.segment_seconds))
        for period in range(1, periods + 1):
            sample_memory(recorder, phase.memory)
            sleep_until_wall(begin + period * rig.segment_seconds)
            phase.readings.append(rig.reading(recorder))
        phase.load.append(procstat.load_average())
        end = begin + periods * rig.segment_seconds
        phase.window = (datetime.fromtimestamp(begin, tz=UTC), datetime.fromtimestamp(end, tz=UTC))
        time.sleep(rig.segment_seconds + 5)  # the window's last segments close and are indexed as usual
    finally:
        stop_process(recorder, timeout=60)
        shutil.rmtree(root, ignore_errors=True)
    return phase


# --- what the index says about the window ---------------------------------------------------------


@dataclass
class Delivery:
    expected: int = 0
    indexed: int = 0
    missing: int = 0
    restarts: int = 0
    largest_gap: float = 0.0
    gap_seconds: float = 0.0
    delays: list[float] = field(default_factory=list)
    bytes: int = 0


def delivery(phase: Phase, cameras: list, segment_seconds: int) -> Delivery:
    from recordings.footage import index
    from recordings.footage.models import Segment

    start, end = phase.window
    periods = round((end - start).total_seconds() / segment_seconds)
    result = Delivery()
    for camera in cameras[:phase.cameras]:
        rows = list(Segment.objects.filter(camera=camera, stream="main", start__gte=start, start__lt=end)
                    .values_list("end", "created_at", "run", "bytes"))
        result.expected += periods
        result.indexed += len(rows)
        result.missing += max(0, periods - len(rows))
        result.restarts += max(0, len({run for _, _, run, _ in rows}) - 1)
        result.delays += [(created - ended).total_seconds() for ended, created, _, _ in rows]
        result.bytes += sum(size for *_, size in rows)
        gaps = index.footage_in_range(camera.pk, "main", start, end, with_segments=False).gaps
        result.gap_seconds += sum(gap.seconds for gap in gaps)
        result.largest_gap = max([result.largest_gap, *(gap.seconds for gap in gaps)])
    return result


# --- report ----------------------------------------------------------------------------------------


def shares(readings: list[Reading], attribute: str, per: int = 1) -> list[float]:
    """Per-interval CPU share of one core, in percent, divided by ``per``."""
    return [100 * (getattr(b, attribute) - getattr(a, attribute)) / (b.at - a.at) / per
            for a, b in zip(readings, readings[1:], strict=False)]


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


def report(phase: Phase, got: Delivery, segment_seconds: int) -> None:
    n, readings = phase.cameras, phase.readings
    name = f"cameras_{n}"
    seconds = readings[-1].at - readings[0].at
    both = [r + f for r, f in zip(shares(readings, "recorder", n), shares(readings, "ffmpeg", n), strict=True)]
    print(f"{name}_window: {seconds:.0f} s")
    print(f"{name}_cpu_per_camera_median: {statistics.median(both):.3f} % of a core")
    print(f"{name}_cpu_per_camera_p95: {p95(both):.3f} % of a core")
    print(f"{name}_cpu_per_camera_ffmpeg_median: {statistics.median(shares(readings, 'ffmpeg', n)):.3f} % of a core")
    print(f"{name}_cpu_per_camera_recorder_median: {statistics.median(shares(readings, 'recorder', n)):.3f} "
          "% of a core")
    for part in ("recorder", "ffmpeg", "gateway", "simulator", "publishers"):
        print(f"{name}_cpu_{part}_median: {statistics.median(shares(readings, part)):.2f} % of a core")
    memory = phase.memory
    print(f"{name}_rss_per_camera_median: {statistics.median(memory.family_rss) / n:.1f} MB")
    print(f"{name}_pss_per_camera_median: {statistics.median(memory.family_pss) / n:.1f} MB")
    print(f"{name}_rss_recorder_median: {statistics.median(memory.recorder_rss):.1f} MB")
    print(f"{name}_rss_ffmpeg_median: {statistics.median(memory.ffmpeg_rss):.1f} MB")
    print(f"{name}_pss_ffmpeg_median: {statistics.median(memory.ffmpeg_pss):.1f} MB")
    print(f"{name}_startup_to_all_recording: {phase.startup_seconds:.1f} s")
    print(f"{name}_startup_cpu_per_camera: {phase.startup_cpu / n:.3f} s")
    print(f"{name}_bitrate_per_camera: {got.bytes * 8 / seconds / n / 1e6:.2f} Mbit/s")
    print(f"{name}_segments_expected: {got.expected} segments")
    print(f"{name}_segments_indexed: {got.indexed} segments")
    print(f"{name}_segments_missing: {got.missing} segments")
    print(f"{name}_ffmpeg_restarts: {got.restarts} restarts")
    print(f"{name}_gaps_total: {got.gap_seconds:.3f} s")
    print(f"{name}_largest_gap: {got.largest_gap:.3f} s")
    if got.delays:
        print(f"{name}_index_delay_median: {statistics.median(got.delays) * 1000:.0f} ms")
        print(f"{name}_index_delay_p95: {p95(got.delays) * 1000:.0f} ms")
        print(f"{name}_index_delay_max: {max(got.delays) * 1000:.0f} ms")
        late = sum(1 for delay in got.delays if delay > segment_seconds)
        print(f"{name}_segments_late: {late} segments (indexed more than {segment_seconds} s after their end)")
    print(f"{name}_load_average: {phase.load[0]:.2f} at start, {phase.load[-1]:.2f} at end")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--counts", default="1,10,50", help="camera counts, comma-separated (at most 50)")
    parser.add_argument("--duration", type=int, default=300, help="measured seconds per count (default 300)")
    parser.add_argument("--warmup", type=int, default=20, help="seconds after every camera records (default 20)")
    parser.add_argument("--segment-seconds", type=int, default=10)
    parser.add_argument("--keep-logs", action="store_true", help="keep the recorder logs (the path is printed)")
    parser.add_argument("--profile", action="store_true",
                        help="run the recorder under cProfile (statistics kept with the logs; slows it down)")
    args = parser.parse_args()
    counts = [int(value) for value in args.counts.split(",") if value.strip()]
    if not counts or max(counts) > MAX_CAMERAS or min(counts) < 1:
        parser.error(f"counts go from 1 to {MAX_CAMERAS}")
    clip = camera_clip()
    print(f"cpu_cores: {os.cpu_count()} cores")
    print(f"clip_bitrate: {clip_mbit_per_second(clip):.2f} Mbit/s")
    work = Path(tempfile.mkdtemp(prefix="cctv-bench-recording-"))
    rig = Rig(clip, args.segment_seconds, work, profile=args.profile)
    previous = signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    try:
        rig.start(max(counts))
        for count in counts:
            phase = run_phase(rig, count, args.duration, args.warmup)
            report(phase, delivery(phase, rig.cameras, args.segment_seconds), args.segment_seconds)
    finally:
        signal.signal(signal.SIGTERM, previous)
        rig.stop()
        if args.keep_logs or args.profile:
            print(f"logs: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
