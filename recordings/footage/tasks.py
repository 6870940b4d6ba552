"""Celery tasks of footage: beat's housekeeping (retention, quotas, the disk guard, tier moves, notices).

Each is a thin wrapper around one service. The deleting ones work in
bounded batches and re-enqueue themselves while a batch comes back full,
up to ``MAX_INVOCATIONS`` in a row (beat starts a fresh chain next period).
The workers that run them must see the recordings directory
(``CCTV_RECORDINGS_DIR``): they delete local files.
"""

from __future__ import annotations

import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
MAX_INVOCATIONS = 20


@shared_task(bind=True, ignore_result=True)
def expire_footage(self, invocation: int = 0) -> int:  # type: ignore[no-untyped-def]
    """Beat: delete footage past each camera's retention (continuous and event footage by their own days).

    Old notices go too (``housekeeping.NOTICE_KEEP``).
    """
    from recordings.footage import housekeeping

    now = timezone.now()
    handled = max(housekeeping.expire_footage(now, BATCH_SIZE), housekeeping.expire_notices(now, BATCH_SIZE))
    if handled >= BATCH_SIZE and invocation + 1 < MAX_INVOCATIONS:
        self.apply_async(kwargs={"invocation": invocation + 1})
    return handled


@shared_task(bind=True, ignore_result=True)
def enforce_footage_quotas(self, invocation: int = 0) -> int:  # type: ignore[no-untyped-def]
    """Beat: organizations over their quota lose their oldest unprotected footage; 90 % is told once."""
    from recordings.footage import housekeeping, notices

    handled = housekeeping.enforce_quotas(BATCH_SIZE)
    if handled >= BATCH_SIZE and invocation + 1 < MAX_INVOCATIONS:
        self.apply_async(kwargs={"invocation": invocation + 1})
    notices.note_quota_levels(timezone.now())
    return handled


@shared_task(bind=True, ignore_result=True)
def guard_recordings_volume(self, invocation: int = 0, run_id: int | None = None) -> int:  # type: ignore[no-untyped-def]
    """Beat: keep the recordings disk above its free-space floor (oldest unprotected footage first)."""
    from recordings.footage import housekeeping

    guard = housekeeping.guard_volume(BATCH_SIZE, run_id=run_id)
    if guard.more and invocation + 1 < MAX_INVOCATIONS:
        self.apply_async(kwargs={"invocation": invocation + 1, "run_id": guard.run_id})
    return guard.chosen


@shared_task(ignore_result=True)
def notice_stopped_recordings() -> int:
    """Beat: tell about cameras that recorded nothing for ``CCTV_RECORDING_STOPPED_MINUTES``."""
    from recordings.footage import notices

    return len(notices.notice_stopped_recordings(timezone.now(), settings.CCTV_RECORDING_STOPPED_MINUTES))


@shared_task(bind=True, ignore_result=True)
def move_footage(self, invocation: int = 0) -> int:  # type: ignore[no-untyped-def]
    """Beat: move closed local segments to their organization's S3 / Azure tier, verified before local delete."""
    from recordings.footage import mover

    handled = mover.move_footage(timezone.now(), BATCH_SIZE).handled
    if handled >= BATCH_SIZE and invocation + 1 < MAX_INVOCATIONS:
        self.apply_async(kwargs={"invocation": invocation + 1})
    return handled
