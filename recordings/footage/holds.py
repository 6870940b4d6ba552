"""Legal holds: protecting a camera's time range from every deletion, and keeping ``Segment.held`` right.

An owner or admin (``manage`` on the camera) sets, changes and lifts holds
through ``create_hold``, ``update_hold`` and ``lift_hold`` (pages, the API
and the admin call these), each audited (``hold.create``, ``hold.update``,
``hold.lift``).

Which footage a hold protects is decided by the holds themselves; the
segments' ``held`` flag is a copy kept for cheap filtering and display:

- setting a hold flags the camera's segments overlapping its range, and a
  segment indexed later into a held range is flagged as it is indexed
  (``covering``, called by ``index.add_segment``);
- changing or lifting a hold clears the flags of its old range, then flags
  again what other holds of the camera still cover;
- deletion (``recordings.footage.removal``) never trusts the flag alone: it
  skips flagged segments and checks the holds once more (``protected_ids``).

Writers serialise per camera on the camera's ``CameraUsage`` row, which
indexing already locks: a hold taking that lock first sees every segment
committed before it, and a segment indexed after sees the hold. (SQLite
serialises every write transaction anyway.) A hold whose camera was deleted
keeps protecting that camera's footage (found by the camera id in the
segment keys); its range can no longer change, and it can still be lifted.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from accounts import audit
from accounts.callers import Visitor, person_of
from accounts.roles import Action
from accounts.scoping import access, require_visible
from cameras.models import Camera
from recordings.footage import layout
from recordings.footage.models import CameraUsage, LegalHold, Segment
from recordings.footage.models_lifecycle import HOLD_REASON_MAX

HOLD_FIELDS = ("start", "end", "reason")


# --- which segments a hold covers ------------------------------------------------------


def _segments(organization_id: int, camera_id: int | None, camera_public_id: uuid.UUID, start: datetime,
              end: datetime) -> QuerySet:
    """The camera's segments that overlap [start, end), on every stream and tier."""
    overlapping = Q(start__lt=end, end__gt=start)
    if camera_id is not None:
        return Segment.objects.filter(overlapping, camera_id=camera_id)
    # The camera is gone: its segments lost their link to it but keep its id in their keys.
    prefix = f"{int(organization_id)}/{camera_public_id.hex}/"
    return Segment.objects.filter(overlapping, organization_id=organization_id, camera__isnull=True,
                                  key__startswith=prefix)


def _covered_by(hold: LegalHold) -> QuerySet:
    return _segments(hold.organization_id, hold.camera_id, hold.camera_public_id, hold.start, hold.end)


def covering(camera_id: int, start: datetime, end: datetime) -> bool:
    """Whether a hold covers any of [start, end) of this camera (for a segment being indexed)."""
    return LegalHold.objects.filter(camera_id=camera_id, start__lt=end, end__gt=start).exists()


def _reflag(hold: LegalHold, start: datetime, end: datetime) -> None:
    """After ``hold`` stopped covering [start, end) (lifted, or moved): flags follow the holds that remain."""
    area = _segments(hold.organization_id, hold.camera_id, hold.camera_public_id, start, end)
    area.filter(held=True).update(held=False)
    others = LegalHold.objects.filter(camera_public_id=hold.camera_public_id, start__lt=end, end__gt=start)
    for other in others.exclude(pk=hold.pk):
        area.filter(start__lt=other.end, end__gt=other.start, held=False).update(held=True)


def protected_ids(segments: Iterable[Segment]) -> set[int]:
    """The segments among these that a hold covers, whatever their flag says (deletion's last check)."""
    rows = list(segments)
    if not rows:
        return set()
    holds = list(LegalHold.objects.filter(organization_id__in={row.organization_id for row in rows},
                                          start__lt=max(row.end for row in rows),
                                          end__gt=min(row.start for row in rows)))
    if not holds:
        return set()
    return {row.pk for row in rows if any(_holds(hold, row) for hold in holds)}


def _holds(hold: LegalHold, row: Segment) -> bool:
    if not (hold.start < row.end and hold.end > row.start and hold.organization_id == row.organization_id):
        return False
    if row.camera_id is not None:
        return hold.camera_id == row.camera_id
    parts = layout.parse_key(row.key)
    return parts is not None and parts.camera_public_id == hold.camera_public_id


def lock_camera(camera_id: int, organization_id: int) -> None:
    """Take the camera's indexing lock (its usage counter row) for the rest of the transaction.

    A camera deleted meanwhile has no row and gets no new footage: nothing to lock then.
    """
    usage = CameraUsage.objects.filter(camera_id=camera_id)
    if not usage.exists() and Camera.objects.filter(pk=camera_id).exists():
        CameraUsage.objects.get_or_create(camera_id=camera_id, defaults={"organization_id": organization_id})
    list(usage.select_for_update())


# --- setting, changing, lifting -------------------------------------------------------------


def _clean(start: Any, end: Any, reason: Any) -> tuple[datetime, datetime, str]:
    errors: dict[str, list[str]] = {}
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, datetime) or timezone.is_naive(value):
            errors[name] = ["Give a date and time with its time zone (ISO 8601), such as 2026-03-01T08:00:00Z."]
    if not errors and end <= start:
        errors["end"] = ["The end must come after the start."]
    reason = " ".join(str(reason or "").split())
    if not reason:
        errors["reason"] = ["Say why the footage is held (a case or request reference, for example)."]
    elif len(reason) > HOLD_REASON_MAX:
        errors["reason"] = [f"Keep the reason under {HOLD_REASON_MAX} characters."]
    if errors:
        raise ValidationError(errors)
    return start, end, reason


def _audit_detail(hold: LegalHold) -> dict[str, Any]:
    return {"camera": str(hold.camera_public_id), "camera_name": hold.camera_name, "start": hold.start.isoformat(),
            "end": hold.end.isoformat(), "reason": hold.reason}


@transaction.atomic
def create_hold(user: Visitor, camera_public_id: Any, *, start: Any, end: Any, reason: Any,
                ip: str | None = None) -> LegalHold:
    """Hold a camera's footage in [start, end) (``manage`` on the camera). Audit: ``hold.create``."""
    camera: Camera = access(Camera, user, camera_public_id, Action.MANAGE)
    require_visible(user, camera, Action.MANAGE)
    start, end, reason = _clean(start, end, reason)
    organization_id = camera.site.organization_id
    lock_camera(camera.pk, organization_id)
    hold = LegalHold.objects.create(
        organization_id=organization_id, camera=camera, camera_public_id=camera.public_id, camera_name=camera.name,
        start=start, end=end, reason=reason, created_by=person_of(user),
        created_by_label=audit.actor_label(user)[:200],
    )  # fmt: skip
    flagged = _covered_by(hold).filter(held=False).update(held=True)
    audit.record(user, "hold.create", organization=organization_id, target=hold, ip=ip, segments=flagged,
                 **_audit_detail(hold))
    return hold


def _locked(user: Visitor, hold: LegalHold) -> LegalHold:
    """The hold, re-read under its camera's lock, if the caller may still manage it; else 404."""
    camera_id = LegalHold.objects.filter(pk=hold.pk).values_list("camera_id", flat=True).first()
    if camera_id is not None:
        lock_camera(camera_id, hold.organization_id)
    locked = LegalHold.objects.select_for_update().filter(pk=hold.pk).first()
    if locked is None:
        raise Http404("Not found.")
    require_visible(user, locked, Action.MANAGE)
    return locked


@transaction.atomic
def update_hold(user: Visitor, hold: LegalHold, *, ip: str | None = None, **changes: Any) -> LegalHold:
    """Change a hold's range or reason (``manage``). Audit: ``hold.update`` with the old and new values."""
    unknown = set(changes) - set(HOLD_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown hold fields: {', '.join(sorted(unknown))}.")
    hold = _locked(user, hold)
    start, end, reason = _clean(changes.get("start", hold.start), changes.get("end", hold.end),
                                changes.get("reason", hold.reason))
    moved = (start, end) != (hold.start, hold.end)
    if moved and hold.camera_id is None:
        raise ValidationError("This camera was deleted: its holds can be lifted but not moved.")
    before = _audit_detail(hold)
    old_start, old_end = hold.start, hold.end
    hold.start, hold.end, hold.reason = start, end, reason
    hold.save(update_fields=["start", "end", "reason", "updated_at"])
    if moved:
        _reflag(hold, old_start, old_end)
        _covered_by(hold).filter(held=False).update(held=True)
    changed = sorted(name for name in HOLD_FIELDS if before[name] != _audit_detail(hold)[name])
    audit.record(user, "hold.update", organization=hold.organization_id, target=hold, ip=ip, changed=changed,
                 before={name: before[name] for name in changed}, **_audit_detail(hold))
    return hold


@transaction.atomic
def lift_hold(user: Visitor, hold: LegalHold, *, ip: str | None = None) -> None:
    """Lift a hold (``manage``): its footage goes back to retention and quotas. Audit: ``hold.lift``."""
    hold = _locked(user, hold)
    detail = _audit_detail(hold)
    audit.record(user, "hold.lift", organization=hold.organization_id, target=hold, ip=ip, **detail)
    hold.delete()
    _reflag(hold, hold.start, hold.end)
