"""Benchmark: motion detector throughput, frames per second per CPU core.

    .venv/bin/python -m bench.motion_detector [--seconds 5] [--frames 300]

Measures ``recordings.motion.detector.MotionDetector.feed`` alone, nothing else:
no decoding, no Django. Input is 640x360 grey, as the recorder hands it
over, so the downscale to the 144-line analysis size is included, as in
production. OpenCV runs single-threaded (``cv2.setNumThreads(1)``): the
recorder runs one detector per camera and the cameras share the cores, so
the per-core rate is what sizes a machine.

The synthetic frames (a square crossing the scene plus Gaussian sensor
noise, so most frames carry motion and take the full path: dilation,
contours, boxes) are generated before timing. Then the same detector is fed
the whole sequence again and again for about ``--seconds``; each pass is one
repeat. CPU time is the process's (``time.process_time``), wall time is
``time.perf_counter``. Prints ``name: value unit`` lines: the overall rate
from CPU time, CPU time per frame, and medians of the per-repeat rates.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import cv2
import numpy as np

from recordings.motion.detector import DetectorSettings, MotionDetector, analysis_size

WIDTH, HEIGHT = 640, 360
SQUARE = 60  # pixels, about 1.6% of the frame
NOISE = 3.0  # grey levels, standard deviation


def make_frames(count: int, seed: int = 1) -> list[np.ndarray]:
    """``count`` frames of a square moving left to right over a shaded scene, with fresh noise on each."""
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:HEIGHT, 0:WIDTH]
    scene = 60.0 + 40.0 * xs / WIDTH + 20.0 * ys / HEIGHT
    frames = []
    for index in range(count):
        image = scene + rng.normal(0.0, NOISE, scene.shape)
        x = (index * 6) % (WIDTH - SQUARE)
        y = HEIGHT // 2 - SQUARE // 2 + round(40 * np.sin(index / 20))
        image[y : y + SQUARE, x : x + SQUARE] += 120
        frames.append(np.clip(np.round(image), 0, 255).astype(np.uint8))
    return frames


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=5.0, help="how long to keep feeding frames (CPU time)")
    parser.add_argument("--frames", type=int, default=300, help="distinct synthetic frames, fed in a loop")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    frames = make_frames(args.frames)
    settings = DetectorSettings()
    detector = MotionDetector(settings)
    for frame in frames:  # warm-up pass: buffers allocated, background primed, caches warm
        detector.feed(frame)

    cpu_rates: list[float] = []
    wall_rates: list[float] = []
    motion_frames = 0
    fed, cpu_total, wall_total = 0, 0.0, 0.0
    while cpu_total < args.seconds:
        cpu_start, wall_start = time.process_time(), time.perf_counter()
        for frame in frames:
            motion_frames += detector.feed(frame).motion
        cpu, wall = time.process_time() - cpu_start, time.perf_counter() - wall_start
        cpu_rates.append(len(frames) / cpu)
        wall_rates.append(len(frames) / wall)
        fed += len(frames)
        cpu_total += cpu
        wall_total += wall

    analysis_width, analysis_height = analysis_size(WIDTH, HEIGHT, settings.analysis_height)
    print(f"input: {WIDTH}x{HEIGHT} grey, analysed at {analysis_width}x{analysis_height}, opencv {cv2.__version__}")
    print(f"threads: {cv2.getNumThreads()} (cv2.setNumThreads(1)), cpu_cores: {os.cpu_count()}")
    print(f"frames_fed: {fed} in {len(cpu_rates)} repeats of {len(frames)}")
    print(f"frames_with_motion: {100 * motion_frames / fed:.1f} %")
    print(f"detector_fps_per_core: {fed / cpu_total:.0f} fps")
    print(f"detector_cpu_per_frame: {1000 * cpu_total / fed:.4f} ms")
    print(f"detector_fps_per_core_median: {statistics.median(cpu_rates):.0f} fps")
    print(f"detector_fps_wall_median: {statistics.median(wall_rates):.0f} fps")
    print(f"cpu_to_wall: {cpu_total / wall_total:.2f} x")


if __name__ == "__main__":
    main()
