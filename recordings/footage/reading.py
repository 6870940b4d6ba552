"""Reading a segment back, whatever its tier: the one entry point for playback and exports.

``locate(segment)`` says where its bytes can be fetched: a local ``path``
(serve it with X-Accel-Redirect or a file response, never through a URL
route of its own) or a short-lived ``url`` (an S3 presigned GET or an Azure
SAS URL, ``CCTV_FOOTAGE_URL_EXPIRE_SECONDS`` by default) a browser or
ffmpeg can fetch directly. ``open_segment(segment)`` opens the bytes for
Python (exports, checks). Both use the store of the segment's own
organization; a remote store that cannot be reached raises
``stores.StoreUnavailable``. Callers check access first (``accounts.scoping``):
this module trusts the segment it is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import IO

from django.conf import settings

from recordings.footage import layout, stores
from recordings.footage.models import Segment, Tier


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
