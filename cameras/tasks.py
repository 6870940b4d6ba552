"""Background work for cameras: stream sync, reconcile, health; the PTZ tasks live in ``cameras.ptz.tasks``.

Tasks take ids, re-fetch, and call one service. A retryable gateway error
(unreachable, timeout) is retried with backoff; a permanent one is logged.
The periodic reconcile heals whatever a lost task left behind. Each task
names its queue (``queue_name=``, see portal/celery.py), so renaming one cannot move it to another.

The worker autodiscovers this module only: importing ``cameras.ptz.tasks``
here registers the PTZ tasks, which keep their ``cameras.tasks.*`` names.
"""

from __future__ import annotations

import logging
import uuid

from celery import shared_task

from cameras import health, sync
from cameras.go2rtc import Go2RTCError
from cameras.models import Camera, Gateway
from cameras.ptz import tasks as ptz_tasks  # noqa: F401  (registers the PTZ tasks; see above)
from cameras.retries import RETRY, retry_or_log

logger = logging.getLogger(__name__)
QUEUE = "celery"


@shared_task(queue_name=QUEUE, bind=True, max_retries=RETRY["max_retries"])
def sync_camera_streams(self, camera_id: int) -> None:  # type: ignore[no-untyped-def]
    camera = Camera.objects.select_related("gateway").filter(pk=camera_id).first()
    if camera is None or camera.gateway is None:
        logger.info("camera %s is gone or has no gateway; nothing to sync", camera_id)
        return
    try:
        sync.push_camera(camera)
    except Go2RTCError as exc:
        retry_or_log(self, exc)


@shared_task(queue_name=QUEUE, bind=True, max_retries=RETRY["max_retries"])
def remove_camera_streams(self, gateway_id: int, public_id: str) -> None:  # type: ignore[no-untyped-def]
    gateway = Gateway.objects.filter(pk=gateway_id).first()
    if gateway is None:
        return
    try:
        sync.remove_camera_streams(gateway, uuid.UUID(public_id))
    except Go2RTCError as exc:
        retry_or_log(self, exc)


@shared_task(queue_name=QUEUE)
def reconcile_gateways() -> None:
    for gateway in Gateway.objects.enabled():
        try:
            sync.reconcile(gateway)
        except Go2RTCError as exc:
            logger.warning("reconcile of gateway %s failed: %s", gateway.name, exc)


@shared_task(queue_name=QUEUE)
def refresh_camera_health() -> None:
    for gateway in Gateway.objects.enabled():
        health.refresh_gateway_health(gateway)
