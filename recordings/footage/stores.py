"""The one client of the remote footage stores (S3 and Azure Blob), through django-storages.

``store_for(organization_id)`` builds the store of that organization from
its own ``StorageTier`` row and nothing else, so one organization's
credentials never touch another's footage; the organization comes from the
segment (its row, and its key, which starts with the organization id).
Every call has a timeout (``CCTV_STORAGE_TIMEOUT_SECONDS``), the endpoint is
checked again before each store is built (``tier_config.check_endpoint``),
Azure redirects are not followed, and S3 uses path-style addresses on a
custom endpoint (a bucket name never becomes a host name the portal
resolves). Failures become ``StoreUnavailable`` (try again later) with a
message a person understands and no secret in it.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from botocore.config import Config
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import Storage

from recordings.footage.models import StorageTier, Tier

READ_CHUNK = 1024 * 1024


class StoreUnavailable(Exception):
    """The store could not be used now (down, refused the credentials, not configured); retrying may help."""


@dataclass(frozen=True)
class Copy:
    """What a store holds under a key: its size and the SHA-256 of its bytes, read back."""

    size: int
    sha256: str


@contextmanager
def _calls(kind: str) -> Iterator[None]:
    try:
        yield
    except StoreUnavailable:
        raise
    except Exception as error:  # noqa: BLE001  (botocore, azure-core, sockets: all mean "not now")
        raise StoreUnavailable(f"The {Tier(kind).label} store failed: {_describe(error)}") from error


def _describe(error: Exception) -> str:
    """A short account of a client error, without request details (they may carry signatures)."""
    code = getattr(error, "response", {}) or {}
    code = code.get("Error", {}).get("Code") if isinstance(code, dict) else None
    reason = getattr(error, "reason", None) or getattr(error, "error_code", None) or code
    return f"{type(error).__name__}{f' ({reason})' if reason else ''}"[:200]


class Store:
    """One organization's remote store: put, read back, open, delete, and short-lived URLs of keys."""

    def __init__(self, kind: str, storage: Storage) -> None:
        self.kind = kind
        self.storage = storage

    def put(self, key: str, file: IO[bytes]) -> None:
        with _calls(self.kind):
            self.storage.save(key, File(file, name=key))

    def read_back(self, key: str) -> Copy:
        """Size and SHA-256 of the stored object, from its bytes as the store returns them."""
        digest, size = hashlib.sha256(), 0
        with _calls(self.kind), self.storage.open(key, "rb") as stored:
            while chunk := stored.read(READ_CHUNK):
                digest.update(chunk)
                size += len(chunk)
        return Copy(size, digest.hexdigest())

    def open(self, key: str) -> IO[bytes]:
        with _calls(self.kind):
            return self.storage.open(key, "rb")

    def delete(self, key: str) -> None:
        """Delete one object; a missing one is no error."""
        with _calls(self.kind):
            self.storage.delete(key)

    def url(self, key: str, seconds: int) -> str:
        """A GET URL of the object that stops working after ``seconds`` (S3 presigned, Azure SAS)."""
        with _calls(self.kind):
            return self.storage.url(key, expire=seconds)


# Built stores by organization, with the row version they were built from: a client costs tens of
# milliseconds and the endpoint check a DNS lookup, so each is reused for CACHE_SECONDS at most.
CACHE_SECONDS = 60.0
_cache: dict[int, tuple[float, object, Store]] = {}


def clear_cache() -> None:
    _cache.clear()


def store_for(organization_id: int, kind: str | None = None) -> Store:
    """The store of this organization's tier (``kind``: the tier the footage is on, if it must match)."""
    row = StorageTier.objects.filter(organization_id=organization_id).first()
    if row is None or not row.is_remote or (kind is not None and row.kind != kind):
        raise StoreUnavailable("The organization has no remote store of this kind configured.")
    cached = _cache.get(organization_id)
    if cached is not None and cached[1] == row.updated_at and time.monotonic() - cached[0] < CACHE_SECONDS:
        return cached[2]
    store = build_store(row)
    _cache[organization_id] = (time.monotonic(), row.updated_at, store)
    return store


def build_store(row: StorageTier) -> Store:
    """A store from a tier row as it is (``store_for`` reads the row and caches; benchmarks call this)."""
    from recordings.footage.tier_config import check_endpoint

    if row.endpoint_url:
        try:
            check_endpoint(row.endpoint_url, row.kind)
        except ValidationError as refused:
            raise StoreUnavailable(f"The store's address is refused now: {' '.join(refused.messages)}") from None
    with _calls(row.kind):
        return Store(row.kind, _s3(row) if row.kind == Tier.S3 else _azure(row))


def _s3(row: StorageTier) -> Storage:
    from storages.backends.s3 import S3Storage

    timeout = settings.CCTV_STORAGE_TIMEOUT_SECONDS
    config = Config(
        s3={"addressing_style": "path" if row.endpoint_url else "auto"}, signature_version="s3v4",
        connect_timeout=timeout, read_timeout=timeout, retries={"max_attempts": 2, "mode": "standard"},
    )  # fmt: skip
    return S3Storage(
        bucket_name=row.bucket, endpoint_url=row.endpoint_url or None, region_name=row.region or "us-east-1",
        access_key=row.access_key, secret_key=row.secret_key, client_config=config, default_acl=None,
        querystring_auth=True, file_overwrite=True, location="",
    )  # fmt: skip


def _azure(row: StorageTier) -> Storage:
    from azure.storage.blob import BlobServiceClient
    from storages.backends.azure_storage import AzureStorage

    account_url = row.endpoint_url or f"https://{row.access_key}.blob.core.windows.net"
    timeout = settings.CCTV_STORAGE_TIMEOUT_SECONDS

    class AccountStorage(AzureStorage):
        """django-storages' backend on an explicit account URL (Azurite's is path-style), no redirects."""

        def _get_service_client(self) -> BlobServiceClient:
            credential = {"account_name": row.access_key, "account_key": row.secret_key}
            return BlobServiceClient(account_url, credential=credential, connection_timeout=timeout,
                                     read_timeout=timeout, permit_redirects=False, retry_total=1)

    return AccountStorage(account_name=row.access_key, account_key=row.secret_key, azure_container=row.bucket,
                          overwrite_files=True, timeout=timeout, location="")
