"""Camera health: online or offline, as the camera's gateway sees it."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from django.db import transaction
from django.utils import timezone

from cameras.gateways import client_for
from cameras.go2rtc import Go2RTCClient, Go2RTCError, StreamState
from cameras.models import Camera, CameraStatus, Gateway
from cameras.streams import stream_name
from portal.events import publish_camera_status

logger = logging.getLogger(__name__)
PROBE_THREADS = 8


def _is_online(client: Go2RTCClient, camera: Camera, states: dict[str, StreamState]) -> bool:
    name = stream_name(camera.public_id)
    state = states.get(name)
    if state is not None and state.consumers and state.online:
        return True  # already playing for someone: no need to dial it again
    try:
        probed = client.probe(name)
    except Go2RTCError:
        return False
    return bool(probed and probed.online)


def check_gateway(gateway: Gateway) -> dict[int, str]:
    """Probe every enabled camera of a gateway; returns {camera id: status}."""
    cameras = list(Camera.objects.filter(gateway=gateway, enabled=True))
    if not cameras:
        return {}
    with client_for(gateway) as client:
        try:
            states = client.streams()
        except Go2RTCError as exc:
            logger.warning("gateway %s unreachable for health check: %s", gateway.name, exc)
            return {camera.pk: CameraStatus.OFFLINE for camera in cameras}
        with ThreadPoolExecutor(max_workers=PROBE_THREADS) as pool:
            online = list(pool.map(lambda camera: _is_online(client, camera, states), cameras))
    return {
        camera.pk: CameraStatus.ONLINE if is_up else CameraStatus.OFFLINE
        for camera, is_up in zip(cameras, online, strict=True)
    }


@transaction.atomic
def set_status(camera_id: int, status: str) -> bool:
    """Record a status change (and push it live); returns whether it changed."""
    camera = Camera.objects.select_for_update().filter(pk=camera_id).first()
    if camera is None or camera.status == status:
        return False
    camera.status = status
    camera.status_changed_at = timezone.now()
    camera.save(update_fields=["status", "status_changed_at"])
    publish_camera_status(camera.public_id, status, camera.status_changed_at.isoformat())
    return True


def refresh_gateway_health(gateway: Gateway) -> int:
    changed = 0
    for camera_id, status in check_gateway(gateway).items():
        changed += set_status(camera_id, status)
    return changed
