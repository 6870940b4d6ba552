"""A file's SHA-256, read in chunks: the checksum of a segment (footage) and of a clip (``recordings.storage``).

It lives in ``footage``, the lowest part of ``recordings``, so the clips'
storage can use it without the recording engine importing the clips.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

HASH_CHUNK = 1024 * 1024


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
