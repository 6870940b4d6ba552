"""Reading a segment back, whatever its tier: the one entry point for playback and exports.

``locate(segment)`` says where its bytes can be fetched: a local ``path``
(serve it with X-Accel-Redirect or a file response, never through a URL
route of its own) or a short-lived ``url`` (an S3 presigned GET or an Azure
SAS URL, ``CCTV_FOOTAGE_URL_EXPIRE_SECONDS`` by default) a browser can
fetch directly. ``open_segment(segment)`` opens the bytes for Python, and
``local_file(segment, scratch)`` gives a file on this machine (a remote
segment is copied into ``scratch``) for ffmpeg, which exports cut from.
All use the store of the segment's own organization; a remote store that
cannot be reached raises ``stores.StoreUnavailable`` (``SegmentUnavailable``
from ``local_file``). Callers check access first (``accounts.scoping``):
this module trusts the segment it is given.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

from recordings.footage import layout, stores
from recordings.footage.models import Segment, Tier


class SegmentUnavailable(Exception):
    """The segment's bytes cannot be read from here; the message says why, in words for people."""


@dataclass(frozen=True)
class Location:
    """Where one segment's bytes are: exactly one of ``path`` (local disk) and ``url`` (remote, expiring)."""

    path: Path | None = None
    url: str | None = None


def locate(segment: Segment, *, expires_in: int | None = None) -> Location:
    """The local file, or a GET URL valid ``expires_in`` seconds (default ``CCTV_FOOTAGE_URL_EXPIRE_SECONDS``)."""
    if segment.tier == Tier.LOCAL:
        return Location(path=layout.path_of(segment.key))
    seconds = expires_in or settings.CCTV_FOOTAGE_URL_EXPIRE_SECONDS
    return Location(url=stores.store_for(segment.organization_id, segment.tier).url(segment.key, seconds))


def open_segment(segment: Segment) -> IO[bytes]:
    """The segment's bytes as a binary file (close it); ``FileNotFoundError`` if a local file is missing."""
    if segment.tier == Tier.LOCAL:
        return layout.path_of(segment.key).open("rb")
    return stores.store_for(segment.organization_id, segment.tier).open(segment.key)


def local_file(segment: Segment, scratch: Path) -> Path:
    """A file of the segment on this machine: its own on the local tier, else a copy made in ``scratch``.

    ffmpeg reads the copy rather than a signed URL: the concat demuxer would
    need network protocols allowed for every input, and a copy is read at
    disk speed when the cut seeks inside it.
    """
    if segment.tier == Tier.LOCAL:
        path = layout.path_of(segment.key)
        if not path.is_file():
            raise SegmentUnavailable("A recorded segment's file is missing from the recordings disk.")
        return path
    copy = scratch / f"segment-{segment.pk}.mp4"
    try:
        with open_segment(segment) as source, copy.open("wb") as target:
            shutil.copyfileobj(source, target, stores.READ_CHUNK)
    except Exception as exc:  # noqa: BLE001  (the store's client raises its own errors while streaming)
        copy.unlink(missing_ok=True)
        raise SegmentUnavailable(
            f"Footage on the {segment.get_tier_display()} tier could not be read now; try again later."
        ) from exc
    return copy


def media_start(path: Path) -> float:
    """The decode time of the first video sample of a segment file, in the file's own seconds.

    The recorder keeps timestamps running across the files of one run, so a
    file does not start at zero: cutting inside a file needs this origin.
    """
    from recordings.footage.mp4 import NotMP4, read_facts

    try:
        return read_facts(path).decode_start
    except (OSError, NotMP4) as exc:
        raise SegmentUnavailable("A recorded segment's file cannot be read.") from exc
