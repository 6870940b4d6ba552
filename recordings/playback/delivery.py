"""A segment's bytes, for a request whose session was already opened (signature, principal, gate).

Three ways, by where the segment is and how the portal is deployed:

- local tier, ``CCTV_PLAYBACK_ACCEL_PREFIX`` set (docker compose): an empty
  answer with ``X-Accel-Redirect: <prefix><key>``; nginx sends the file
  from an ``internal`` location (byte ranges included), no bytes in Python;
- local tier, no prefix (the single-machine start): Daphne sends the file,
  honouring a single byte range (the playlist asks for ranges);
- remote tiers (S3, Azure): the portal reads the object from the
  organization's own store (``reading.open_segment``) and sends the asked
  byte range. Not a redirect to a presigned/SAS URL: the page's
  Content-Security-Policy (``connect-src 'self'``) and the store's CORS rules
  would both have to admit the store's origin, and a redirect carrying a
  Range header needs a CORS preflight the store must answer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from django.http import FileResponse, HttpRequest, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from rest_framework.exceptions import NotFound

from recordings.clips.downloads import parse_range, stream_range
from recordings.footage import layout, reading, thumbnails
from recordings.footage.models import Segment, Thumbnail, Tier
from recordings.playback.sessions import Session

logger = logging.getLogger(__name__)

GONE = "This piece of footage is no longer stored (retention may have just removed it)."
REMOTE_DOWN = "The remote storage that keeps this footage cannot be reached now; try again in a minute."


def session_segment(session: Session, camera_id: int, segment_id: int) -> Segment:
    """One segment of the session's camera, stream and range; 404 for any other.

    The session was opened (the gate let the caller through), so the 404 may say why.
    """
    segment = (Segment.objects.of_stream(camera_id, session.stream).overlapping(session.start, session.end)
               .filter(pk=segment_id).only("pk", "key", "tier", "bytes", "organization_id").first())
    if segment is None:
        raise NotFound(GONE)
    return segment


def _local_response(request: HttpRequest, path: Path) -> HttpResponse:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise NotFound(GONE) from None
    return _ranged_response(request, size, lambda: path.open("rb"))


def _remote_response(request: HttpRequest, segment: Any) -> HttpResponse:
    """The asked bytes of a segment on S3 / Azure, read from its organization's store (size from the index)."""
    try:
        handle = reading.open_segment(segment)
        # The store's clients fetch the object on first access; do it here, so a store that is down is a
        # clear 404 rather than a stream cut after its headers.
        handle.seek(0)
    except Exception:  # noqa: BLE001  (StoreUnavailable, or the client's own error on first access)
        logger.warning("segment %s could not be read from its %s store", segment.pk, segment.tier, exc_info=True)
        raise NotFound(REMOTE_DOWN) from None
    response = _ranged_response(request, segment.bytes, lambda: handle)
    if not isinstance(response, StreamingHttpResponse):
        handle.close()  # a refused range: nothing will be read
    return response


def _ranged_response(request: HttpRequest, size: int, opener: Callable[[], IO[bytes]]) -> HttpResponse:
    try:
        wanted = parse_range(request.headers.get("Range", ""), size)
    except ValueError:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    first, last = wanted if wanted is not None else (0, size - 1)
    response = StreamingHttpResponse(stream_range(opener(), first, last - first + 1), status=206 if wanted else 200,
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
        response = _remote_response(request, segment)
    # Segment files never change: the browser may keep them while the session lasts (seeking back is free).
    remaining = max(int((session.expires_at - timezone.now()).total_seconds()), 0)
    response["Cache-Control"] = f"private, max-age={remaining}"
    return response


# Thumbnails never change; an hour in the browser's own cache (private: it passed the gate) keeps hovering
# over the same minutes free, and someone who lost access gets nothing new.
THUMBNAIL_CACHE = "private, max-age=3600"
THUMBNAIL_GONE = "This preview picture is no longer stored (retention may have just removed it)."


def thumbnail_response(thumbnail: Thumbnail) -> HttpResponse:
    """A preview JPEG (always on the local disk), sent by the portal itself.

    Not through nginx's footage location even where there is one: it sends everything as video/mp4, and a
    picture of a few kilobytes costs Daphne less than the check before it.
    """
    path = thumbnails.path_of(thumbnail.key)  # refuses a key that would leave the recordings root
    try:
        response = FileResponse(path.open("rb"), content_type="image/jpeg")
    except FileNotFoundError:
        raise NotFound(THUMBNAIL_GONE) from None
    response["Cache-Control"] = THUMBNAIL_CACHE
    return response
