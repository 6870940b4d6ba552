"""Recording settings per camera and the storage policy per organization; what recorders should record.

Pages, the API and the admin change settings through here (checked,
audited, health set to "waiting" or "off" at once); recorders read
``recording_plan`` for the cameras of their gateway.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts import audit
from accounts.callers import Visitor
from accounts.models import Organization
from accounts.roles import Action
from accounts.scoping import access, require_visible
from cameras.models import Camera
from recordings.footage import health
from recordings.footage.models import (
    HealthState,
    RecordingHealth,
    RecordingMode,
    RecordingSettings,
    SegmentKind,
    StoragePolicy,
    StreamChoice,
    StreamVariant,
)

SETTING_FIELDS = ("mode", "stream", "pre_roll_seconds", "post_roll_seconds", "continuous_retention_days",
                  "event_retention_days")
POLICY_FIELDS = ("quota_bytes", "continuous_retention_days", "event_retention_days")


def settings_for(camera: Camera) -> RecordingSettings:
    """The camera's recording settings, or unsaved defaults (off) if it has none."""
    try:
        return camera.recording_settings
    except RecordingSettings.DoesNotExist:
        return RecordingSettings(camera=camera)


def policy_for(organization_id: int) -> StoragePolicy:
    return StoragePolicy.objects.filter(organization_id=organization_id).first() or StoragePolicy(
        organization_id=organization_id
    )


def _apply(row: Any, values: dict[str, Any], allowed: tuple[str, ...], exclude: list[str]) -> None:
    unknown = set(values) - set(allowed)
    if unknown:
        raise ValidationError(f"Unknown settings: {', '.join(sorted(unknown))}.")
    for name, value in values.items():
        setattr(row, name, value)
    row.full_clean(exclude=exclude)


@transaction.atomic
def update_settings(user: Visitor, camera_public_id: Any, *, ip: str | None = None, **values: Any) -> RecordingSettings:
    """Change a camera's recording settings (``manage`` on the camera). Audit: ``recording.settings``."""
    camera = access(Camera, user, camera_public_id, Action.MANAGE)
    require_visible(user, camera, Action.MANAGE)
    current = RecordingSettings.objects.select_for_update().filter(camera=camera).first()
    current = current or RecordingSettings(camera=camera)
    _apply(current, values, SETTING_FIELDS, exclude=["camera"])
    current.save()
    audit.record(user, "recording.settings", organization=camera.site.organization_id, target=camera, ip=ip,
                 changed=sorted(values))
    _announce_mode(camera, current.mode)
    return current


def _announce_mode(camera: Camera, mode: str) -> None:
    """Health follows a mode change at once: off, or waiting until a recorder takes the camera."""
    row = RecordingHealth.objects.filter(camera=camera).first()
    if mode == RecordingMode.OFF:
        health.set_state(camera.pk, camera.public_id, HealthState.OFF, "Recording is off for this camera.",
                         keep_recorder=True)
    elif row is None or row.state == HealthState.OFF:
        health.set_state(camera.pk, camera.public_id, HealthState.WAITING, "Waiting for a recorder to start.")


@transaction.atomic
def update_policy(user: Visitor, organization_id: Any, *, ip: str | None = None, **values: Any) -> StoragePolicy:
    """Change an organization's quota and default retention (``manage``, unrestricted). Audit: ``recording.policy``."""
    organization: Organization = access(Organization, user, organization_id, Action.MANAGE)
    current = StoragePolicy.objects.select_for_update().filter(organization=organization).first()
    current = current or StoragePolicy(organization=organization)
    _apply(current, values, POLICY_FIELDS, exclude=["organization"])
    current.save()
    audit.record(user, "recording.policy", organization=organization, target=organization, ip=ip,
                 changed=sorted(values))
    return current


# --- what to record ---------------------------------------------------------------------


def variants(settings_row: RecordingSettings, camera: Camera) -> tuple[str, ...]:
    """The streams to record: the sub stream falls back to main on cameras without one."""
    if settings_row.mode == RecordingMode.OFF:
        return ()
    has_sub = bool(camera.sub_source)
    if settings_row.stream == StreamChoice.BOTH:
        return (StreamVariant.MAIN, StreamVariant.SUB) if has_sub else (StreamVariant.MAIN,)
    if settings_row.stream == StreamChoice.SUB and has_sub:
        return (StreamVariant.SUB,)
    return (StreamVariant.MAIN,)


def preferred_stream(camera: Camera) -> str:
    """The stream a range query reads when none is named: the one recorded, the sub stream first."""
    recorded = variants(settings_for(camera), camera)
    return StreamVariant.SUB if StreamVariant.SUB in recorded else StreamVariant.MAIN


@dataclass(frozen=True)
class Plan:
    """How one camera is to be recorded, as a recorder needs it."""

    camera_id: int
    camera_public_id: Any
    organization_id: int
    site_timezone: str
    mode: str
    streams: tuple[str, ...]
    pre_roll: timedelta
    post_roll: timedelta

    @property
    def new_segment_kind(self) -> str:
        return SegmentKind.BUFFER if self.mode == RecordingMode.EVENTS else SegmentKind.CONTINUOUS


def recording_plan(gateway_id: int) -> dict[int, Plan]:
    """Every enabled camera of the gateway whose recording is on, by camera id."""
    rows = (RecordingSettings.objects.exclude(mode=RecordingMode.OFF)
            .filter(camera__gateway_id=gateway_id, camera__enabled=True)
            .select_related("camera", "camera__site"))
    plans = {}
    for row in rows:
        camera = row.camera
        plans[camera.pk] = Plan(
            camera.pk, camera.public_id, camera.site.organization_id, camera.site.timezone, row.mode,
            variants(row, camera), timedelta(seconds=row.pre_roll_seconds), timedelta(seconds=row.post_roll_seconds),
        )
    return plans
