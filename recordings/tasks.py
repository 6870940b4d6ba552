"""Background work for clips. Tasks take ids, call one service and decide only about retries.

``export_clip`` runs on the ``exports`` queue and is idempotent (the service
claims the row with a conditional UPDATE), so it is acknowledged late: a
worker lost before the claim gets the clip recorded by another worker, and
one lost after it leaves a row that ``sweep_clips`` fails. Retention and
the sweeper work in bounded batches and re-enqueue themselves, up to a cap.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_shutting_down
from django.utils import timezone

from recordings import cleanup, exports

logger = logging.getLogger(__name__)

EXPORT_RETRIES = 4
RETRY_BACKOFF_SECONDS = 5
RETRY_BACKOFF_MAX = 60
BATCH_SIZE = 200
MAX_INVOCATIONS = 20


def backoff(retries: int) -> int:
    return min(RETRY_BACKOFF_SECONDS * 2**retries, RETRY_BACKOFF_MAX)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=EXPORT_RETRIES)
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


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=RANGE_RETRIES)
def export_range_clip(self, clip_id: int) -> None:  # type: ignore[no-untyped-def]
    """Cut a range clip from recorded footage (``exports`` queue; queued with the range's end as ETA)."""
    from recordings import range_exports

    cleanup.sweep_temp_files()
    last_try = self.request.retries >= self.max_retries
    try:
        range_exports.cut_range_clip(clip_id, task_id=self.request.id or "", last_try=last_try)
    except exports.RetryLater as exc:
        raise self.retry(exc=exc, countdown=RANGE_WAIT_SECONDS) from exc


@shared_task(acks_late=True, reject_on_worker_lost=True)
def assemble_bundle(bundle_id: int) -> None:
    """Zip a multi-camera export once all its clips are done (idempotent: the row is claimed)."""
    from recordings import bundles

    bundles.assemble(bundle_id)


@shared_task(bind=True)
def expire_clips(self, invocation: int = 0) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()
    handled = max(cleanup.expire_clips(now, BATCH_SIZE), cleanup.expire_motion_events(now, BATCH_SIZE),
                  cleanup.expire_bundles(now, BATCH_SIZE))
    if handled >= BATCH_SIZE and invocation + 1 < MAX_INVOCATIONS:
        self.apply_async(kwargs={"invocation": invocation + 1})


@shared_task(bind=True)
def sweep_clips(self, invocation: int = 0) -> None:  # type: ignore[no-untyped-def]
    swept = cleanup.sweep_stuck(timezone.now(), BATCH_SIZE)
    cleanup.sweep_temp_files()
    from recordings import bundles

    for bundle_id in bundles.bundles_to_assemble(timezone.now(), BATCH_SIZE):
        assemble_bundle.delay(bundle_id)
    if swept >= BATCH_SIZE and invocation + 1 < MAX_INVOCATIONS:
        self.apply_async(kwargs={"invocation": invocation + 1})


# --- motion detection (recordings.watch) ------------------------------------------------

# A queued watch that no motion worker took within this long is dropped; the
# dispatcher queues a fresh one (so a deployment without motion workers does
# not pile up messages).
WATCH_PENDING_SECONDS = 30


@shared_task(bind=True, ignore_result=True)
def watch_camera(self, camera_id: int) -> None:  # type: ignore[no-untyped-def]
    """Watch one camera for motion for one session (``motion`` queue, thread pool)."""
    from recordings import watch

    watch.watch(camera_id, owner=self.request.hostname or "worker")


@shared_task
def dispatch_motion_watchers() -> int:
    """Beat: queue a watch for every armed camera that no worker holds."""
    from recordings import watch

    camera_ids = watch.cameras_to_dispatch(timezone.now(), WATCH_PENDING_SECONDS)
    for camera_id in camera_ids:
        watch_camera.apply_async((camera_id,), expires=WATCH_PENDING_SECONDS)
    return len(camera_ids)


@worker_shutting_down.connect
def _stop_motion_watches(**kwargs: object) -> None:
    from recordings import watch

    watch.STOPPING.set()


# --- notifications (recordings.notifications) ---------------------------------------------

# Both are idempotent (deliveries are unique per event and rule; an attempt is
# claimed with a conditional UPDATE), so both are acknowledged late. A retry
# waits 5 s, doubling, at most 5 min; after the last one the row is failed.
NOTIFY_RETRIES = 6
NOTIFY_BACKOFF_MAX = 300


@shared_task(acks_late=True, reject_on_worker_lost=True)
def notify_motion_event(event_id: int) -> int:
    """Write and queue the deliveries of one alert; returns how many are new."""
    from recordings import notifications

    return len(notifications.queue_deliveries(event_id))


@shared_task(bind=True)
def requeue_stale_deliveries(self, invocation: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Beat: pending deliveries whose task was lost are queued again (see notifications.STALE_PENDING)."""
    from recordings import notifications

    handled = notifications.requeue_stale_deliveries(timezone.now(), BATCH_SIZE)
    if handled >= BATCH_SIZE and invocation + 1 < MAX_INVOCATIONS:
        self.apply_async(kwargs={"invocation": invocation + 1})


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=NOTIFY_RETRIES)
def deliver_notification(self, delivery_id: int) -> None:  # type: ignore[no-untyped-def]
    from recordings import notifications

    last_try = self.request.retries >= self.max_retries
    try:
        notifications.deliver(delivery_id, last_try=last_try)
    except notifications.RetryLater as exc:
        countdown = min(RETRY_BACKOFF_SECONDS * 2**self.request.retries, NOTIFY_BACKOFF_MAX)
        raise self.retry(exc=exc, countdown=countdown) from exc
