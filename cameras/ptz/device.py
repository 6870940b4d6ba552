"""What workers do with PTZ cameras: the ONVIF side of ``cameras.ptz.services``, called by ``cameras.ptz.tasks``.

Each function speaks ONVIF through the one adapter (``cameras.ptz.onvif``)
and leaves its result where the API reads it: capabilities and presets in
the database, position, movement and the last error in the shared state
(``cameras.ptz.state``).
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cameras.models import Camera, PTZCapabilities, PTZPreset
from cameras.ptz.onvif.client import OnvifAddress, get_adapter
from cameras.ptz.onvif.errors import OnvifError, OnvifFault, OnvifNotSupported, OnvifUnknownToken
from cameras.ptz.state import camera_key, get_store
from cameras.ptz.vocabulary import AXES, PTZ_FEATURES, PTZAction
from portal.work import enqueue

logger = logging.getLogger(__name__)
# A worker-side stop fires this long after the move's own timeout, so that a
# renewal arriving just in time wins.
STOP_GRACE_SECONDS = 0.25
PENDING_PRESET_SECONDS = 120
# A command's failure stays on show this long even while position reads succeed.
ERROR_SHOWN_SECONDS = 10


def _record(camera: Camera, **changes: Any) -> None:
    store, key = get_store(), camera_key(camera)
    state = store.get_state(key)
    state.update(changes)
    store.set_state(key, state)


def _record_error(camera: Camera, action: str, error: OnvifError) -> None:
    _record(camera, error=f"{action}: {error}", error_at=time.time())


def run_command(camera: Camera, command: dict[str, Any], seq: int, lease: str) -> None:
    """Send one command to the camera (a task calls this). Raises ``OnvifError`` after recording it.

    Dropped without a word to the camera: anything but Stop once the lease
    it was issued under is gone (someone took over), and a continuous move
    once a newer command exists.
    """
    store, key, action = get_store(), camera_key(camera), command["action"]
    holder = store.holder(key)
    if action != PTZAction.STOP and (holder is None or holder.lease != lease):
        logger.info("ptz %s for camera %s dropped: its lease is over", action, camera.pk)
        return
    try:
        sent = _send(camera, command, lambda: store.latest_seq(key) == seq)
    except OnvifError as exc:
        _record_error(camera, action, exc)
        raise
    _record(camera, error="")
    # Inline (eager) tasks would run the stop at once, ignoring the countdown;
    # without a broker the camera's own timeout is all there is.
    if sent and action == PTZAction.MOVE and command["timeout"] and not settings.CELERY_TASK_ALWAYS_EAGER:
        enqueue("cameras.tasks.ptz_stop_if_idle", camera.pk, camera.site.organization_id, seq,
                countdown=command["timeout"] + STOP_GRACE_SECONDS)
    if sent:  # after the command, off its path: the live view shows where the camera now is
        refresh_status(camera)


def _send(camera: Camera, command: dict[str, Any], still_wanted: Any) -> bool:
    adapter, address, action = get_adapter(), OnvifAddress.of(camera), command["action"]
    pan, tilt, zoom = command.get("pan"), command.get("tilt"), command.get("zoom")
    if action == PTZAction.MOVE:
        return adapter.continuous_move(address, pan, tilt, zoom, command["timeout"] or None, still_wanted)
    if action == PTZAction.STOP:
        return adapter.stop(address)
    if action == PTZAction.RELATIVE:
        return adapter.relative_move(address, pan, tilt, zoom)
    if action == PTZAction.ABSOLUTE:
        return adapter.absolute_move(address, pan, tilt, zoom)
    if action == PTZAction.GOTO_PRESET:
        return adapter.goto_preset(address, command["preset_token"])
    if action == PTZAction.HOME:
        return adapter.home(address)
    raise ValueError(f"unknown PTZ action {action!r}")


def stop_if_idle(camera: Camera, seq: int) -> bool:
    """The worker-side move timeout: Stop, unless a command newer than ``seq`` came."""
    store, key = get_store(), camera_key(camera)
    if store.latest_seq(key) != seq:
        return False
    store.end_move(key)
    try:
        get_adapter().stop(OnvifAddress.of(camera))
    except OnvifError as exc:
        _record_error(camera, PTZAction.STOP, exc)
        raise
    logger.info("ptz camera %s stopped: no command within its move timeout", camera.pk)
    refresh_status(camera)
    return True


def refresh_status(camera: Camera) -> None:
    """Read position and movement into the shared state (a task calls this)."""
    try:
        status = get_adapter().status(OnvifAddress.of(camera))
    except OnvifError as exc:
        _record(camera, error=f"status: {exc}", error_at=time.time(), status_at=time.time())
        return
    position = {axis: getattr(status.position, axis) for axis in AXES}
    changes: dict[str, Any] = {"position": position, "moving": status.moving, "status_at": time.time()}
    state = get_store().get_state(camera_key(camera))
    stale = time.time() - state.get("error_at", 0) > ERROR_SHOWN_SECONDS
    if stale or str(state.get("error", "")).startswith("status:"):
        changes["error"] = ""  # reachable again
    _record(camera, **changes)


def refresh_capabilities(camera: Camera) -> PTZCapabilities | None:
    """Ask the camera what its PTZ can do; store it and mirror its presets.

    A camera without ONVIF settings loses its capabilities and presets. On a
    failure the previous capabilities stay, with the error next to them, and
    the ``OnvifError`` is raised for the task to retry or not.
    """
    if not camera.has_onvif:
        PTZCapabilities.objects.filter(camera=camera).delete()
        PTZPreset.objects.filter(camera=camera).delete()
        return None
    adapter, address = get_adapter(), OnvifAddress.of(camera)
    row, _ = PTZCapabilities.objects.get_or_create(camera=camera)
    try:
        features = adapter.capabilities(address)
        device_presets = adapter.presets(address) if features.presets else []
    except OnvifError as exc:
        row.error, row.checked_at = str(exc)[:300], timezone.now()
        row.save(update_fields=["error", "checked_at"])
        raise
    for name in (*PTZ_FEATURES, "max_presets", "profile_token", "device"):
        setattr(row, name, getattr(features, name))
    row.ranges = {name: list(value) for name, value in features.ranges.items()}
    row.timeout_range = list(features.timeout_range) if features.timeout_range else None
    row.error, row.checked_at = "", timezone.now()
    with transaction.atomic():  # presets and "checked" become visible together
        _mirror_presets(camera, {p.token: p.name for p in device_presets})
        row.save()
    return row


@transaction.atomic
def _mirror_presets(camera: Camera, on_device: dict[str, str]) -> None:
    """Presets as the camera has them: new ones added, vanished ones removed, pending ones kept."""
    stale = timezone.now() - timedelta(seconds=PENDING_PRESET_SECONDS)
    rows = list(PTZPreset.objects.select_for_update().filter(camera=camera))
    for row in rows:
        if (row.token and row.token not in on_device) or (not row.token and row.created_at < stale):
            row.delete()
        elif row.removing and row.updated_at < stale:  # its worker is gone: offer the deletion again
            row.removing = False
            row.save(update_fields=["removing"])
    known = {row.token for row in rows if row.token}
    names = {row.name for row in rows}
    for token, name in on_device.items():
        if token not in known:
            unique = name[:64] if name[:64] not in names else f"{name[:40]} ({token[:20]})"
            PTZPreset.objects.create(camera=camera, name=unique, token=token)
            names.add(unique)


def save_preset(preset: PTZPreset) -> None:
    """Store the camera's current position under the preset's name; fill in the token."""
    camera = preset.camera
    try:
        token = get_adapter().set_preset(OnvifAddress.of(camera), preset.name)
    except OnvifError as exc:
        _record_error(camera, "save preset", exc)
        preset.delete()
        raise
    preset.token = token
    preset.save(update_fields=["token", "updated_at"])


def remove_preset(preset: PTZPreset) -> None:
    """Ask the camera to delete a preset marked ``removing``; delete the row once it has (or never had it).

    A refusal keeps the row and is shown as the camera's PTZ error; "not
    supported" is also remembered, so the portal refuses further deletions
    at once. A failure to reach the camera keeps the row too (and raises).
    """
    camera = preset.camera
    try:
        get_adapter().remove_preset(OnvifAddress.of(camera), preset.token)
    except OnvifUnknownToken:
        logger.info("camera %s had no preset %s any more", camera.pk, preset.token)
    except OnvifNotSupported as exc:
        _keep_refused(preset, f"{_sentence(exc)} It cannot delete presets: “{preset.name}” is kept.", exc)
        return
    except OnvifFault as exc:
        _keep_refused(preset, f"{_sentence(exc)} It refused to delete the preset “{preset.name}”, which is kept.")
        return
    except OnvifError as exc:
        _keep_refused(preset, f"{_sentence(exc)} The preset “{preset.name}” is kept; try again later.")
        raise
    preset.delete()


def _sentence(error: OnvifError) -> str:
    text = str(error).strip()
    return text if text.endswith((".", "!", "?")) else text + "."


def _keep_refused(preset: PTZPreset, message: str, not_supported: OnvifNotSupported | None = None) -> None:
    with transaction.atomic():
        PTZPreset.objects.filter(pk=preset.pk).update(removing=False, updated_at=timezone.now())
        if not_supported is not None:
            answer = str(not_supported).split(": ", 1)[-1][:300]
            PTZCapabilities.objects.filter(camera=preset.camera).update(remove_presets=False,
                                                                        remove_presets_refusal=answer)
    _record(preset.camera, error=f"remove preset: {message}", error_at=time.time())
