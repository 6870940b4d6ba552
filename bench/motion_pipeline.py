"""Benchmark: the whole motion pipeline per camera, as a motion worker runs it.

    .venv/bin/python -m bench.motion_pipeline [--cameras 8] [--seconds 30] [--fps 5]

Starts a camera simulator (640x360, 15 fps H.264 test pattern, which moves
everywhere: the detector's slowest path) and a go2rtc gateway with the
project's hardened config, then runs ``--cameras`` watches in this process,
one thread each, as the motion worker's thread pool does: each reads the
gateway's RTSP restream with PyAV, decodes every frame, and analyses
``--fps`` frames a second (grey downscale in the decoder's scaler, the
detector, the event tracker). No database work: events are rare and cost
nothing next to decoding. It prints this process's CPU over the measured
window (after a warm-up), the CPU share of one camera and how many cameras
one core carries at that share.

The simulator encodes each distinct stream once and the gateway fans it out,
so ``--sources`` (default 2) distinct streams keep the encoders from eating
the machine; every watch still decodes its own copy.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import threading
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from recordings.motion.detector import DetectorSettings, MotionDetector  # noqa: E402
from recordings.motion.tracker import MotionTracker  # noqa: E402
from recordings.motion.watch import StreamFailed, decoded_frames, grey_frame  # noqa: E402
from tests.support.media import CameraSimulator, Gateway  # noqa: E402
from tests.support.waiting import wait_until  # noqa: E402


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class Watch(threading.Thread):
    def __init__(self, source: str, fps: int, stop: threading.Event) -> None:
        super().__init__(daemon=True)
        self.source, self.fps, self.stop = source, fps, stop
        self.analysed = 0
        self.error = ""

    def run(self) -> None:
        detector, tracker = MotionDetector(DetectorSettings()), MotionTracker()
        try:
            for arrived, frame in decoded_frames(self.source, self.fps):
                if self.stop.is_set():
                    return
                detection = detector.feed(grey_frame(frame))
                tracker.update(arrived, detection.motion, detection.score)
                self.analysed += 1
        except StreamFailed as error:
            self.error = str(error)


def register_streams(gateway: Gateway, simulator: CameraSimulator) -> list[str]:
    names = []
    with gateway.client() as client:
        for name in simulator.names:
            stream = f"bench-{name}"
            client.put("/api/streams", params={"name": stream, "src": simulator.source(name)}).raise_for_status()
            names.append(stream)
    return names


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cameras", type=int, default=8)
    parser.add_argument("--sources", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--fps", type=int, default=5)
    args = parser.parse_args()

    simulator, gateway = CameraSimulator(count=args.sources, size="640x360", rate=15), Gateway()
    simulator.start()
    gateway.start()
    stop = threading.Event()
    try:
        streams = register_streams(gateway, simulator)
        sources = [f"{gateway.rtsp_url}/{streams[i % len(streams)]}?video" for i in range(args.cameras)]
        watches = [Watch(source, args.fps, stop) for source in sources]
        for watch in watches:
            watch.start()
            time.sleep(0.2)  # go2rtc starts a source's encoder on first use; no stampede
        wait_until(lambda: all(w.analysed for w in watches), timeout=30, what="frames for every watch",
                   otherwise=lambda: [w.error for w in watches if w.error])
        time.sleep(args.warmup)
        counts_before, cpu_before, wall_before = [w.analysed for w in watches], cpu_seconds(), time.monotonic()
        samples = []
        while time.monotonic() - wall_before < args.seconds:
            sample_cpu, sample_wall = cpu_seconds(), time.monotonic()
            time.sleep(1)
            samples.append((cpu_seconds() - sample_cpu) / (time.monotonic() - sample_wall))
        cpu, wall = cpu_seconds() - cpu_before, time.monotonic() - wall_before
        analysed = [w.analysed - before for w, before in zip(watches, counts_before, strict=True)]
    finally:
        stop.set()
        gateway.cleanup()
        simulator.cleanup()

    share = statistics.median(samples) / args.cameras
    print(f"cameras: {args.cameras} (sources: {args.sources}, 640x360 15 fps H.264, analysed at {args.fps} fps)")
    print(f"analysed_fps_per_camera: {statistics.median(analysed) / wall:.2f} fps")
    print(f"process_cpu_mean: {cpu / wall * 100:.1f} %")
    print(f"cpu_share_per_camera_median: {share * 100:.2f} %")
    print(f"cameras_per_core: {1 / share:.1f} cameras")


if __name__ == "__main__":
    main()
