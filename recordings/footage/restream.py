"""Reading a gateway's RTSP restream with ffmpeg: the source to open and what ffmpeg's errors mean.

Shared by the recorder (``recordings.footage``) and the clips' recorder
(``recordings.clips.recorder``). It lives in ``footage``, the lowest part of
``recordings``, so the recording engine does not import the clips.
"""

from __future__ import annotations

import re
from enum import Enum

# MP4 holds H.264/H.265 video and AAC audio; other audio (G.711 of many
# cameras) is left out by go2rtc's filter rather than failing the clip.
RESTREAM_QUERY = "video&audio=aac"


class Failure(Enum):
    UNREACHABLE = "unreachable"  # no connection to the gateway
    REFUSED = "refused"  # the gateway answered 401/403
    NOT_FOUND = "not_found"  # the gateway has no such stream, or its source failed
    STALLED = "stalled"  # connected, but video stopped or never came in time
    OTHER = "other"


def restream_source(restream_url: str) -> str:
    return f"{restream_url}?{RESTREAM_QUERY}"


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
