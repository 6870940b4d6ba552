"""A camera whose picture the test changes on demand, for motion tests and the demo.

``SceneCamera`` is a go2rtc process serving RTSP streams ``scene1``,
``scene2``... Each is ffmpeg looping one still image, encoded to H.264; the
image is re-read for every frame, so replacing the file (atomically, by
rename) changes what the camera shows. ``Scene`` draws the pictures: a
textured still background, the same with an object at some place, or the
same with the lights up.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import cv2
import numpy as np

from tests.support.media import Go2RTCProcess
from tests.support.services import free_port

WIDTH, HEIGHT = 640, 360


def background() -> np.ndarray:
    """A still, textured room: gradients and a few fixed shapes (BGR)."""
    x = np.linspace(60, 140, WIDTH, dtype=np.float32)
    y = np.linspace(0, 40, HEIGHT, dtype=np.float32)[:, None]
    grey = (x[None, :] + y).astype(np.uint8)
    picture = cv2.cvtColor(grey, cv2.COLOR_GRAY2BGR)
    cv2.rectangle(picture, (40, 220), (200, 340), (70, 90, 110), -1)
    cv2.rectangle(picture, (430, 60), (600, 160), (150, 140, 120), -1)
    cv2.line(picture, (0, 200), (WIDTH, 200), (40, 40, 40), 2)
    return picture


def with_object(picture: np.ndarray, x: float, y: float, size: float = 0.18) -> np.ndarray:
    """The picture with a dark person-sized block whose centre is at (x, y), in 0..1 coordinates."""
    out = picture.copy()
    half_w, half_h = int(WIDTH * size / 2), int(HEIGHT * size)
    cx, cy = int(x * WIDTH), int(y * HEIGHT)
    cv2.rectangle(out, (cx - half_w, cy - half_h), (cx + half_w, cy + half_h), (20, 20, 25), -1)
    return out


def lights_up(picture: np.ndarray, gain: float = 1.9) -> np.ndarray:
    """The same scene with much brighter light, as when a lamp or IR switches."""
    return cv2.convertScaleAbs(picture, alpha=gain, beta=30)


def scene_source(image: Path, rate: int = 15) -> str:
    return (
        f"exec:ffmpeg -hide_banner -loglevel error -re -f image2 -loop 1 -framerate {rate} -i {image} "
        f"-c:v libx264 -preset ultrafast -tune zerolatency -g {rate} -pix_fmt yuv420p -f rtsp {{output}}"
    )


class SceneCamera(Go2RTCProcess):
    """RTSP cameras ``scene1``... showing pictures the caller sets with ``show``."""

    def __init__(self, count: int = 1, rate: int = 15) -> None:
        self.rtsp_port = free_port()
        names = [f"scene{i}" for i in range(1, count + 1)]
        overrides = {
            "api": {"listen": f"127.0.0.1:{free_port()}"},
            "rtsp": {"listen": f"127.0.0.1:{self.rtsp_port}"},
            "webrtc": {"listen": ""},
            "log": {"level": "warn"},
            "streams": {},
        }
        super().__init__("scene-camera", [], overrides, {})
        self.names = names
        for name in names:
            self.show(name, background())
            overrides["streams"][name] = scene_source(self.image_path(name), rate)
        self._walkers: dict[str, threading.Event] = {}

    def image_path(self, name: str) -> Path:
        return self.workdir / f"{name}.png"

    def show(self, name: str, picture: np.ndarray) -> None:
        """Replace what the camera shows, atomically (ffmpeg never reads half a file)."""
        path = self.image_path(name)
        partial = path.with_suffix(".next.png")
        cv2.imwrite(str(partial), picture)
        os.replace(partial, path)

    def walk(self, name: str, *, y: float = 0.6, seconds: float = 3.0, steps: int = 15,
             start: float = 0.1, end: float = 0.9, base: np.ndarray | None = None) -> None:
        """Move an object across the picture (blocking), then leave the still scene."""
        base = background() if base is None else base
        for step in range(steps):
            x = start + (end - start) * step / max(steps - 1, 1)
            self.show(name, with_object(base, x, y))
            time.sleep(seconds / steps)
        self.show(name, base)

    def source(self, name: str) -> str:
        return f"rtsp://127.0.0.1:{self.rtsp_port}/{name}"

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.rtsp_port}"
