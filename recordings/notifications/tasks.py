"""Background work for notifications: writing an alert's deliveries, sending them, re-queueing lost ones.

Names stay ``recordings.tasks.<name>`` (beat schedules and queued messages
use them), and ``notify_notice`` keeps the name it had in footage
(``recordings.footage.tasks.notify_notice``); each declares its queue here, on the task.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from recordings.notifications import delivery as deliveries
from recordings.notifications import notice_deliveries
from recordings.notifications.delivery import NOTIFY_RETRIES

BATCH_SIZE = 200
MAX_INVOCATIONS = 20

# The three that write or send deliveries are idempotent (deliveries are unique per event and rule, or per
# notice, channel and recipient; an attempt is claimed with a conditional UPDATE), so they are acknowledged
# late. How often and when a delivery is tried again is delivery's (``NOTIFY_RETRIES``, ``retry_delay``).


@shared_task(name="recordings.tasks.notify_motion_event", queue_name="celery", acks_late=True,
             reject_on_worker_lost=True)
def notify_motion_event(event_id: int) -> int:
    """Write and queue the deliveries of one alert; returns how many are new."""
    return len(deliveries.queue_deliveries(event_id))


@shared_task(name="recordings.footage.tasks.notify_notice", queue_name="celery", acks_late=True,
             reject_on_worker_lost=True, ignore_result=True)
def notify_notice(notice_id: int) -> int:
    """Write and queue the deliveries of one notice about recording; returns how many are new."""
    return len(notice_deliveries.queue_deliveries(notice_id))


@shared_task(name="recordings.tasks.requeue_stale_deliveries", queue_name="celery", bind=True)
def requeue_stale_deliveries(self, invocation: int = 0) -> None:  # type: ignore[no-untyped-def]
    """Beat: pending deliveries whose task was lost are queued again (see delivery.STALE_PENDING)."""
    handled = deliveries.requeue_stale_deliveries(timezone.now(), BATCH_SIZE)
    if handled >= BATCH_SIZE and invocation + 1 < MAX_INVOCATIONS:
        self.apply_async(kwargs={"invocation": invocation + 1})


@shared_task(name="recordings.tasks.deliver_notification", queue_name="celery", bind=True,
             acks_late=True, reject_on_worker_lost=True, max_retries=NOTIFY_RETRIES)
def deliver_notification(self, delivery_id: int) -> None:  # type: ignore[no-untyped-def]
    last_try = self.request.retries >= self.max_retries
    try:
        deliveries.deliver(delivery_id, last_try=last_try)
    except deliveries.RetryLater as exc:
        raise self.retry(exc=exc, countdown=deliveries.retry_delay(self.request.retries)) from exc
