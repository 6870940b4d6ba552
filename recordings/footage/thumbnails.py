"""Timeline preview thumbnails: their files and names, the index rows, removal with their footage, range reads.

One small JPEG per camera per ``CCTV_THUMBNAIL_SECONDS`` (a minute), taken
by the recorder from the first closed segment of each interval
(``recordings.footage.thumbnailer``). Files live on the local disk next to
the segments, under the camera's folder:
``<organization id>/<camera hex>/thumbs/<YYYY-mm-dd>/<YYYYmmddTHHMMSS>Z.jpg``
(the interval's start, UTC; names from ids and times only). The row is
written after the file is synced into place, under the camera's indexing
lock (as segments are), and only while the segment it was taken from is
still indexed. A thumbnail goes with that segment: ``index.remove_rows``
calls ``remove_for_segments`` (file first, then the row), so whatever
deletes footage (retention, quotas, the volume guard, the events-mode
buffer, ``check_footage --repair``) deletes its thumbnails, and a legal
hold that spares the footage spares them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, transaction

from recordings.footage import layout
from recordings.footage.epochs import EPOCH
from recordings.footage.models import CameraUsage, Segment, Thumbnail

logger = logging.getLogger(__name__)

FOLDER = "thumbs"
STAMP = "%Y%m%dT%H%M%S"
_KEY_RE = re.compile(
    r"^(?P<org>\d+)/(?P<camera>[0-9a-f]{32})/thumbs/(?P<day>\d{4}-\d{2}-\d{2})/(?P<stamp>\d{8}T\d{6})Z\.jpg$"
)


def taking() -> bool:
    """Whether recorders take pictures (``CCTV_THUMBNAIL_SECONDS`` 0 turns them off; those taken stay)."""
    return settings.CCTV_THUMBNAIL_SECONDS > 0


def interval() -> timedelta:
    """The thumbnail interval; a minute when pictures are off (to read the ones taken before)."""
    return timedelta(seconds=settings.CCTV_THUMBNAIL_SECONDS or 60)


def bucket_of(moment: datetime, every: timedelta | None = None) -> datetime:
    """The start of the thumbnail interval holding ``moment`` (UTC, whole multiples of the interval)."""
    every = every or interval()
    return EPOCH + ((moment - EPOCH) // every) * every


def stamp(minute: datetime) -> str:
    """The interval's start as written in keys and URLs: ``YYYYmmddTHHMMSSZ`` (UTC)."""
    return f"{minute.astimezone(UTC):{STAMP}}Z"


def parse_stamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text, f"{STAMP}Z").replace(tzinfo=UTC)
    except ValueError:
        return None


def thumbnail_key(organization_id: int, camera_public_id: uuid.UUID, minute: datetime) -> str:
    day = minute.astimezone(UTC).date().isoformat()
    return f"{int(organization_id)}/{camera_public_id.hex}/{FOLDER}/{day}/{stamp(minute)}.jpg"


@dataclass(frozen=True)
class ThumbnailKey:
    organization_id: int
    camera_public_id: uuid.UUID
    minute: datetime


def parse_thumbnail_key(key: str) -> ThumbnailKey | None:
    """The parts of a thumbnail's key, or None if the path is not one the recorder writes."""
    match = _KEY_RE.match(key)
    if match is None:
        return None
    minute = parse_stamp(match["stamp"] + "Z")
    if minute is None or minute.date().isoformat() != match["day"]:
        return None
    return ThumbnailKey(int(match["org"]), uuid.UUID(match["camera"]), minute)


def path_of(key: str) -> Path:
    """The local file of a thumbnail key; refuses anything else (nothing may leave the root)."""
    if parse_thumbnail_key(key) is None:
        raise ValueError(f"not a thumbnail key: {key!r}")
    return layout.root() / key


def source_stream(streams: Iterable[str]) -> str:
    """The recorded stream thumbnails are taken from: the sub stream when it is recorded (smaller to decode)."""
    streams = tuple(streams)
    return "sub" if "sub" in streams else streams[0]


# --- the index ------------------------------------------------------------------------------


def _fsync(path: Path, *, directory: bool = False) -> None:
    descriptor = os.open(path, os.O_RDONLY | (os.O_DIRECTORY if directory else 0))
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def record(segment_id: int, minute: datetime, jpeg: Path) -> Thumbnail | None:
    """Move a taken JPEG into place and index it; None (and no file left) if the minute has one or the footage went.

    Under the camera's indexing lock, as segments are indexed and deleted
    (``removal.delete_segments``): the segment is re-read there, so a
    thumbnail is never indexed for footage being deleted at that moment.
    """
    segment = Segment.objects.filter(pk=segment_id).select_related("camera").first()
    camera = segment.camera if segment is not None else None
    if segment is None or camera is None or Thumbnail.objects.filter(camera_id=camera.pk, minute=minute).exists():
        jpeg.unlink(missing_ok=True)  # the footage is gone, or this minute has its picture (a restart)
        return None
    key = thumbnail_key(segment.organization_id, camera.public_id, minute)
    final = layout.root() / key
    final.parent.mkdir(parents=True, exist_ok=True)
    _fsync(jpeg)
    os.replace(jpeg, final)
    _fsync(final.parent, directory=True)
    size = final.stat().st_size
    try:
        with transaction.atomic():
            list(CameraUsage.objects.select_for_update().filter(camera_id=camera.pk))
            if not Segment.objects.filter(pk=segment_id).exists():
                raise IntegrityError("the segment was deleted meanwhile")
            return Thumbnail.objects.create(organization_id=segment.organization_id, camera_id=camera.pk,
                                            segment_id=segment_id, minute=minute, key=key, bytes=size)
    except IntegrityError:
        # The footage went while the picture was moved in (or a row appeared meanwhile: keep its file).
        if not Thumbnail.objects.filter(key=key).exists():
            final.unlink(missing_ok=True)
        return None


def taken(camera_id: int, minute: datetime) -> bool:
    """Whether the camera's interval starting at ``minute`` has its picture (the unique index answers)."""
    return Thumbnail.objects.filter(camera_id=camera_id, minute=minute).exists()


def remove_for_segments(segment_ids: Iterable[int]) -> int:
    """Delete the thumbnails taken from these segments: files first, then rows. Returns how many went.

    Call inside the transaction that removes the segments' rows (``index.remove_rows``).
    """
    ids = list(segment_ids)
    if not ids:
        return 0
    rows = list(Thumbnail.objects.filter(segment_id__in=ids).values_list("pk", "key"))
    for _, key in rows:
        with contextlib.suppress(ValueError, OSError):
            path_of(key).unlink(missing_ok=True)
    return Thumbnail.objects.filter(pk__in=[pk for pk, _ in rows]).delete()[0]


def minutes_in_range(camera_id: int, start: datetime, end: datetime) -> list[datetime]:
    """The interval starts that have a thumbnail, from the one holding ``start`` up to ``end``, oldest first."""
    rows = Thumbnail.objects.filter(camera_id=camera_id, minute__gte=bucket_of(start), minute__lt=end)
    return list(rows.order_by("minute").values_list("minute", flat=True))
