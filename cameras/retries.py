"""How camera tasks retry a failed gateway or ONVIF call: a retryable error backs off, a permanent one is logged."""

from __future__ import annotations

import logging
from typing import Any

from cameras.go2rtc import Go2RTCError
from cameras.ptz.onvif.errors import OnvifError
from portal.backoff import exponential_delay

logger = logging.getLogger(__name__)
RETRY = {"max_retries": 5, "retry_backoff": True, "retry_backoff_max": 60, "retry_jitter": True}


def retry_or_log(task: Any, exc: Go2RTCError | OnvifError) -> None:
    """Retry ``task`` (a bound task) in 1, 2, 4... s up to a minute while that can help; else log and give up."""
    if exc.retryable and task.request.retries < RETRY["max_retries"]:
        raise task.retry(exc=exc, countdown=exponential_delay(task.request.retries, 1, RETRY["retry_backoff_max"]))
    logger.warning("%s gave up: %s", task.name, exc)
