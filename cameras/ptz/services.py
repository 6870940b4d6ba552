"""PTZ services: who may move a camera, its control lease, commands, presets, capabilities.

This is the web side (API and live view), Zulip style:
``access_ptz_camera`` fetches through the access gate (404 unseen, 403
without ``control``), ``check_*`` validates against what the camera
supports, ``do_*`` takes or renews the caller's lease, numbers the command,
queues it on the ``ptz`` queue after commit and writes the audit trail.
Nothing here talks to a camera: workers do, in ``cameras.ptz.device``.

Moves always end: a continuous move carries the ONVIF Timeout, and the
worker schedules ``ptz_stop_if_idle`` for the same moment, which sends Stop
unless a newer command came (cameras that ignore the Timeout exist).
"""

from __future__ import annotations

import logging
import math
import time
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.urls import reverse

from accounts import audit
from accounts.callers import Visitor, person_of, token_of
from accounts.roles import Action
from accounts.scoping import access, can
from cameras.models import Camera, PTZCapabilities, PTZPreset
from cameras.ptz.state import Holder, camera_key, get_store
from cameras.ptz.vocabulary import AXES, MOTIONS, PTZ_FEATURES, PTZAction
from portal.work import enqueue

logger = logging.getLogger(__name__)

COMMAND_EXPIRES_SECONDS = 30
STATUS_MAX_AGE_SECONDS = 0.8


class PTZLocked(Exception):
    """Someone else controls the camera; ``holder`` says who and for how long."""

    def __init__(self, holder: Holder, can_take_over: bool) -> None:
        wait = f" for up to {math.ceil(holder.expires_in)} more s" if holder.expires_in else ""
        hint = "; an owner or admin can take over" if not can_take_over else "; you can take over"
        super().__init__(f"{holder.label} is controlling this camera{wait}{hint}.")
        self.holder = holder
        self.can_take_over = can_take_over


@dataclass(frozen=True)
class CheckedCommand:
    """A command checked against what the camera supports (``check_command``), in the camera's own units.

    Its ``payload`` is what the ``ptz_command`` task carries to a worker.
    """

    action: PTZAction
    pan: float | None = None
    tilt: float | None = None
    zoom: float | None = None
    preset_token: str = ""
    preset_name: str = ""

    def payload(self, timeout: float) -> dict[str, Any]:
        return {**asdict(self), "action": str(self.action), "timeout": timeout}

    def detail(self) -> dict[str, Any]:
        """What the audit trail keeps about it."""
        values = {axis: getattr(self, axis) for axis in AXES if getattr(self, axis) is not None}
        return {**values, **({"preset": self.preset_name} if self.preset_name else {})}


@dataclass(frozen=True)
class Accepted:
    seq: int
    holder: Holder | None  # None once released

    @property
    def lock(self) -> dict[str, Any]:
        """The lease as the caller now has it (``lock_state`` without asking Redis again)."""
        if self.holder is None:
            return {"held": False, "holder": None, "mine": False, "expires_in": None}
        return {"held": True, "holder": self.holder.label, "mine": True, "expires_in": self.holder.expires_in}


def principal_of(user: Visitor) -> str:
    token = token_of(user)
    return f"token:{token.pk}" if token is not None else f"user:{user.pk}"


def move_timeout(capabilities: PTZCapabilities | None) -> float:
    """The move timeout in seconds, inside the range the camera accepts."""
    wanted = settings.CCTV_PTZ_MOVE_TIMEOUT_MS / 1000
    low, high = (capabilities.timeout_range or (None, None)) if capabilities else (None, None)
    if low is not None:
        wanted = max(wanted, float(low))
    if high is not None and float(high) > 0:
        wanted = min(wanted, float(high))
    return wanted


# --- access and validation ------------------------------------------------------------------


def access_ptz_camera(user: Visitor, public_id: Any) -> Camera:
    """The camera, if the user may move it: 404 when not visible, 403 without ``control``."""
    return access(Camera, user, public_id, Action.CONTROL, related=("ptz",))


def capabilities_of(camera: Camera) -> PTZCapabilities | None:
    """The camera's capabilities row (loaded with it by ``access_ptz_camera``), or None."""
    try:
        return camera.ptz
    except PTZCapabilities.DoesNotExist:
        return None


def _require_ptz(camera: Camera) -> PTZCapabilities:
    if not camera.has_onvif:
        raise ValidationError("This camera has no ONVIF settings, so it cannot pan, tilt or zoom.")
    capabilities = capabilities_of(camera)
    if capabilities is None or capabilities.checked_at is None:
        raise ValidationError("The camera's PTZ capabilities have not been read yet; try again in a moment.")
    if not capabilities.supported:
        reason = f" ({capabilities.error})" if capabilities.error else ""
        raise ValidationError(f"This camera reports no pan, tilt or zoom{reason}.")
    return capabilities


def _number(field: str, value: Any, low: float, high: float, errors: dict[str, list[str]]) -> float | None:
    if value is None:
        return None
    if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
        errors.setdefault(field, []).append("Enter a number.")
        return None
    if not low <= value <= high:
        errors.setdefault(field, []).append(f"Must be between {low:g} and {high:g} for this camera.")
        return None
    return float(value)


def _axes(action: PTZAction, capabilities: PTZCapabilities, values: dict[str, Any]) -> dict[str, float | None]:
    motion = MOTIONS[action]
    given = {axis: values.get(axis) for axis in AXES if values.get(axis) is not None}
    if not given:
        raise ValidationError({"pan": ["Give at least one of pan, tilt and zoom."]})
    errors: dict[str, list[str]] = {}
    result: dict[str, float | None] = {}
    for axis, value in given.items():
        if not getattr(capabilities, motion.zoom if axis == "zoom" else motion.pan_tilt):
            part = "zoom" if axis == "zoom" else "pan/tilt"
            errors.setdefault(axis, []).append(f"This camera has no {motion.kind} {part}.")
            continue
        low, high = ((-1.0, 1.0) if action == PTZAction.MOVE
                     else capabilities.ranges.get(axis + motion.range_suffix, (-1.0, 1.0)))
        result[axis] = _number(axis, value, low, high, errors)
    if errors:
        raise ValidationError(errors)
    return result


def _scale_velocity(capabilities: PTZCapabilities, axis: str, value: float | None) -> float | None:
    """-1..1 from the caller onto the camera's velocity space."""
    if value is None:
        return None
    low, high = capabilities.ranges.get(axis + MOTIONS[PTZAction.MOVE].range_suffix, (-1.0, 1.0))
    return value * (high if value >= 0 else -low)


def check_command(camera: Camera, action: str, values: dict[str, Any]) -> CheckedCommand:
    """Validate a command against what this camera supports; raises ``ValidationError`` (400)."""
    if action not in list(PTZAction):
        raise ValidationError({"action": [f"Choose one of {', '.join(PTZAction)}."]})
    action = PTZAction(action)
    capabilities = _require_ptz(camera)
    if action in (PTZAction.STOP, PTZAction.RELEASE):
        return CheckedCommand(action)
    if action == PTZAction.HOME:
        if not capabilities.home:
            raise ValidationError({"action": ["This camera has no home position."]})
        return CheckedCommand(action)
    if action == PTZAction.GOTO_PRESET:
        preset = _ready_preset(camera, values.get("preset"))
        return CheckedCommand(action, preset_token=preset.token, preset_name=preset.name)
    axes = _axes(action, capabilities, values)
    if action == PTZAction.MOVE:
        axes = {axis: _scale_velocity(capabilities, axis, value) for axis, value in axes.items()}
    return CheckedCommand(action, pan=axes.get("pan"), tilt=axes.get("tilt"), zoom=axes.get("zoom"))


def _ready_preset(camera: Camera, public_id: Any) -> PTZPreset:
    try:
        preset = PTZPreset.objects.filter(camera=camera, public_id=uuid.UUID(str(public_id))).first()
    except (ValueError, TypeError):
        preset = None
    if preset is None:
        raise ValidationError({"preset": ["No such preset on this camera."]})
    if not preset.ready:
        raise ValidationError({"preset": ["This preset is still being saved on the camera."]})
    return preset


# --- the lease --------------------------------------------------------------------------------


def _take_lease(user: Visitor, camera: Camera, takeover: bool, ip: str | None) -> Holder:
    """The caller's lease on the camera (new, renewed or taken over), or ``PTZLocked``.

    Taking over someone else's lease needs ``manage`` (owners and admins).
    """
    store, key, ttl = get_store(), camera_key(camera), settings.CCTV_PTZ_LOCK_SECONDS
    mine = Holder(principal_of(user), audit.actor_label(user)[:120], uuid.uuid4().hex, time.time())
    result = store.acquire(key, mine, ttl, False)
    if not result.granted:
        manager = can(user, Action.MANAGE, camera)
        if not takeover:
            raise PTZLocked(result.holder, manager)
        if not manager:
            raise PermissionDenied("Only owners and admins can take over a camera someone else controls.")
        result = store.acquire(key, mine, ttl, True)
    if result.outcome != "renewed":
        detail = {"session": result.holder.lease[:12]}
        if result.previous is not None:
            detail["taken_from"] = result.previous.label
        action = "ptz.takeover" if result.previous is not None else "ptz.session"
        audit.record(user, action, organization=camera.site.organization_id, target=camera, ip=ip, **detail)
    return result.holder


def lock_state(user: Visitor, camera: Camera) -> dict[str, Any]:
    holder = get_store().holder(camera_key(camera))
    if holder is None:
        return {"held": False, "holder": None, "mine": False, "expires_in": None}
    return {"held": True, "holder": holder.label, "mine": holder.principal == principal_of(user),
            "expires_in": holder.expires_in}


# --- commands -----------------------------------------------------------------------------------


def do_command(user: Visitor, camera: Camera, command: CheckedCommand, *, takeover: bool = False,
               ip: str | None = None) -> Accepted:
    """Take or renew the lease, number the command, audit it and queue it on ``ptz``.

    ``camera`` comes from ``access_ptz_camera``. Raises ``PTZLocked`` when
    someone else holds the camera. Audit: ``ptz.session`` / ``ptz.takeover``
    when a lease starts, then ``ptz.<action>`` per command; renewals of a held
    move (same velocity) are not new commands.
    """
    holder = _take_lease(user, camera, takeover, ip)
    store, key = get_store(), camera_key(camera)
    if command.action == PTZAction.RELEASE:
        return _release(user, camera, holder, ip)
    seq = store.next_seq(key)
    timeout = move_timeout(capabilities_of(camera)) if command.action == PTZAction.MOVE else 0.0
    expires = None if command.action == PTZAction.STOP else (timeout or COMMAND_EXPIRES_SECONDS)
    enqueue("cameras.tasks.ptz_command", camera.pk, camera.site.organization_id, command.payload(timeout), seq,
            holder.lease, expires=expires)
    # Written once the command is on its way: the database is not in the move's path.
    if _is_new_command(command, holder, key):
        audit.record(user, f"ptz.{command.action}", organization=camera.site.organization_id, target=camera,
                     ip=ip, session=holder.lease[:12], **command.detail())
    return Accepted(seq, holder)


def _is_new_command(command: CheckedCommand, holder: Holder, key: str) -> bool:
    store = get_store()
    if command.action == PTZAction.MOVE:
        signature = f"{holder.lease}|{command.pan}|{command.tilt}|{command.zoom}"
        return store.note_move(key, signature, settings.CCTV_PTZ_LOCK_SECONDS)
    ended_a_move = store.end_move(key)
    return command.action != PTZAction.STOP or ended_a_move


def _release(user: Visitor, camera: Camera, holder: Holder, ip: str | None) -> Accepted:
    store, key = get_store(), camera_key(camera)
    if store.end_move(key):  # let go while moving: stop first
        enqueue("cameras.tasks.ptz_command", camera.pk, camera.site.organization_id,
                CheckedCommand(PTZAction.STOP).payload(0), store.next_seq(key), holder.lease)
    store.release(key, holder.principal)
    audit.record(user, "ptz.release", organization=camera.site.organization_id, target=camera, ip=ip,
                 session=holder.lease[:12])
    return Accepted(store.latest_seq(key), None)


def ptz_state(user: Visitor, camera: Camera) -> dict[str, Any]:
    """What the live view shows: capabilities, lease, last position and error.

    Asks a worker for a fresh position when the stored one is older than
    ``STATUS_MAX_AGE_SECONDS`` (at most one such request per camera every half second).
    """
    capabilities = capabilities_of(camera)
    store, key = get_store(), camera_key(camera)
    state = store.get_state(key)
    fresh = time.time() - state.get("status_at", 0) < STATUS_MAX_AGE_SECONDS
    if capabilities is not None and capabilities.supported and not fresh and store.claim(key, "status", 0.5):
        enqueue("cameras.tasks.ptz_refresh_status", camera.pk, camera.site.organization_id, expires=5)
    return {
        "capabilities": capabilities,
        "lock": lock_state(user, camera),
        "status": {**state.get("position", {}), "moving": state.get("moving"),
                   "updated_at": state.get("status_at")},
        "error": state.get("error") or None,
        "move_timeout_ms": int(move_timeout(capabilities) * 1000),
    }


def request_capabilities(camera: Camera) -> None:
    """Read the camera's PTZ capabilities again, on a worker, once committed."""
    enqueue("cameras.tasks.refresh_ptz_capabilities", camera.pk)


# --- presets ----------------------------------------------------------------------------------


def presets_of(camera: Camera) -> list[PTZPreset]:
    return list(PTZPreset.objects.filter(camera=camera).order_by("name"))


def access_preset(camera: Camera, public_id: Any) -> PTZPreset:
    """A preset of a camera that came through the gate; the same 404 for foreign and missing ones."""
    try:
        return PTZPreset.objects.get(camera=camera, public_id=uuid.UUID(str(public_id)))
    except (PTZPreset.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None


def check_preset_name(camera: Camera, name: Any) -> str:
    capabilities = _require_ptz(camera)
    if not capabilities.presets:
        raise ValidationError("This camera does not store presets.")
    cleaned = name.strip() if isinstance(name, str) else ""
    if not cleaned or len(cleaned) > 64 or any(not ch.isprintable() for ch in cleaned):
        raise ValidationError({"name": ["Give the preset a name of 1 to 64 printable characters."]})
    if PTZPreset.objects.filter(camera=camera, name=cleaned).exists():
        raise ValidationError({"name": ["This camera already has a preset with this name."]})
    if capabilities.max_presets and PTZPreset.objects.filter(camera=camera).count() >= capabilities.max_presets:
        raise ValidationError(f"This camera holds at most {capabilities.max_presets} presets; remove one first.")
    return cleaned


def _require_manage(user: Visitor, camera: Camera) -> None:
    if not can(user, Action.MANAGE, camera):
        raise PermissionDenied("Only owners and admins can save or remove presets.")


@transaction.atomic
def do_create_preset(user: Visitor, camera: Camera, name: str, *, ip: str | None = None) -> PTZPreset:
    """Save the camera's current position as a preset. Needs ``manage`` and the lease.

    The row is created at once without a token; a worker asks the camera to
    store the position and fills the token in (or deletes the row if the
    camera refuses). Audit: ``ptz.preset.create``.
    """
    _require_manage(user, camera)
    name = check_preset_name(camera, name)
    _take_lease(user, camera, False, ip)
    try:
        with transaction.atomic():
            preset = PTZPreset.objects.create(camera=camera, name=name, created_by=person_of(user))
    except IntegrityError:
        raise ValidationError({"name": ["This camera already has a preset with this name."]}) from None
    audit.record(user, "ptz.preset.create", organization=camera.site.organization_id, target=camera, ip=ip,
                 preset=name)
    enqueue("cameras.tasks.ptz_set_preset", preset.pk)
    return preset


def cannot_remove_message(capabilities: PTZCapabilities) -> str:
    answer = f" (it answered: {capabilities.remove_presets_refusal})" if capabilities.remove_presets_refusal else ""
    return (f"This camera cannot delete presets{answer}. Remove the preset on the camera itself; the portal "
            "drops it when it next reads the camera's capabilities.")


@transaction.atomic
def do_delete_preset(user: Visitor, preset: PTZPreset, *, ip: str | None = None) -> bool:
    """Remove a preset here and from the camera. Needs ``manage``. Audit: ``ptz.preset.delete``.

    A preset the camera stores is only marked ``removing``: a worker asks the
    camera, then deletes the row, or keeps it and shows the camera's refusal
    (``device.remove_preset``). Returns True when the row is gone at once
    (a preset not yet saved on the camera). A camera known not to delete
    presets is refused here (``ValidationError``). A preset deleted meanwhile
    (twice at once, or with its camera) is a 404.
    """
    # Locked and read again, camera included: a preset or camera that went since the view read the preset
    # made the save below (or reading its camera) fail with a 500.
    rows = PTZPreset.objects.select_for_update(of=("self",)).select_related("camera__site")
    locked = rows.filter(pk=preset.pk).first()
    if locked is None:
        raise Http404("Not found.")
    preset, camera = locked, locked.camera
    _require_manage(user, camera)
    capabilities = capabilities_of(camera)
    if preset.token and capabilities is not None and not capabilities.remove_presets:
        raise ValidationError(cannot_remove_message(capabilities))
    audit.record(user, "ptz.preset.delete", organization=camera.site.organization_id, target=camera, ip=ip,
                 preset=preset.name)
    if not preset.token:
        preset.delete()
        return True
    preset.removing = True
    preset.save(update_fields=["removing", "updated_at"])
    enqueue("cameras.tasks.ptz_remove_preset", preset.pk)
    return False


# --- the live view --------------------------------------------------------------------------------


def panel_context(user: Visitor, camera: Camera) -> dict[str, Any] | None:
    """What the live view's PTZ controls need, or None: no PTZ, or no ``control`` for this user."""
    capabilities = capabilities_of(camera) if camera.has_onvif and camera.enabled else None
    if capabilities is None or not capabilities.supported or not can(user, Action.CONTROL, camera):
        return None
    manage = can(user, Action.MANAGE, camera)
    timeout_ms = int(move_timeout(capabilities) * 1000)
    names = (*PTZ_FEATURES, "remove_presets")
    return {
        "api": reverse("camera-ptz-list", kwargs={"id": camera.public_id}),
        "presets_api": reverse("camera-ptz-preset-list", kwargs={"id": camera.public_id}),
        "capabilities": {name: getattr(capabilities, name) for name in names},
        "can_manage_presets": manage,
        "can_take_over": manage,
        "move_timeout_ms": timeout_ms,
        "keepalive_ms": max(100, timeout_ms // 3),
    }
