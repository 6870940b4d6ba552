"""Where clip files live, through Django's storage API (the ``clips`` storage alias).

Local disk under MEDIA_ROOT by default (never served by a URL route: files
leave only through the permission-checked download), or an S3-compatible
bucket when ``CCTV_CLIP_STORAGE=s3`` (private objects, short-lived presigned
URLs). Names are built from ids only, so no user text reaches a path.
Exports are recorded into a local temporary file first and then streamed
into storage chunk by chunk, hashing as they go.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from django.conf import settings
from django.core.files import File
from django.core.files.storage import Storage, storages
from django.utils.text import slugify

from recordings.footage.checksums import sha256_of

logger = logging.getLogger(__name__)

class StorageFailed(Exception):
    """Writing a clip into storage failed; the partial object was removed."""


def clip_storage() -> Storage:
    return storages["clips"]


def is_remote() -> bool:
    return settings.CCTV_CLIP_STORAGE == "s3"


def clip_name(organization_id: int, public_id: uuid.UUID) -> str:
    return f"clips/{organization_id}/{public_id.hex}.mp4"


def safe_filename(camera_name: str, when: datetime) -> str:
    """An attachment name of ASCII letters, digits and dashes (it goes into Content-Disposition)."""
    slug = slugify(camera_name)[:60].strip("-") or "camera"
    return f"clip-{slug}-{when:%Y%m%d-%H%M%S}.mp4"


def range_filename(camera_name: str, start: datetime, end: datetime) -> str:
    """A range export's name: its real start and end (UTC), and ``keyframe-cut`` (the start is a keyframe)."""
    slug = slugify(camera_name)[:60].strip("-") or "camera"
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    return f"clip-{slug}-{start:%Y%m%d-%H%M%S}Z-to-{end:%Y%m%d-%H%M%S}Z-keyframe-cut.mp4"


def bundle_name(organization_id: int, public_id: uuid.UUID) -> str:
    return f"clips/{organization_id}/{public_id.hex}.zip"


class HashingFile(File):
    """A file whose bytes are hashed the first time each is read, in order.

    Storage backends read sequentially (local disk) or may seek back and read
    again (S3 retries a part): bytes already hashed are not hashed twice, and
    ``sha256`` is None if anything was skipped, so the caller re-hashes.
    """

    def __init__(self, file: IO[bytes], name: str) -> None:
        super().__init__(file, name)
        self._digest = hashlib.sha256()
        self._hashed = 0

    def read(self, size: int = -1) -> bytes:
        start = self.file.tell()
        data = self.file.read(size)
        end = start + len(data)
        if start <= self._hashed < end:
            self._digest.update(data[self._hashed - start :])
            self._hashed = end
        return data

    def sha256(self, size: int) -> str | None:
        return self._digest.hexdigest() if self._hashed == size else None


@dataclass(frozen=True)
class StoredFile:
    name: str
    size: int
    sha256: str


def store(source: Path, name: str) -> StoredFile:
    """Stream ``source`` into clip storage under ``name`` (replacing any earlier partial copy)."""
    storage = clip_storage()
    size = source.stat().st_size
    try:
        with source.open("rb") as handle:
            content = HashingFile(handle, name=name)
            saved = storage.save(name, content)
    except Exception as exc:
        delete(name)
        raise StorageFailed(f"could not write the clip into storage: {type(exc).__name__}") from exc
    if saved != name:  # the storage renamed it: it is not configured to overwrite
        delete(saved)
        raise StorageFailed(f"clip storage saved {saved!r} instead of {name!r}; enable overwriting")
    return StoredFile(name=name, size=size, sha256=content.sha256(size) or sha256_of(source))


def delete(name: str) -> None:
    """Remove a stored clip; a missing file is fine (deletes are retried)."""
    if not name:
        return
    with contextlib.suppress(FileNotFoundError):
        clip_storage().delete(name)


def open_clip(name: str) -> File:
    return clip_storage().open(name, "rb")


def url_lifetime() -> int:
    return settings.CCTV_CLIP_URL_EXPIRE_SECONDS


def presigned_url(name: str, filename: str, *, inline: bool, content_type: str = "video/mp4") -> str:
    """A short-lived GET URL of a private S3 object (only for ``CCTV_CLIP_STORAGE=s3``)."""
    disposition = "inline" if inline else "attachment"
    parameters = {
        "ResponseContentDisposition": f'{disposition}; filename="{filename}"',
        "ResponseContentType": content_type,
    }
    return clip_storage().url(name, parameters=parameters, expire=url_lifetime())


# --- temporary recordings -------------------------------------------------------


def temp_dir() -> Path:
    path = Path(settings.CCTV_CLIP_TEMP_DIR)
    path.mkdir(parents=True, exist_ok=True)
    return path


def temp_path(public_id: uuid.UUID) -> Path:
    return temp_dir() / f"{public_id.hex}.partial.mp4"


def sweep_temp_files(active: set[uuid.UUID], *, min_age_seconds: float = 60) -> int:
    """Remove temporary recordings of clips no longer being recorded (a worker died mid-way)."""
    keep = {temp_path(public_id).name for public_id in active}
    removed = 0
    cutoff = time.time() - min_age_seconds
    for path in temp_dir().glob("*.partial.mp4"):
        if path.name in keep:
            continue
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    if removed:
        logger.info("removed %d abandoned temporary clip files", removed)
    return removed
