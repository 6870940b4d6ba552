"""The demo PTZ camera's picture: a view into a wide panorama at the simulated device's position.

    python -m tests.support.ptz_picture --motion-file var/onvif/motion.json \
        --stream rtsp://127.0.0.1:18554/ptz 640x360 15 --stream rtsp://127.0.0.1:18554/ptz-sub 320x180 10

The simulated ONVIF device (``tests.support.onvif_device --motion-file``) publishes
its ``Motion`` (the position at an instant, the velocity, when the move
ends) to a small JSON file whenever a command changes it. This renderer
reads that file for every frame (a few hundred bytes) and evaluates the
motion at the frame's own instant with the device's code, so a continuous
pan moves the picture a little every frame and the picture shows exactly
the position the device reports through ONVIF. It draws the view of
``tests.support.ptz_panorama`` at that position with a small on-screen display,
and pipes raw frames to one ffmpeg per stream, which encodes H.264 and
publishes RTSP to the camera simulator (a go2rtc with empty streams of
those names). One process draws every stream, so the main and the sub
stream show the same view. It runs for as long as ``bin/start`` does, as a
real camera would: a picture at once for every viewer and health check,
and a few per cent of one core (an unchanged view is not drawn again).

Geometry (``view_of``): pan -1..1 moves the centre of the view from the
left to the right of the panorama, tilt -1..1 from bottom to top, and zoom
0..1 magnifies 1x..6x about that centre; at zoom 0 the view is 1600
panorama pixels wide, a third of the panorama.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import datetime

import cv2
import numpy as np

from tests.support.onvif_device import Motion, parse_motion
from tests.support.ptz_panorama import HEIGHT, WIDTH, draw_panorama

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


@dataclass
class Output:
    """One published stream: its frames, their rate, where they go, and the ffmpeg encoding them."""

    frames: Frames
    rate: int
    url: str
    encoder: subprocess.Popen | None = None
    due: float = 0.0  # time.monotonic() of its next frame

    def start(self, now: float) -> None:
        command = encoder_command(self.frames.size, self.rate, self.url)
        self.encoder = subprocess.Popen(command, stdin=subprocess.PIPE)  # noqa: S603
        self.due = now

    def send(self) -> None:
        """Draw and send its frame, then schedule the next one."""
        assert self.encoder is not None and self.encoder.stdin is not None
        drawn_at = time.monotonic()
        self.encoder.stdin.write(self.frames.at(drawn_at))
        # On a busy machine frames come late: go on from now rather than send a burst of
        # frames drawn a moment apart (each is at least half a period after the one before).
        self.due = max(self.due + 1 / self.rate, drawn_at + 0.5 / self.rate)

    def stop(self) -> int:
        assert self.encoder is not None
        with contextlib.suppress(BrokenPipeError):
            self.encoder.stdin.close()  # type: ignore[union-attr]
        try:
            return self.encoder.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.encoder.kill()
            return self.encoder.wait()


def stream(outputs: list[Output]) -> int:
    """Send each stream its frames on time until an encoder stops; the first failing exit status."""
    now = time.monotonic()
    for output in outputs:
        output.start(now)
    try:
        while all(output.encoder is not None and output.encoder.poll() is None for output in outputs):
            output = min(outputs, key=lambda candidate: candidate.due)
            time.sleep(max(0.0, output.due - time.monotonic()))
            output.send()
    except (BrokenPipeError, KeyboardInterrupt):
        pass
    codes = [output.stop() for output in outputs]
    return next((code for code in codes if code), 0)


def parse_size(text: str) -> tuple[int, int]:
    width, _, height = text.partition("x")
    if not (width.isdigit() and height.isdigit()) or int(width) % 2 or int(height) % 2:
        raise argparse.ArgumentTypeError("give WIDTHxHEIGHT with even numbers, e.g. 640x360")
    return int(width), int(height)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Publish the demo PTZ camera's picture (H.264 over RTSP).")
    parser.add_argument("--motion-file", required=True,
                        help="what python -m tests.support.onvif_device --motion-file writes")
    parser.add_argument("--stream", nargs=3, action="append", required=True, metavar=("URL", "SIZE", "RATE"),
                        help="publish to the RTSP URL, e.g. rtsp://127.0.0.1:18554/ptz 640x360 15 (repeatable)")
    parser.add_argument("--title", default="ENTRANCE", help="shown on the picture (default: ENTRANCE)")
    options = parser.parse_args(argv)
    panorama, motion = Panorama(draw_panorama()), MotionReader(options.motion_file)
    outputs = []
    for url, size, rate in options.stream:
        try:
            frames = Frames(panorama, motion, parse_size(size), options.title)
        except argparse.ArgumentTypeError as exc:
            parser.error(f"--stream {url} {size} {rate}: {exc}")
        if not rate.isdigit() or not 1 <= int(rate) <= 60:
            parser.error(f"--stream {url} {size} {rate}: the rate is frames per second, 1 to 60")
        outputs.append(Output(frames, int(rate), url))
    return stream(outputs)


if __name__ == "__main__":
    sys.exit(main())
