"""Background work for clips. Tasks take ids, call one service and decide only about retries.

Every task keeps the name it was registered under before the feature
packages (``recordings.tasks.<name>``): beat schedules and queued messages
use it. Each declares its queue here, on the task.

``export_clip`` runs on the ``exports`` queue and is idempotent (the service
claims the row with a conditional UPDATE), so it is acknowledged late: a
worker lost before the claim gets the clip recorded by another worker, and
one lost after it leaves a row that ``sweep_clips`` fails. Retention and
the sweeper work in bounded batches and re-enqueue themselves, up to a cap.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.utils import timezone

from portal.backoff import exponential_delay
from recordings.clips import cleanup
from recordings.clips import services as exports

logger = logging.getLogger(__name__)

EXPORT_RETRIES = 4
RETRY_BACKOFF_SECONDS = 5
RETRY_BACKOFF_MAX = 60
BATCH_SIZE = 200
MAX_INVOCATIONS = 20


def backoff(retries: int) -> float:
    return exponential_delay(retries, RETRY_BACKOFF_SECONDS, RETRY_BACKOFF_MAX)


@shared_task(name="recordings.tasks.export_clip", queue_name="exports", bind=True, acks_late=True,
             reject_on_worker_lost=True, max_retries=EXPORT_RETRIES)
def export_clip(self, clip_id: int) -> None:  # type: ignore[no-untyped-def]
    cleanup.sweep_temp_files()
    last_try = self.request.retries >= self.max_retries
    try:
        exports.record_clip(clip_id, task_id=self.request.id or "", last_try=last_try)
    except exports.RetryLater as exc:
        raise self.retry(exc=exc, countdown=backoff(self.request.retries)) from exc


# A range export whose end is not indexed yet asks again this often (range_exports.WAIT_FOR_RECORDING caps it).
RANGE_WAIT_SECONDS = 10
RANGE_RETRIES = 15


@shared_task(name="recordings.tasks.export_range_clip", queue_name="exports", bind=True, acks_late=True,
             reject_on_worker_lost=True, max_retries=RANGE_RETRIES)
def export_range_clip(self, clip_id: int) -> None:  # type: ignore[no-untyped-def]
    """Cut a range clip from recorded footage (``exports`` queue; queued with the range's end as ETA)."""
    from recordings.clips import range_exports

    cleanup.sweep_temp_files()
    last_try = self.request.retries >= self.max_retries
    try:
        range_exports.cut_range_clip(clip_id, task_id=self.request.id or "", last_try=last_try)
    except exports.RetryLater as exc:
        raise self.retry(exc=exc, countdown=RANGE_WAIT_SECONDS) from exc


@shared_task(name="recordings.tasks.assemble_bundle", queue_name="exports", acks_late=True,
             reject_on_worker_lost=True)
def assemble_bundle(bundle_id: int) -> None:
    """Zip a multi-camera export once all its clips are done (idempotent: the row is claimed)."""
    from recordings.clips import bundles

    bundles.assemble(bundle_id)


@shared_task(name="recordings.tasks.expire_clips", queue_name="celery", bind=True)
def expire_clips(self, invocation: int = 0) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    handled = max(cleanup.expire_clips(now, BATCH_SIZE), cleanup.expire_motion_events(now, BATCH_SIZE),
                  cleanup.expire_bundles(now, BATCH_SIZE))
    if handled >= BATCH_SIZE and invocation + 1 < MAX_INVOCATIONS:
        self.apply_async(kwargs={"invocation": invocation + 1})


@shared_task(name="recordings.tasks.sweep_clips", queue_name="celery", bind=True)
def sweep_clips(self, invocation: int = 0) -> None:  # type: ignore[no-untyped-def]
    swept = cleanup.sweep_stuck(timezone.now(), BATCH_SIZE)
    cleanup.sweep_temp_files()
    from recordings.clips import bundles

    for bundle_id in bundles.bundles_to_assemble(timezone.now(), BATCH_SIZE):
        assemble_bundle.delay(bundle_id)
    if swept >= BATCH_SIZE and invocation + 1 < MAX_INVOCATIONS:
        self.apply_async(kwargs={"invocation": invocation + 1})
