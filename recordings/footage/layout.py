"""Where segment files live, and their names: built from ids and times only, and parsed back.

Under the recordings root (``CCTV_RECORDINGS_DIR``):

- ``.incoming/<camera>-<stream>/<YYYYmmddTHHMMSSZ>-<run>.mp4``: what ffmpeg
  is writing or has just closed (the name is ffmpeg's strftime of the
  moment it opened the file, in UTC). Nothing here is indexed yet.
- ``<organization id>/<camera>/<stream>/<YYYY-mm-dd>/<YYYYmmddTHHMMSS.fffZ>-<run>.mp4``:
  indexed footage; the path relative to the root is the segment's ``key``.

``<camera>`` is the camera's public id in hex. No tenant text reaches a path.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings

INCOMING = ".incoming"
RUN_RE = re.compile(r"^[0-9a-f]{8}$")
STREAMS = ("main", "sub")
_INCOMING_NAME_RE = re.compile(r"^(?P<stamp>\d{8}T\d{6})Z-(?P<run>[0-9a-f]{8})\.mp4$")
_KEY_RE = re.compile(
    r"^(?P<org>\d+)/(?P<camera>[0-9a-f]{32})/(?P<stream>main|sub)/(?P<day>\d{4}-\d{2}-\d{2})/"
    r"(?P<stamp>\d{8}T\d{6})\.(?P<ms>\d{3})Z-(?P<run>[0-9a-f]{8})\.mp4$"
)


def root() -> Path:
    return Path(settings.CCTV_RECORDINGS_DIR)


def incoming_dir(camera_public_id: uuid.UUID, stream: str) -> Path:
    return root() / INCOMING / f"{camera_public_id.hex}-{stream}"


def incoming_pattern(run: str) -> str:
    """ffmpeg's output name (``-strftime 1``, run with TZ=UTC): the wall clock when it opens each file."""
    if not RUN_RE.match(run):
        raise ValueError(f"bad run id {run!r}")
    return f"%Y%m%dT%H%M%SZ-{run}.mp4"


@dataclass(frozen=True)
class IncomingName:
    opened_at: datetime  # whole seconds: strftime has no fractions
    run: str


def parse_incoming_name(name: str) -> IncomingName | None:
    match = _INCOMING_NAME_RE.match(name)
    if match is None:
        return None
    opened = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    return IncomingName(opened, match["run"])


def _stamp(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment:%Y%m%dT%H%M%S}.{moment.microsecond // 1000:03d}Z"


def segment_key(organization_id: int, camera_public_id: uuid.UUID, stream: str, start: datetime, run: str) -> str:
    if stream not in STREAMS or not RUN_RE.match(run):
        raise ValueError("bad stream or run")
    day = start.astimezone(UTC).date().isoformat()
    return f"{int(organization_id)}/{camera_public_id.hex}/{stream}/{day}/{_stamp(start)}-{run}.mp4"


@dataclass(frozen=True)
class KeyParts:
    organization_id: int
    camera_public_id: uuid.UUID
    stream: str
    start: datetime  # to the millisecond
    run: str


def parse_key(key: str) -> KeyParts | None:
    """The parts of an indexed segment's key, or None if the path is not one the recorder writes."""
    match = _KEY_RE.match(key)
    if match is None:
        return None
    start = datetime.strptime(match["stamp"], "%Y%m%dT%H%M%S").replace(tzinfo=UTC)
    start = start.replace(microsecond=int(match["ms"]) * 1000)
    if start.date().isoformat() != match["day"]:
        return None
    return KeyParts(int(match["org"]), uuid.UUID(match["camera"]), match["stream"], start, match["run"])


def path_of(key: str) -> Path:
    """The local file of a key; refuses anything that would leave the root."""
    if parse_key(key) is None:
        raise ValueError(f"not a segment key: {key!r}")
    return root() / key
