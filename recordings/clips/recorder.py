"""Recording a gateway restream into an MP4 file with ffmpeg, without re-encoding.

``ffmpeg -rtsp_transport tcp -i <restream> -t N -c copy -movflags +faststart``:
the camera's own H.264/H.265 (and AAC audio, if any) are copied packet by
packet, so a clip costs almost no CPU and keeps the source's quality. Every
wait is bounded: socket I/O by ffmpeg's RTSP timeout, the whole run by a
wall-clock limit of the clip's length plus a margin.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from django.conf import settings

from cameras.sources import scrub

# ffmpeg gives up when the gateway sends nothing for this long (connect, or mid-stream).
IO_TIMEOUT_SECONDS = 10
# On top of the clip's length: connecting, waiting for a keyframe, finishing the file.
WALL_MARGIN_SECONDS = 30
# MP4 holds H.264/H.265 video and AAC audio; other audio (G.711 of many
# cameras) is left out by go2rtc's filter rather than failing the clip.
RESTREAM_QUERY = "video&audio=aac"


class Failure(Enum):
    UNREACHABLE = "unreachable"  # no connection to the gateway
    REFUSED = "refused"  # the gateway answered 401/403
    NOT_FOUND = "not_found"  # the gateway has no such stream, or its source failed
    STALLED = "stalled"  # connected, but video stopped or never came in time
    OTHER = "other"


@dataclass
class RecordingError(Exception):
    failure: Failure
    detail: str

    def __str__(self) -> str:
        return f"{self.failure.value}: {self.detail}"


def restream_source(restream_url: str) -> str:
    return f"{restream_url}?{RESTREAM_QUERY}"


def ffmpeg_argv(source: str, duration: int, output: Path) -> list[str]:
    return [
        settings.CCTV_FFMPEG_BIN, "-nostdin", "-hide_banner", "-loglevel", "error",
        "-rtsp_transport", "tcp", "-timeout", str(IO_TIMEOUT_SECONDS * 1_000_000),
        "-i", source,
        "-t", str(duration), "-map", "0:v:0", "-map", "0:a:0?", "-c", "copy", "-dn", "-sn",
        "-movflags", "+faststart", "-f", "mp4", "-y", str(output),
    ]  # fmt: skip


# ffmpeg reports an RTSP answer as "method DESCRIBE failed: 404 Not Found" or "Server returned 404 ...".
# Match those phrases only: URLs in the same text carry port numbers and ids with any digits.
_STATUS_RE = re.compile(r"(?:failed:|server returned)\s*(\d{3})")
_UNREACHABLE = ("connection refused", "no route to host", "network is unreachable", "name or service not known",
                "connection reset")


def classify(stderr: str) -> Failure:
    text = stderr.lower()
    if any(phrase in text for phrase in _UNREACHABLE):
        return Failure.UNREACHABLE
    statuses = set(_STATUS_RE.findall(text))
    if statuses & {"401", "403"}:
        return Failure.REFUSED
    if "404" in statuses:
        return Failure.NOT_FOUND
    if "timed out" in text or "timeout" in text or "end of file" in text:
        return Failure.STALLED
    return Failure.OTHER


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
