"""Recording a gateway restream into an MP4 file with ffmpeg, without re-encoding.

``ffmpeg -rtsp_transport tcp -i <restream> -t N -c copy -movflags +faststart``:
the camera's own H.264/H.265 (and AAC audio, if any) are copied packet by
packet, so a clip costs almost no CPU and keeps the source's quality. Every
wait is bounded: socket I/O by ffmpeg's RTSP timeout, the whole run by a
wall-clock limit of the clip's length plus a margin.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from cameras.sources import scrub
from recordings.footage.restream import Failure, classify

# ffmpeg gives up when the gateway sends nothing for this long (connect, or mid-stream).
IO_TIMEOUT_SECONDS = 10
# On top of the clip's length: connecting, waiting for a keyframe, finishing the file.
WALL_MARGIN_SECONDS = 30


@dataclass
class RecordingError(Exception):
    failure: Failure
    detail: str

    def __str__(self) -> str:
        return f"{self.failure.value}: {self.detail}"


def ffmpeg_argv(source: str, duration: int, output: Path) -> list[str]:
    return [
        settings.CCTV_FFMPEG_BIN, "-nostdin", "-hide_banner", "-loglevel", "error",
        "-rtsp_transport", "tcp", "-timeout", str(IO_TIMEOUT_SECONDS * 1_000_000),
        "-i", source,
        "-t", str(duration), "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-dn", "-sn",
        "-movflags", "+faststart", "-f", "mp4", "-y", str(output),
    ]  # fmt: skip


def record(source: str, duration: int, output: Path) -> None:
    """Record ``duration`` seconds of ``source`` into ``output``; raise ``RecordingError`` on any failure.

    The caller owns ``output`` and removes it whatever happens.
    """
    argv = ffmpeg_argv(source, duration, output)
    try:
        result = subprocess.run(  # noqa: S603  (argv built above; the source is a server-built restream URL)
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            timeout=duration + WALL_MARGIN_SECONDS, check=False,
        )
    except subprocess.TimeoutExpired:
        raise RecordingError(Failure.STALLED, "ffmpeg did not finish in time") from None
    except FileNotFoundError:
        raise RecordingError(Failure.OTHER, f"{settings.CCTV_FFMPEG_BIN} is not installed") from None
    stderr = scrub(result.stderr.decode(errors="replace"))[-1000:]
    if result.returncode != 0:
        raise RecordingError(classify(stderr), stderr.strip() or f"ffmpeg exited with {result.returncode}")
    if not output.exists() or output.stat().st_size == 0:
        raise RecordingError(Failure.STALLED, "ffmpeg wrote no video")
