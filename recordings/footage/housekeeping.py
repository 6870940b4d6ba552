"""Footage housekeeping, run by Celery beat: retention, quotas, and the guard of the recordings disk.

Each pass chooses at most ``batch_size`` segments and deletes them through
``removal.delete_segments`` (which spares held footage and keeps files and
counters right); the tasks re-enqueue themselves while a pass comes back
full. Passes are safe to run twice at once: deletion re-reads its rows
under the cameras' locks, and deleting what is gone is no error.

Retention days are integer columns (a camera's, else its organization's
policy, else the defaults), so no cutoff is computed in SQL (SQLite cannot
turn a column into an interval): each distinct number of days gets its own
cutoff here, and the query compares ``end`` with it (the ``kind, end``
index) and the row's effective days with the number.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce, Greatest

from recordings.footage import layout, removal, retention, volume
from recordings.footage.models import (
    Notice,
    OrganizationUsage,
    RecordingSettings,
    Segment,
    SegmentKind,
    StoragePolicy,
    Tier,
    VolumeGuardRun,
)

logger = logging.getLogger(__name__)

_CONTINUOUS = Coalesce(F("camera__recording_settings__continuous_retention_days"),
                       F("organization__storage_policy__continuous_retention_days"),
                       Value(retention.DEFAULT_CONTINUOUS_DAYS))
_EVENT = Coalesce(F("camera__recording_settings__event_retention_days"),
                  F("organization__storage_policy__event_retention_days"),
                  Value(retention.DEFAULT_EVENT_DAYS))
# (which segments, how many days they are kept): retention.keep_days in SQL.
RULES = (
    (Q(kind=SegmentKind.EVENT), _EVENT),
    (Q(kind=SegmentKind.CONTINUOUS, has_motion=True), Greatest(_CONTINUOUS, _EVENT)),
    (Q(kind=SegmentKind.BUFFER) | Q(kind=SegmentKind.CONTINUOUS, has_motion=False), _CONTINUOUS),
)


def _day_values() -> list[int]:
    """Every number of retention days in use: the effective days of any segment are among these."""
    days = {retention.DEFAULT_CONTINUOUS_DAYS, retention.DEFAULT_EVENT_DAYS}
    for model in (RecordingSettings, StoragePolicy):
        for column in ("continuous_retention_days", "event_retention_days"):
            days |= set(model.objects.exclude(**{column: None}).values_list(column, flat=True).distinct())
    return sorted(days)


def _deletable() -> Q:
    return Q(held=False, tier__in=removal.removable_tiers())


def expired_segments(now: datetime, limit: int) -> list[int]:
    """Up to ``limit`` ids of segments whose camera's retention no longer covers them, oldest first."""
    chosen: list[int] = []
    for days in _day_values():
        cutoff = retention.expired_if_ended_by(now, days)
        for which, keep in RULES:
            if len(chosen) >= limit:
                return chosen
            rows = (Segment.objects.filter(which, _deletable(), end__lte=cutoff).annotate(keep=keep)
                    .filter(keep=days).order_by("end", "pk").values_list("pk", flat=True))
            chosen += list(rows[: limit - len(chosen)])
    return chosen


def expire_footage(now: datetime, batch_size: int) -> int:
    """Delete up to ``batch_size`` segments past their retention; returns how many were chosen."""
    chosen = expired_segments(now, batch_size)
    removed = removal.delete_segments(chosen)
    if removed.segments:
        logger.info("retention deleted %d segments (%d bytes)", removed.segments, removed.bytes)
    return len(chosen)


# Notices (and their rows in the delivery log) are kept this long.
NOTICE_KEEP = timedelta(days=90)


def expire_notices(now: datetime, batch_size: int) -> int:
    """Delete up to ``batch_size`` notices older than ``NOTICE_KEEP`` with their deliveries; returns how many."""
    old = list(Notice.objects.filter(created_at__lt=now - NOTICE_KEEP).order_by("created_at", "pk")
               .values_list("pk", flat=True)[:batch_size])
    Notice.objects.filter(pk__in=old).delete()
    return len(old)


# --- quotas ---------------------------------------------------------------------------------


def over_quota() -> list[tuple[int, int, int]]:
    """(organization id, used bytes, quota) of every organization whose footage exceeds its quota."""
    quotas = dict(StoragePolicy.objects.exclude(quota_bytes=None).values_list("organization_id", "quota_bytes"))
    used = OrganizationUsage.objects.filter(organization_id__in=quotas).values_list("organization_id", "bytes")
    return [(org_id, size, quotas[org_id]) for org_id, size in used if retention.quota_excess(size, quotas[org_id])]


def enforce_quotas(batch_size: int) -> int:
    """Delete the oldest unprotected footage of organizations over their quota until each fits.

    At most ``batch_size`` segments per call; returns how many were chosen.
    """
    handled = 0
    for organization_id, used, quota in over_quota():
        if handled >= batch_size:
            break
        oldest = (Segment.objects.filter(_deletable(), organization_id=organization_id)
                  .order_by("start", "pk").values_list("pk", "bytes")[: batch_size - handled])
        chosen = retention.smallest_prefix(oldest, retention.quota_excess(used, quota))
        if not chosen:
            logger.warning("organization %s is over its footage quota (%d of %d bytes) but nothing left may be "
                           "deleted (held footage, or tiers that cannot delete yet)", organization_id, used, quota)
            continue
        removed = removal.delete_segments(chosen)
        handled += len(chosen)
        logger.info("organization %s over its footage quota (%d of %d bytes): deleted its %d oldest segments "
                    "(%d bytes)", organization_id, used, quota, removed.segments, removed.bytes)
    return handled


# --- the recordings disk ------------------------------------------------------------------


@dataclass(frozen=True)
class GuardPass:
    """One pass of the guard: how many segments it chose, its run (None when above the floor), and whether to go on."""

    chosen: int
    run_id: int | None
    more: bool


def oldest_local_segments(need: int, limit: int) -> list[int]:
    """The oldest unprotected segments on the local disk, across organizations, whose bytes reach ``need``.

    One query per organization on its (organization, start) index, merged here.
    """
    organizations = OrganizationUsage.objects.filter(segments__gt=0).values_list("organization_id", flat=True)
    queues = [
        list(Segment.objects.filter(organization_id=org_id, tier=Tier.LOCAL, held=False)
             .order_by("start", "pk").values_list("start", "pk", "bytes")[:limit])
        for org_id in organizations
    ]
    return retention.oldest_first(queues, need, limit)


def _run(run_id: int | None, root: Path, space: volume.Space, floor: int) -> VolumeGuardRun:
    run = VolumeGuardRun.objects.filter(pk=run_id).first() if run_id else None
    if run is None:
        run = VolumeGuardRun.objects.create(path=str(root), total_bytes=space.total, floor_bytes=floor,
                                            free_before=space.free, free_after=space.free)
        logger.warning("recordings disk %s is below its free-space floor: %d bytes free of %d, floor %d; "
                       "deleting the oldest unprotected footage", root, space.free, space.total, floor)
    return run


def guard_volume(batch_size: int, *, probe: volume.Probe | None = None, run_id: int | None = None) -> GuardPass:
    """Keep the recordings disk above its floor by deleting the oldest unprotected local footage.

    Every deletion is logged and counted on a ``VolumeGuardRun`` row (the
    admin lists them); ``run_id`` carries one run over re-enqueued passes.
    """
    probe = probe or volume.statvfs_space
    root = layout.root()
    if not root.is_dir():
        return GuardPass(0, run_id, False)
    space = probe(root)
    floor = volume.floor_for(space)
    need = retention.shortfall(space.free, floor)
    if not need:
        if run_id:
            VolumeGuardRun.objects.filter(pk=run_id).update(free_after=space.free,
                                                            outcome="Free space is back above the floor.")
        return GuardPass(0, run_id, False)
    run = _run(run_id, root, space, floor)
    chosen = oldest_local_segments(need, batch_size)
    removed = removal.delete_segments(chosen)
    after = probe(root)
    still_short = retention.shortfall(after.free, floor) > 0
    _record(run, removed, after, still_short, nothing_left=not chosen)
    logger.warning("volume guard deleted %d segments (%d bytes) from %s; %d bytes free, floor %d",
                   removed.segments, removed.bytes, root, after.free, floor)
    return GuardPass(len(chosen), run.pk, still_short and removed.segments > 0)


def _record(run: VolumeGuardRun, removed: removal.Removed, after: volume.Space, still_short: bool, *,
            nothing_left: bool) -> None:
    organizations = {str(org): run.organizations.get(str(org), 0) + size
                     for org, size in removed.by_organization.items()}
    run.organizations = {**run.organizations, **organizations}
    run.deleted_segments += removed.segments
    run.deleted_bytes += removed.bytes
    run.free_after = after.free
    if nothing_left:
        run.outcome = "Still below the floor: nothing left that may be deleted (held footage or other tiers)."
        logger.error("recordings disk %s is below its floor and only held footage is left; writes may fail",
                     run.path)
    elif still_short:
        run.outcome = "Still below the floor; deleting more."
    else:
        run.outcome = "Free space is back above the floor."
    run.save()
