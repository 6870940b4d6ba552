"""Background work for cameras: stream sync, reconcile, health, PTZ (see the PTZ section below).

Tasks take ids, re-fetch, and call one service. A retryable gateway error
(unreachable, timeout) is retried with backoff; a permanent one is logged.
The periodic reconcile heals whatever a lost task left behind.
"""

from __future__ import annotations

import logging
import uuid

from celery import shared_task
from celery.signals import worker_init, worker_process_shutdown, worker_shutdown

from cameras import health, onvif, ptz, ptz_device, sync
from cameras.go2rtc import Go2RTCError
from cameras.models import Camera, Gateway, PTZPreset
from cameras.onvif import OnvifError

logger = logging.getLogger(__name__)
RETRY = {"max_retries": 5, "retry_backoff": True, "retry_backoff_max": 60, "retry_jitter": True}


def _retry_or_log(task, exc: Go2RTCError | OnvifError) -> None:  # type: ignore[no-untyped-def]
    if exc.retryable and task.request.retries < RETRY["max_retries"]:
        raise task.retry(exc=exc, countdown=min(2 ** task.request.retries, RETRY["retry_backoff_max"]))
    logger.warning("%s gave up: %s", task.name, exc)


@shared_task(bind=True, max_retries=RETRY["max_retries"])
def sync_camera_streams(self, camera_id: int) -> None:  # type: ignore[no-untyped-def]
    camera = Camera.objects.select_related("gateway").filter(pk=camera_id).first()
    if camera is None or camera.gateway is None:
        logger.info("camera %s is gone or has no gateway; nothing to sync", camera_id)
        return
    try:
        sync.push_camera(camera)
    except Go2RTCError as exc:
        _retry_or_log(self, exc)


@shared_task(bind=True, max_retries=RETRY["max_retries"])
def remove_camera_streams(self, gateway_id: int, public_id: str) -> None:  # type: ignore[no-untyped-def]
    gateway = Gateway.objects.filter(pk=gateway_id).first()
    if gateway is None:
        return
    try:
        sync.remove_camera_streams(gateway, uuid.UUID(public_id))
    except Go2RTCError as exc:
        _retry_or_log(self, exc)


@shared_task
def reconcile_gateways() -> None:
    for gateway in Gateway.objects.enabled():
        try:
            sync.reconcile(gateway)
        except Go2RTCError as exc:
            logger.warning("reconcile of gateway %s failed: %s", gateway.name, exc)


@shared_task
def refresh_camera_health() -> None:
    for gateway in Gateway.objects.enabled():
        health.refresh_gateway_health(gateway)


# --- PTZ: the "ptz" queue (CELERY_TASK_ROUTES), except the capabilities read -------
#
# Retries are deliberate: a move or a preset recall is never retried (a late
# move is worse than none, and the person just presses again), a Stop is
# retried twice at once, and reading capabilities backs off like stream sync.


def _ptz_camera(camera_id: int, organization_id: int) -> Camera | None:
    camera = Camera.objects.select_related("site").filter(pk=camera_id, site__organization_id=organization_id).first()
    if camera is None or not camera.has_onvif:
        logger.info("camera %s is gone or has no ONVIF settings; PTZ task skipped", camera_id)
        return None
    return camera


@shared_task(bind=True, max_retries=2)
def ptz_command(self, camera_id: int, organization_id: int, command: dict, seq: int, lease: str) -> None:  # type: ignore[no-untyped-def]
    camera = _ptz_camera(camera_id, organization_id)
    if camera is None:
        return
    try:
        ptz_device.run_command(camera, command, seq, lease)
    except OnvifError as exc:
        if command["action"] == ptz.STOP and exc.retryable and self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=0.2) from exc
        logger.warning("ptz %s on camera %s failed: %s", command["action"], camera_id, exc)


@shared_task(bind=True, max_retries=2)
def ptz_stop_if_idle(self, camera_id: int, organization_id: int, seq: int) -> None:  # type: ignore[no-untyped-def]
    camera = _ptz_camera(camera_id, organization_id)
    if camera is None:
        return
    try:
        ptz_device.stop_if_idle(camera, seq)
    except OnvifError as exc:
        if exc.retryable and self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=0.2) from exc
        logger.warning("ptz timeout stop of camera %s failed: %s", camera_id, exc)


@shared_task
def ptz_refresh_status(camera_id: int, organization_id: int) -> None:
    camera = _ptz_camera(camera_id, organization_id)
    if camera is not None:
        ptz_device.refresh_status(camera)


@shared_task
def ptz_set_preset(preset_id: int) -> None:
    preset = PTZPreset.objects.select_related("camera__site").filter(pk=preset_id).first()
    if preset is None or not preset.camera.has_onvif:
        return
    try:
        ptz_device.save_preset(preset)
    except OnvifError as exc:
        logger.warning("saving preset %s on camera %s failed: %s", preset_id, preset.camera_id, exc)


@shared_task
def ptz_remove_preset(preset_id: int) -> None:
    preset = PTZPreset.objects.select_related("camera__site").filter(pk=preset_id, removing=True).first()
    if preset is None or not preset.camera.has_onvif:
        return
    try:
        ptz_device.remove_preset(preset)
    except OnvifError as exc:
        logger.warning("removing preset %s from camera %s failed: %s", preset_id, preset.camera_id, exc)


@shared_task(bind=True, max_retries=RETRY["max_retries"])
def refresh_ptz_capabilities(self, camera_id: int) -> None:  # type: ignore[no-untyped-def]
    camera = Camera.objects.select_related("site").filter(pk=camera_id).first()
    if camera is None:
        return
    try:
        ptz_device.refresh_capabilities(camera)
    except OnvifError as exc:
        _retry_or_log(self, exc)


@worker_init.connect
def _warm_up_onvif(**_: object) -> None:
    """Parsing ONVIF's WSDLs takes about half a second: not during someone's first move."""
    try:
        onvif.warm_up()
    except Exception:  # a worker without PTZ still starts
        logger.exception("could not prepare the ONVIF client")


@worker_process_shutdown.connect
@worker_shutdown.connect
def _close_onvif(**_: object) -> None:
    onvif.close_adapter()
