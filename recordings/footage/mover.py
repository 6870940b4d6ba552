"""Moving closed footage from local disk to each organization's remote tier (S3 or Azure Blob).

Celery beat runs ``move_footage``. For every organization whose tier is
remote, the local segments that ended more than ``move_after_hours`` ago go,
oldest first, one at a time:

1. upload the local file under the segment's key;
2. read the copy back and compare its size and SHA-256 with the index (a
   copy that differs is deleted from the store and the segment stays local,
   tried again later with back-off: ``Segment.move_failures``);
3. switch the row to the remote tier in one transaction, under the camera's
   counter lock as deletion takes it (``recordings.footage.removal``): a
   segment deleted meanwhile is not switched, and its upload is removed;
4. only then delete the local file.

A crash anywhere leaves either a local segment (plus perhaps a stray object
in the store) or a remote one whose local file the next ``check_footage``
reports: the index always says where the bytes are. When the store fails
(down, credentials refused) the organization's pass stops, the error is
kept on its ``StorageTier`` row (admin, API) and logged, and the next try
waits ``CCTV_FOOTAGE_MOVE_RETRY_SECONDS`` doubling up to
``CCTV_FOOTAGE_MOVE_RETRY_MAX_SECONDS``.

Remote deletion for retention, quotas and holds goes through
``removal.delete_segments`` like local deletion: ``register_removers`` plugs
each tier's delete in (the store of the organization named by the key).
"""

from __future__ import annotations

import enum
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from portal.backoff import exponential_delay
from recordings.footage import layout, removal, stores
from recordings.footage.models import CameraUsage, Segment, StorageTier, Tier

logger = logging.getLogger(__name__)

REMOTE_TIERS = (Tier.S3, Tier.AZURE)


class Outcome(enum.Enum):
    MOVED = "moved"
    MISMATCH = "mismatch"  # the copy differed from the index: kept local
    MISSING = "missing"  # no local file to move
    GONE = "gone"  # deleted (or moved by another pass) while it was uploading


@dataclass
class Pass:
    """What one pass over the organizations did."""

    moved: int = 0
    moved_bytes: int = 0
    failed: int = 0
    organizations_failing: int = 0

    @property
    def handled(self) -> int:
        return self.moved + self.failed


def backoff(failures: int) -> timedelta:
    """Wait after ``failures`` failures in a row: doubling from the first retry, capped."""
    first, cap = settings.CCTV_FOOTAGE_MOVE_RETRY_SECONDS, settings.CCTV_FOOTAGE_MOVE_RETRY_MAX_SECONDS
    return timedelta(seconds=exponential_delay(failures - 1, first, cap))


def _due(now: datetime) -> Q:
    return Q(move_retry_at__isnull=True) | Q(move_retry_at__lte=now)


def candidates(tier: StorageTier, now: datetime, limit: int) -> list[Segment]:
    """The organization's oldest local segments that ended ``move_after_hours`` ago and are due."""
    cutoff = now - timedelta(hours=tier.move_after_hours)
    return list(Segment.objects.filter(_due(now), organization_id=tier.organization_id, tier=Tier.LOCAL,
                                       end__lte=cutoff).order_by("end", "pk")[:limit])


def move_footage(now: datetime, batch_size: int) -> Pass:
    """Move up to ``batch_size`` segments in all, organization by organization."""
    result = Pass()
    tiers = StorageTier.objects.filter(_due(now), kind__in=REMOTE_TIERS).order_by("organization_id")
    for tier in tiers:
        if result.handled >= batch_size:
            break
        move_organization(tier, now, batch_size - result.handled, result)
    return result


def move_organization(tier: StorageTier, now: datetime, limit: int, result: Pass) -> None:
    """Move one organization's due segments until ``limit`` or the first store failure."""
    chosen = candidates(tier, now, limit)
    if not chosen:
        return
    moved = 0
    try:
        store = stores.store_for(tier.organization_id, tier.kind)
        for segment in chosen:
            outcome = move_segment(store, segment, now)
            if outcome is Outcome.MOVED:
                moved += 1
                result.moved_bytes += segment.bytes
            elif outcome in (Outcome.MISMATCH, Outcome.MISSING):
                result.failed += 1
    except stores.StoreUnavailable as error:
        result.failed += 1
        result.organizations_failing += 1
        _store_failed(tier, str(error), now)
    else:
        if moved:
            _store_worked(tier, now)
    result.moved += moved
    if moved:
        StorageTier.objects.filter(pk=tier.pk).update(moved_segments=F("moved_segments") + moved, moved_at=now)
        logger.info("moved %d segments of organization %s to %s", moved, tier.organization_id, tier.kind)


def move_segment(store: stores.Store, segment: Segment, now: datetime) -> Outcome:
    """Upload, verify, switch the row, delete the local file (see the module docstring)."""
    path = layout.path_of(segment.key)
    try:
        with path.open("rb") as local:
            store.put(segment.key, local)
    except FileNotFoundError:
        if not Segment.objects.filter(pk=segment.pk, tier=Tier.LOCAL).exists():
            return Outcome.GONE
        _segment_failed(segment, now, "its local file is missing (check_footage reports it)")
        return Outcome.MISSING
    copy = store.read_back(segment.key)
    if copy != stores.Copy(segment.bytes, segment.sha256):
        store.delete(segment.key)
        _segment_failed(segment, now, f"the copy in the store ({copy.size} bytes, sha256 {copy.sha256[:12]}…) "
                                      f"differs from the index ({segment.bytes} bytes, {segment.sha256[:12]}…)")
        StorageTier.objects.filter(pk=segment.organization_id).update(
            move_error=f"Segment {segment.pk} was not moved: its copy did not match the index; it stays local.")
        return Outcome.MISMATCH
    if not _switch(segment, store.kind):
        if not Segment.objects.filter(pk=segment.pk).exists():
            store.delete(segment.key)  # deleted while uploading: the upload must not stay behind
        return Outcome.GONE
    path.unlink(missing_ok=True)
    return Outcome.MOVED


def _switch(segment: Segment, kind: str) -> bool:
    """Point the row at the remote copy, if it is still the local segment we uploaded."""
    with transaction.atomic():
        if segment.camera_id is not None:
            list(CameraUsage.objects.select_for_update().filter(camera_id=segment.camera_id))
        switched = Segment.objects.filter(pk=segment.pk, tier=Tier.LOCAL, key=segment.key).update(
            tier=kind, move_failures=0, move_retry_at=None)
    return switched == 1


def _segment_failed(segment: Segment, now: datetime, why: str) -> None:
    failures = segment.move_failures + 1
    Segment.objects.filter(pk=segment.pk).update(move_failures=min(failures, 32767),
                                                 move_retry_at=now + backoff(failures))
    logger.error("segment %s of organization %s not moved: %s; it stays local and is tried again later",
                 segment.pk, segment.organization_id, why)


def _store_failed(tier: StorageTier, why: str, now: datetime) -> None:
    failures = tier.move_failures + 1
    retry_at = now + backoff(failures)
    StorageTier.objects.filter(pk=tier.pk).update(move_failures=failures, move_error=why[:300],
                                                  move_retry_at=retry_at)
    logger.warning("moving footage of organization %s failed (%d in a row): %s; footage stays local, next try at "
                   "%s", tier.organization_id, failures, why, retry_at.isoformat())


def _store_worked(tier: StorageTier, now: datetime) -> None:
    if tier.move_failures or tier.move_error or tier.move_retry_at:
        StorageTier.objects.filter(pk=tier.pk).update(move_failures=0, move_error="", move_retry_at=None)


# --- deleting remote footage ---------------------------------------------------------------


# Deletion runs under the cameras' counter locks (removal.delete_segments), which recorders need to index
# new footage: once an organization's store failed, its other deletes fail at once for this long instead
# of each waiting for the store's timeout. Their rows stay and the next housekeeping run tries again.
DELETE_PAUSE_SECONDS = 60.0
_delete_failed_at: dict[int, float] = {}


def _remote_remover(kind: str) -> removal.FileRemover:
    def remove(key: str) -> None:
        parts = layout.parse_key(key)
        if parts is None:
            raise ValueError(f"not a segment key: {key!r}")
        organization_id = parts.organization_id
        failed_at = _delete_failed_at.get(organization_id)
        if failed_at is not None and time.monotonic() - failed_at < DELETE_PAUSE_SECONDS:
            raise stores.StoreUnavailable("the store failed moments ago; not tried again yet")
        try:
            stores.store_for(organization_id, kind).delete(key)
        except stores.StoreUnavailable:
            _delete_failed_at[organization_id] = time.monotonic()
            raise
        _delete_failed_at.pop(organization_id, None)

    return remove


def register_removers() -> None:
    """Let retention, quotas and the guard delete remote footage (``removal.register_remover``)."""
    for kind in REMOTE_TIERS:
        removal.register_remover(kind, _remote_remover(kind))
