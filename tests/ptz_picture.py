"""The demo PTZ camera's picture: a view into a wide panorama at the simulated device's position.

    python -m tests.ptz_picture --motion-file var/onvif/motion.json --size 640x360 --rate 15 \
        [--cache-dir var/onvif] OUTPUT

The simulated ONVIF device (``tests.onvif_device --motion-file``) publishes
its ``Motion`` (the position at an instant, the velocity, when the move
ends) to a small JSON file whenever a command changes it. This renderer
reads that file for every frame (a few hundred bytes) and evaluates the
motion at the frame's own instant with the device's code, so a continuous
pan moves the picture a little every frame and the picture shows exactly
the position the device reports through ONVIF. It draws the view of
``tests.ptz_panorama`` at that position with a small on-screen display,
pipes raw frames to ffmpeg, which encodes H.264 and publishes RTSP to
OUTPUT. The camera simulator of ``bin/start`` runs it as an ``exec:``
source (OUTPUT is go2rtc's ``{output}``), once per stream (main and sub),
so it works only while someone watches (or the portal's health check
probes the camera); with ``--cache-dir`` a start loads the drawn panorama
instead of drawing it again.

Geometry (``view_of``): pan -1..1 moves the centre of the view from the
left to the right of the panorama, tilt -1..1 from bottom to top, and zoom
0..1 magnifies 1x..6x about that centre; at zoom 0 the view is 1600
panorama pixels wide, a third of the panorama.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import math
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import cv2
import numpy as np

from tests import ptz_panorama
from tests.onvif_device import Motion, parse_motion
from tests.ptz_panorama import HEIGHT, WIDTH, draw_panorama

WIDEST = 1600  # panorama pixels across the view at zoom 0
MAX_ZOOM = 6.0  # magnification at zoom 1
HOME = {"pan": 0.0, "tilt": 0.0, "zoom": 0.0}
LEVELS = 4  # the panorama at 1, 1/2, 1/4 and 1/8 of its size
OSD_HEIGHT = 22 / 360  # the on-screen display's band, as a share of the frame's height


@dataclass(frozen=True)
class View:
    """A rectangle of the panorama, in panorama pixels: its centre and size."""

    x: float
    y: float
    width: float
    height: float


def view_of(position: dict[str, float], size: tuple[int, int]) -> View:
    """What the camera sees at a position, for frames of ``size`` (width, height)."""
    aspect = size[1] / size[0]
    magnification = MAX_ZOOM ** position["zoom"]
    x = WIDTH / 2 + position["pan"] * (WIDTH - WIDEST) / 2
    y = HEIGHT / 2 - position["tilt"] * (HEIGHT - WIDEST * aspect) / 2
    return View(x, y, WIDEST / magnification, WIDEST * aspect / magnification)


class Panorama:
    """The panorama and smaller copies of it, so any view is drawn from a copy near its scale."""

    def __init__(self, picture: np.ndarray) -> None:
        self.levels = [picture]
        while len(self.levels) < LEVELS:
            self.levels.append(cv2.pyrDown(self.levels[-1]))

    def render(self, view: View, size: tuple[int, int]) -> np.ndarray:
        """The view scaled to ``size``: bilinear from the copy at most 2x larger than needed (BGR)."""
        scale = view.width / size[0]  # panorama pixels per frame pixel
        level = min(LEVELS - 1, max(0, math.floor(math.log2(scale)))) if scale > 1 else 0
        step = scale / 2**level
        left = (view.x - view.width / 2) / 2**level
        top = (view.y - view.height / 2) / 2**level
        # Frame pixel centre x + 0.5 lies at left + (x + 0.5) * step in the copy, whose pixel centres are at i + 0.5.
        matrix = np.float32([[step, 0, left + step / 2 - 0.5], [0, step, top + step / 2 - 0.5]])
        return cv2.warpAffine(self.levels[level], matrix, size, flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                              borderMode=cv2.BORDER_REPLICATE)


def load_panorama(cache_dir: str = "") -> np.ndarray:
    """The drawn panorama; kept in ``cache_dir`` under a name that changes when the drawing code does."""
    if not cache_dir:
        return draw_panorama()
    fingerprint = hashlib.sha256(Path(ptz_panorama.__file__).read_bytes()).hexdigest()[:16]
    path = Path(cache_dir) / f"ptz-panorama-{fingerprint}.npy"
    try:
        return np.load(path, mmap_mode="r")
    except (OSError, ValueError):
        picture = draw_panorama()
        temporary = path.with_suffix(f".{os.getpid()}.tmp")
        with open(temporary, "wb") as file:
            np.save(file, picture)
        os.replace(temporary, path)  # main and sub renderers may both draw it: the last one wins, whole
        return picture


def osd_height(size: tuple[int, int]) -> int:
    """Rows at the top of a frame that the on-screen display covers."""
    return round(size[1] * OSD_HEIGHT)


def draw_osd(frame: np.ndarray, title: str, position: dict[str, float], now: datetime) -> None:
    """A dark band at the top: the title and the position on the left, the time on the right."""
    height = osd_height((frame.shape[1], frame.shape[0]))
    scale = height / 36
    frame[:height] = (frame[:height] * 0.25).astype(np.uint8)
    zoom = MAX_ZOOM ** position["zoom"]
    left = f"{title}  PAN {position['pan']:+.2f}  TILT {position['tilt']:+.2f}  ZOOM {zoom:.1f}x"
    clock = now.strftime("%Y-%m-%d %H:%M:%S")
    (clock_width, _), _ = cv2.getTextSize(clock, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    baseline = round(height * 0.72)
    for text, x in ((left, round(height * 0.3)), (clock, frame.shape[1] - clock_width - round(height * 0.3))):
        cv2.putText(frame, text, (x, baseline), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1, cv2.LINE_AA)


class MotionReader:
    """The motion the device published; the file is read for every frame and parsed when it changed."""

    def __init__(self, path: str) -> None:
        self.path = path
        self._raw: bytes | None = None
        self._motion: Motion | None = None

    def position(self, now: float) -> dict[str, float]:
        try:
            with open(self.path, "rb") as file:
                raw = file.read()
        except OSError:
            raw = None
        if raw != self._raw:
            self._raw, self._motion = raw, parse_motion(raw) if raw is not None else None
        return self._motion.position_at(now) if self._motion is not None else dict(HOME)


class Frames:
    """Raw I420 frames of the view at the device's position; an unchanged picture is not drawn again."""

    def __init__(self, panorama: Panorama, motion: MotionReader, size: tuple[int, int], title: str) -> None:
        self.panorama, self.motion, self.size, self.title = panorama, motion, size, title
        self._last: tuple[tuple[float, ...], int] | None = None
        self._frame = b""

    def at(self, monotonic_now: float) -> bytes:
        position = self.motion.position(monotonic_now)
        wall = datetime.now().astimezone()
        key = (tuple(position.values()), int(wall.timestamp()))
        if key != self._last:
            picture = self.panorama.render(view_of(position, self.size), self.size)
            draw_osd(picture, self.title, position, wall)
            self._frame = cv2.cvtColor(picture, cv2.COLOR_BGR2YUV_I420).tobytes()
            self._last = key
        return self._frame


def encoder_command(size: tuple[int, int], rate: int, output: str) -> list[str]:
    """ffmpeg reading raw I420 frames on stdin, publishing H.264 over RTSP (one keyframe a second)."""
    return [
        "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostats",
        "-f", "rawvideo", "-pix_fmt", "yuv420p", "-video_size", f"{size[0]}x{size[1]}", "-framerate", str(rate),
        "-i", "pipe:0",
        "-c:v", "libx264", "-preset", "ultrafast", "-tune", "zerolatency", "-g", str(rate), "-threads", "1",
        "-pix_fmt", "yuv420p", "-f", "rtsp", "-rtsp_transport", "tcp", output,
    ]  # fmt: skip


def stream(frames: Frames, rate: int, output: str) -> int:
    """Feed ffmpeg one frame per 1/rate s until it stops (or the reader goes); its exit status."""
    encoder = subprocess.Popen(encoder_command(frames.size, rate, output), stdin=subprocess.PIPE)  # noqa: S603
    assert encoder.stdin is not None
    period, due = 1 / rate, time.monotonic()
    try:
        while encoder.poll() is None:
            encoder.stdin.write(frames.at(time.monotonic()))
            due += period
            delay = due - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            else:
                # Late (a busy machine): carry on from now rather than send a burst of frames drawn
                # a moment apart; each frame stays at least a period after the one before.
                due = time.monotonic()
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    finally:
        with contextlib.suppress(BrokenPipeError):
            encoder.stdin.close()
        try:
            encoder.wait(timeout=5)
        except subprocess.TimeoutExpired:
            encoder.kill()
    return encoder.wait()


def parse_size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    if not (width.isdigit() and height.isdigit()) or int(width) % 2 or int(height) % 2:
        raise argparse.ArgumentTypeError("give WIDTHxHEIGHT with even numbers, e.g. 640x360")
    return int(width), int(height)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Publish the demo PTZ camera's picture (H.264 over RTSP).")
    parser.add_argument("output", help="RTSP address to publish to (go2rtc's {output} in an exec: source)")
    parser.add_argument("--motion-file", required=True, help="what python -m tests.onvif_device --motion-file writes")
    parser.add_argument("--size", type=parse_size, default=(640, 360), help="WIDTHxHEIGHT (default: 640x360)")
    parser.add_argument("--rate", type=int, default=15, help="frames per second (default: 15)")
    parser.add_argument("--title", default="ENTRANCE", help="shown on the picture (default: ENTRANCE)")
    parser.add_argument("--cache-dir", default="", help="keep the drawn panorama there for the next start")
    options = parser.parse_args(argv)
    panorama = Panorama(load_panorama(options.cache_dir))
    frames = Frames(panorama, MotionReader(options.motion_file), options.size, options.title)
    return stream(frames, options.rate, options.output)


if __name__ == "__main__":
    sys.exit(main())
