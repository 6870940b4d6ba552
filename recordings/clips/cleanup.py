"""Housekeeping for clips: retention deletes and the sweeper of rows whose worker died.

Both work in bounded batches (the tasks re-enqueue themselves while a batch
comes back full) and are safe to run twice at once: every row change is a
conditional UPDATE or DELETE, and deleting a missing file is not an error.

A deadline that depends on an integer column (a clip's length, its
organization's retention days) is never computed in SQL: turning a column
into an interval differs between databases (SQLite refuses
``F("duration") * timedelta`` with "Invalid arguments for operator *").
Instead each distinct value of that column gets its own cutoff, computed
here, and the query compares a timestamp column with it, which works
everywhere and can use an index. (A datetime column plus a constant
interval, as in ``reapply_retention``, Django supports on both.)
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet

from portal.work import enqueue
from recordings import storage
from recordings.clips import retention
from recordings.clips.services import publish_status
from recordings.models import Clip, ClipStatus, ExportBundle, MotionEvent

logger = logging.getLogger(__name__)


def expire_clips(now: datetime, batch_size: int) -> int:
    """Delete up to ``batch_size`` expired clips, each file first and then its row.

    Files go first so that a crash in between leaves a row whose file is
    missing (deleted again on the next run), never a file nobody knows about.
    """
    batch = list(
        Clip.objects.expired(now).exclude(status=ClipStatus.RECORDING)
        .order_by("expires_at", "pk").values_list("pk", "file")[:batch_size]
    )
    deleted = _delete_files(batch, "expired clip")
    count, _ = Clip.objects.filter(pk__in=deleted, expires_at__lte=now).delete()
    if count:
        logger.info("retention deleted %d expired clips", count)
    return len(batch)


def expire_bundles(now: datetime, batch_size: int) -> int:
    """Delete up to ``batch_size`` expired multi-camera exports (zip first, then row), like clips."""
    batch = list(
        ExportBundle.objects.filter(expires_at__lte=now).exclude(status=ClipStatus.RECORDING)
        .order_by("expires_at", "pk").values_list("pk", "file")[:batch_size]
    )
    deleted = _delete_files(batch, "expired export")
    ExportBundle.objects.filter(pk__in=deleted, expires_at__lte=now).delete()
    return len(batch)


def _delete_files(batch: list[tuple[int, str]], what: str) -> list[int]:
    """Delete each row's stored file; return the rows whose file is gone (the others wait for the next run)."""
    deleted = []
    for pk, name in batch:
        try:
            storage.delete(name)
        except Exception:
            logger.exception("could not delete the file of %s %s; will try again", what, pk)
            continue
        deleted.append(pk)
    return deleted


def reapply_retention(organization_id: int, days: int) -> int:
    """After an organization changes its retention period, move every clip's expiry to match."""
    return Clip.objects.filter(organization_id=organization_id).update(
        expires_at=F("created_at") + timedelta(days=days)
    )


def _per_value(values: Iterable[int], rows_for: Callable[[int], QuerySet], limit: int) -> list[Any]:
    """Up to ``limit`` rows of ``rows_for(value)``, value after value (each a plain comparison with a cutoff)."""
    rows: list[Any] = []
    for value in values:
        if len(rows) >= limit:
            break
        rows.extend(rows_for(value)[: limit - len(rows)])
    return rows


def _stuck_candidates(now: datetime, batch_size: int) -> list[Clip]:
    clips = Clip.objects.select_related("camera").order_by("pk")
    cutoff = now - retention.QUEUED_TIMEOUT
    # A range clip is queued until its range's end has been recorded: late only counting from there.
    late_queued = Q(status=ClipStatus.QUEUED, created_at__lt=cutoff) & (
        Q(range_end__isnull=True) | Q(range_end__lt=cutoff)
    )
    never_started = Q(status=ClipStatus.RECORDING, started_at__isnull=True)
    candidates = list(clips.filter(late_queued | never_started)[:batch_size])
    recording = clips.filter(status=ClipStatus.RECORDING)
    lengths = recording.order_by().values_list("duration", flat=True).distinct()

    def late(duration: int) -> QuerySet:
        def started_before(is_range: bool) -> datetime:
            return retention.stuck_if_started_before(now, retention.work_seconds(duration, is_range=is_range))

        live = Q(range_start__isnull=True, started_at__lt=started_before(False))
        cut = Q(range_start__isnull=False, started_at__lt=started_before(True))
        return recording.filter(live | cut, duration=duration)

    return candidates + _per_value(sorted(lengths), late, batch_size - len(candidates))


def sweep_stuck(now: datetime, batch_size: int) -> int:
    """Fail rows that no live worker will finish, removing any partial file they left in storage."""
    swept = 0
    for clip in _stuck_candidates(now, batch_size):
        queued_since = max(clip.created_at, clip.range_end or clip.created_at)
        work = retention.work_seconds(clip.duration, is_range=clip.is_range)
        if not retention.is_stuck(clip.status, created_at=queued_since, started_at=clip.started_at,
                                  duration=work, now=now):
            continue
        reason = retention.stuck_reason(clip.status)
        changed = Clip.objects.filter(pk=clip.pk, status=clip.status, started_at=clip.started_at).update(
            status=ClipStatus.FAILED, reason=reason, finished_at=now, updated_at=now
        )
        if not changed:
            continue
        storage.delete(storage.clip_name(clip.organization_id, clip.public_id))
        clip.status, clip.reason = ClipStatus.FAILED, reason
        publish_status(clip)
        if clip.bundle_id is not None:  # its multi-camera export may now be complete
            enqueue("recordings.tasks.assemble_bundle", clip.bundle_id)
        swept += 1
        logger.warning("clip %s was stuck; marked failed", clip.public_id)
    return swept


def sweep_temp_files() -> int:
    """Remove this machine's temporary recordings that belong to no running export."""
    files_first = list(storage.temp_dir().glob("*.partial.mp4"))
    if not files_first:
        return 0
    active = set(Clip.objects.filter(status=ClipStatus.RECORDING).values_list("public_id", flat=True))
    return storage.sweep_temp_files(active)


def expire_motion_events(now: datetime, batch_size: int) -> int:
    """Delete closed motion events older than their organization's retention, snapshot first.

    Motion events keep as long as clips do (the organization's retention days).
    """
    from accounts.models import Organization

    retention_days = Organization.objects.order_by().values_list("clip_retention_days", flat=True).distinct()

    def expired(days: int) -> QuerySet:
        return (
            MotionEvent.objects.filter(organization__clip_retention_days=days, ended_at__isnull=False,
                                       started_at__lte=retention.expired_if_created_by(now, days))
            .order_by("started_at", "pk").values_list("pk", "snapshot")
        )

    batch = _per_value(sorted(retention_days), expired, batch_size)
    deleted = _delete_files(batch, "motion event")
    _, by_model = MotionEvent.objects.filter(pk__in=deleted).delete()
    count = by_model.get(MotionEvent._meta.label, 0)  # not the deliveries and spans that went with them
    if count:
        logger.info("retention deleted %d old motion events", count)
    return len(batch)
