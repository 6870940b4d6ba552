"""Storage used by an organization's footage, from the counters only (a few rows, whatever the footage)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied

from accounts.callers import Visitor
from accounts.models import Organization
from accounts.roles import Action
from accounts.scoping import access, organization_ids_for
from recordings.footage.models import CameraUsage, OrganizationUsage, Segment, StoragePolicy
from recordings.footage.services import policy_for


def access_storage(user: Visitor, organization_id: Any, action: str = Action.VIEW) -> Organization:
    """An organization whose storage the user may see (or change, with ``manage``).

    Storage is organization-wide (every camera's share), so only members
    without site or camera limits reach it. Foreign or missing: 404.
    Visible but limited or not allowed: 403.
    """
    organization = access(Organization, user, organization_id, Action.VIEW)
    if not user.is_superuser and organization.pk not in organization_ids_for(user, action, unrestricted_only=True):
        raise PermissionDenied("Your role does not allow this.")
    return organization


@dataclass(frozen=True)
class CameraShare:
    camera_public_id: Any
    camera_name: str
    site_name: str
    bytes: int
    segments: int


@dataclass(frozen=True)
class StorageSummary:
    organization_id: int
    policy: StoragePolicy
    used_bytes: int
    segments: int
    cameras: list[CameraShare]

    @property
    def quota_bytes(self) -> int | None:
        return self.policy.quota_bytes

    @property
    def used_share(self) -> float | None:
        """Used bytes over the quota (0 to 1, more when over); None without a quota."""
        return self.used_bytes / self.quota_bytes if self.quota_bytes else None

    @property
    def other_bytes(self) -> int:
        """Footage of deleted cameras, kept until retention removes it."""
        return self.used_bytes - sum(share.bytes for share in self.cameras)


def storage_summary(organization_id: int) -> StorageSummary:
    total = OrganizationUsage.objects.filter(organization_id=organization_id).first()
    rows = (CameraUsage.objects.filter(organization_id=organization_id, camera__site__organization_id=organization_id)
            .select_related("camera", "camera__site").order_by("-bytes", "camera__name"))
    cameras = [CameraShare(row.camera.public_id, row.camera.name, row.camera.site.name, row.bytes, row.segments)
               for row in rows]
    return StorageSummary(organization_id, policy_for(organization_id), total.bytes if total else 0,
                          total.segments if total else 0, cameras)


@dataclass(frozen=True)
class CameraFootage:
    """What one camera has kept: the oldest moment still stored and the bytes, from the counters."""

    oldest: Any
    bytes: int
    segments: int


def camera_footage(camera: Any) -> CameraFootage:
    """The camera page's footage line (the caller passed the camera through the gate).

    Two indexed reads: the camera's counter row and its oldest segment (the
    (camera, stream, start) index).
    """
    usage = CameraUsage.objects.filter(camera=camera).first()
    oldest = Segment.objects.filter(camera=camera).order_by("start").values_list("start", flat=True).first()
    return CameraFootage(oldest, usage.bytes if usage else 0, usage.segments if usage else 0)
