"""PTZ background work: commands, the worker-side move timeout, status, presets, capabilities.

Every task keeps the name it had in ``cameras/tasks.py`` (``cameras.tasks.<function>``):
queued messages and any schedule name them, and ``cameras.tasks`` imports this
module so that the worker, which autodiscovers ``cameras.tasks``, registers them.
Each task names its queue: moves, stops, presets and status reads have the
``ptz`` queue to themselves; reading capabilities (slow, retried) runs on ``celery``.

Retries are deliberate: a move or a preset recall is never retried (a late
move is worse than none, and the person just presses again), a Stop is
retried twice at once, and reading capabilities backs off like stream sync.
Tasks take ids, re-fetch, and call ``cameras.ptz.device``.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import shared_task
from celery.signals import worker_init, worker_process_shutdown, worker_shutdown

from cameras.models import Camera, PTZPreset
from cameras.ptz import device
from cameras.ptz.onvif import client as onvif
from cameras.ptz.onvif.errors import OnvifError
from cameras.ptz.vocabulary import PTZAction
from cameras.retries import RETRY, retry_or_log

logger = logging.getLogger(__name__)
PTZ_QUEUE = "ptz"


def _ptz_camera(camera_id: int, organization_id: int) -> Camera | None:
    camera = Camera.objects.select_related("site").filter(pk=camera_id, site__organization_id=organization_id).first()
    if camera is None or not camera.has_onvif:
        logger.info("camera %s is gone or has no ONVIF settings; PTZ task skipped", camera_id)
        return None
    return camera


@shared_task(name="cameras.tasks.ptz_command", queue_name=PTZ_QUEUE, bind=True, max_retries=2)
def ptz_command(self, camera_id: int, organization_id: int, command: dict, seq: int, lease: str) -> None:  # type: ignore[no-untyped-def]
    camera = _ptz_camera(camera_id, organization_id)
    if camera is None:
        return
    try:
        device.run_command(camera, command, seq, lease)
    except OnvifError as exc:
        if command["action"] == PTZAction.STOP and exc.retryable and self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=0.2) from exc
        logger.warning("ptz %s on camera %s failed: %s", command["action"], camera_id, exc)


@shared_task(name="cameras.tasks.ptz_stop_if_idle", queue_name=PTZ_QUEUE, bind=True, max_retries=2)
def ptz_stop_if_idle(self, camera_id: int, organization_id: int, seq: int) -> None:  # type: ignore[no-untyped-def]
    camera = _ptz_camera(camera_id, organization_id)
    if camera is None:
        return
    try:
        device.stop_if_idle(camera, seq)
    except OnvifError as exc:
        if exc.retryable and self.request.retries < self.max_retries:
            raise self.retry(exc=exc, countdown=0.2) from exc
        logger.warning("ptz timeout stop of camera %s failed: %s", camera_id, exc)


@shared_task(name="cameras.tasks.ptz_refresh_status", queue_name=PTZ_QUEUE)
def ptz_refresh_status(camera_id: int, organization_id: int) -> None:
    camera = _ptz_camera(camera_id, organization_id)
    if camera is not None:
        device.refresh_status(camera)


def _ptz_preset(preset_id: int, **only: Any) -> PTZPreset | None:
    preset = PTZPreset.objects.select_related("camera__site").filter(pk=preset_id, **only).first()
    return preset if preset is not None and preset.camera.has_onvif else None


@shared_task(name="cameras.tasks.ptz_set_preset", queue_name=PTZ_QUEUE)
def ptz_set_preset(preset_id: int) -> None:
    if (preset := _ptz_preset(preset_id)) is None:
        return
    try:
        device.save_preset(preset)
    except OnvifError as exc:
        logger.warning("saving preset %s on camera %s failed: %s", preset_id, preset.camera_id, exc)


@shared_task(name="cameras.tasks.ptz_remove_preset", queue_name=PTZ_QUEUE)
def ptz_remove_preset(preset_id: int) -> None:
    if (preset := _ptz_preset(preset_id, removing=True)) is None:
        return
    try:
        device.remove_preset(preset)
    except OnvifError as exc:
        logger.warning("removing preset %s from camera %s failed: %s", preset_id, preset.camera_id, exc)


@shared_task(name="cameras.tasks.refresh_ptz_capabilities", queue_name="celery", bind=True,
             max_retries=RETRY["max_retries"])
def refresh_ptz_capabilities(self, camera_id: int) -> None:  # type: ignore[no-untyped-def]
    camera = Camera.objects.select_related("site").filter(pk=camera_id).first()
    if camera is None:
        return
    try:
        device.refresh_capabilities(camera)
    except OnvifError as exc:
        retry_or_log(self, exc)


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
