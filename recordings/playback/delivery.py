"""A segment's bytes, for a request whose session was already opened (signature, principal, gate).

Three ways, by where the segment is and how the portal is deployed:

- local tier, ``CCTV_PLAYBACK_ACCEL_PREFIX`` set (docker compose): an empty
  answer with ``X-Accel-Redirect: <prefix><key>``; nginx sends the file
  from an ``internal`` location (byte ranges included), no bytes in Python;
- local tier, no prefix (the single-machine start): Daphne sends the file,
  honouring a single byte range (the playlist asks for ranges);
- remote tiers (S3, Azure): ``remote_url`` is the seam for a short-lived
  presigned or SAS URL; until the tiers provide it, such footage answers 404
  with a message saying why.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils import timezone
from rest_framework.exceptions import NotFound

from recordings.downloads import parse_range
from recordings.footage import layout
from recordings.footage.models import Segment, Tier
from recordings.playback.sessions import Session

CHUNK = 256 * 1024
GONE = "This piece of footage is no longer stored (retention may have just removed it)."
REMOTE_NOT_YET = "This footage was moved to remote storage; playing it from there is not available yet."


def session_segment(session: Session, camera_id: int, segment_id: int) -> Segment:
    """One segment of the session's camera, stream and range; 404 for any other.

    The session was opened (the gate let the caller through), so the 404 may say why.
    """
    segment = (Segment.objects.of_stream(camera_id, session.stream).overlapping(session.start, session.end)
               .filter(pk=segment_id).only("pk", "key", "tier", "bytes").first())
    if segment is None:
        raise NotFound(GONE)
    return segment


def remote_url(segment: Segment, expires_at: datetime) -> str | None:
    """A short-lived URL of a remote segment's bytes (S3 presigned, Azure SAS), valid until ``expires_at``.

    The seam for the remote tiers: they fill this in. None means not available.
    """
    return None


def _chunks(path: Path, start: int, length: int) -> Iterator[bytes]:
    with path.open("rb") as handle:
        handle.seek(start)
        while length > 0:
            data = handle.read(min(CHUNK, length))
            if not data:
                return
            length -= len(data)
            yield data


def _local_response(request: HttpRequest, path: Path) -> HttpResponse:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise NotFound(GONE) from None
    try:
        wanted = parse_range(request.headers.get("Range", ""), size)
    except ValueError:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    first, last = wanted if wanted is not None else (0, size - 1)
    response = StreamingHttpResponse(_chunks(path, first, last - first + 1), status=206 if wanted else 200,
                                     content_type="video/mp4")
    if wanted:
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Content-Length"] = str(last - first + 1)
    response["Accept-Ranges"] = "bytes"
    return response


def _accel_response(key: str) -> HttpResponse:
    response = HttpResponse(content_type="video/mp4")
    response["X-Accel-Redirect"] = settings.CCTV_PLAYBACK_ACCEL_PREFIX + key
    return response


def segment_response(request: HttpRequest, session: Session, segment: Any) -> HttpResponse:
    """The bytes of ``segment`` (or where to get them). Never cached beyond this session."""
    if segment.tier == Tier.LOCAL:
        layout.path_of(segment.key)  # refuses a key that would leave the recordings root
        if settings.CCTV_PLAYBACK_ACCEL_PREFIX:
            response = _accel_response(segment.key)
        else:
            response = _local_response(request, layout.path_of(segment.key))
    else:
        url = remote_url(segment, session.expires_at)
        if url is None:
            raise NotFound(REMOTE_NOT_YET)
        response = HttpResponseRedirect(url)
    # Segment files never change: the browser may keep them while the session lasts (seeking back is free).
    remaining = max(int((session.expires_at - timezone.now()).total_seconds()), 0)
    response["Cache-Control"] = f"private, max-age={remaining}"
    return response
