"""Synthetic footage that carries its own time in the picture, and the page code that reads it back.

Ten white-or-black blocks across the top of a black picture spell
``floor(t)`` in binary (block i is white when bit i is set; ``t`` is the
media time in seconds), drawn by ffmpeg's ``drawbox`` with ``enable``
expressions. A browser test draws the playing <video> onto a canvas and
reads the blocks: the picture itself says which second of the recording is
on screen.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

BITS = 10  # up to 1023 s
WIDTH, HEIGHT, BLOCK = 320, 180, 32


def _boxes() -> str:
    return ",".join(
        f"drawbox=x={i * BLOCK}:y=0:w={BLOCK}:h=48:color=white:t=fill:enable='mod(floor(t/{2 ** i}),2)'"
        for i in range(BITS)
    )


def make_timecoded_segments(directory: Path, *, seconds: int, segment_seconds: int = 10, fps: int = 10,
                            encoder: tuple[str, ...] = ("libx264", "-preset", "ultrafast")) -> list[Path]:
    """fMP4 segments of one run (the recorder's muxer options), one keyframe a second."""
    from recordings.footage.ffmpeg import MP4_OPTIONS

    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-f", "lavfi",
         "-i", f"color=c=black:size={WIDTH}x{HEIGHT}:rate={fps}", "-vf", _boxes(), "-t", str(seconds),
         "-c:v", *encoder, "-g", str(fps), "-pix_fmt", "yuv420p",
         "-f", "segment", "-segment_format", "mp4", "-segment_format_options", MP4_OPTIONS,
         "-segment_time", str(segment_seconds), str(directory / "part-%03d.mp4")],
        check=True, timeout=120,
    )  # fmt: skip
    return sorted(directory.glob("part-*.mp4"))


# The second the picture on screen shows (null before a frame is there), read from a canvas.
READ_PICTURE_JS = f"""() => {{
  const video = document.querySelector('[data-video]');
  if (!video || video.readyState < 2) return null;
  const canvas = document.createElement('canvas');
  canvas.width = {WIDTH}; canvas.height = {HEIGHT};
  const context = canvas.getContext('2d', {{willReadFrequently: true}});
  context.drawImage(video, 0, 0, {WIDTH}, {HEIGHT});
  let seconds = 0;
  for (let i = 0; i < {BITS}; i += 1) {{
    const pixel = context.getImageData(i * {BLOCK} + {BLOCK // 2}, 24, 1, 1).data;
    if (pixel[0] > 128) seconds |= (1 << i);
  }}
  const root = document.querySelector('[data-playback]');
  return {{seconds, wallclock: Number(root.dataset.wallclock || 0), target: Number(root.dataset.target || 0),
          paused: video.paused, time: video.currentTime}};
}}"""
