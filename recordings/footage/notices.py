"""Notices about recording: a camera stopped recording, an organization's footage passed 90 % of its quota.

Beat looks for both (``notice_stopped_recordings``, ``note_quota_levels``).
Each occurrence is told once: it is claimed with a conditional UPDATE of a
timestamp (``RecordingHealth.stopped_notice_at``, ``StoragePolicy.quota_notice_at``)
that must change exactly one row, so two beats at once give one notice.
A ``Notice`` row is written; after commit it is pushed on the event stream
(``recording.stopped`` to the camera's viewers, ``storage.quota`` to the
organization's owners and admins), and ``notify_notice`` is queued by name:
the notification feature writes its deliveries
(``recordings.notifications.notice_deliveries``), to the rules that chose
its event type and, for the quota, to owners and admins (``managers_of``).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Q

from accounts.models import Membership
from accounts.roles import Role
from cameras.models import Camera
from portal.events import camera_group, send_on_commit, user_group
from portal.work import enqueue
from recordings.footage import health, notice_messages, retention
from recordings.footage.models import (
    Notice,
    NoticeKind,
    OrganizationUsage,
    RecordingHealth,
    RecordingMode,
    RecordingSettings,
    StoragePolicy,
)

logger = logging.getLogger(__name__)

MANAGING_ROLES = (Role.OWNER, Role.ADMIN)


# --- recording stopped ----------------------------------------------------------------------


def notice_stopped_recordings(now: datetime, minutes: int) -> list[Notice]:
    """A notice for each camera that should record and has recorded nothing new for ``minutes``."""
    cutoff = now - timedelta(minutes=minutes)
    quiet = (Q(camera__recording_health__isnull=True) | Q(camera__recording_health__last_segment_at__isnull=True)
             | Q(camera__recording_health__last_segment_at__lte=cutoff))
    rows = (RecordingSettings.objects.exclude(mode=RecordingMode.OFF)
            .filter(quiet, camera__enabled=True, updated_at__lte=cutoff).select_related("camera", "camera__site"))
    notices = []
    for row in rows:
        state, _ = RecordingHealth.objects.get_or_create(camera_id=row.camera_id)
        since = retention.stopped_since(state.last_segment_at, row.updated_at)
        if retention.stop_notice_due(since, now, minutes, state.stopped_notice_at):
            notice = _claim_stop(row.camera, state, since, now)
            if notice is not None:
                notices.append(notice)
    return notices


@transaction.atomic
def _claim_stop(camera: Camera, state: RecordingHealth, since: datetime, now: datetime) -> Notice | None:
    claimed = RecordingHealth.objects.filter(camera_id=camera.pk, stopped_notice_at=state.stopped_notice_at).update(
        stopped_notice_at=now)
    if not claimed:
        return None  # another beat told it
    view = health.effective(state, now, camera.site.timezone)
    notice = Notice.objects.create(
        organization_id=camera.site.organization_id, camera=camera, camera_name=camera.name,
        kind=NoticeKind.RECORDING_STOPPED, since=since,
        detail={"minutes": int((now - since).total_seconds() // 60), "state": view.state, "reason": view.reason},
    )  # fmt: skip
    logger.warning("camera %s has recorded nothing since %s", camera.public_id, since.isoformat())
    send_on_commit(camera_group(camera.public_id), notice_messages.stream_event(notice))
    _queue_notify(notice)
    return notice


def _queue_notify(notice: Notice) -> None:
    # The task is the notification feature's (recordings.notifications.tasks); it keeps the name it had here.
    enqueue("recordings.footage.tasks.notify_notice", notice.pk)


# --- footage quota --------------------------------------------------------------------------


def note_quota_levels(now: datetime) -> list[Notice]:
    """Tell owners and admins of organizations whose footage passed 90 % of the quota; re-arm those below 85 %."""
    policies = StoragePolicy.objects.filter(Q(quota_bytes__isnull=False) | Q(quota_notice_at__isnull=False))
    policies = list(policies.select_related("organization"))
    used = dict(OrganizationUsage.objects.filter(organization_id__in=[p.pk for p in policies])
                .values_list("organization_id", "bytes"))
    notices = []
    for policy in policies:
        decision = retention.quota_notice(used.get(policy.pk, 0), policy.quota_bytes,
                                          noticed=policy.quota_notice_at is not None)
        if decision is retention.QuotaNotice.REARM:
            StoragePolicy.objects.filter(pk=policy.pk, quota_notice_at=policy.quota_notice_at).update(
                quota_notice_at=None)
        elif decision is retention.QuotaNotice.WARN:
            notice = _claim_quota(policy, used.get(policy.pk, 0), now)
            if notice is not None:
                notices.append(notice)
    return notices


def managers_of(organization_id: int) -> list[tuple[int, str]]:
    """(user id, e-mail) of the organization's active owners and admins."""
    members = Membership.objects.filter(organization_id=organization_id, role__in=MANAGING_ROLES,
                                        user__is_active=True)
    return list(members.values_list("user_id", "user__email").order_by("user_id"))


@transaction.atomic
def _claim_quota(policy: StoragePolicy, used: int, now: datetime) -> Notice | None:
    if not StoragePolicy.objects.filter(pk=policy.pk, quota_notice_at=None).update(quota_notice_at=now):
        return None
    notice = Notice.objects.create(
        organization_id=policy.pk, kind=NoticeKind.STORAGE_QUOTA,
        detail={"used_bytes": used, "quota_bytes": policy.quota_bytes,
                "used_share": round(used / policy.quota_bytes, 4), "organization_name": policy.organization.name},
    )  # fmt: skip
    logger.warning("organization %s: footage at %d of %d bytes", policy.pk, used, policy.quota_bytes)
    event = notice_messages.stream_event(notice)
    for user_id, _email in managers_of(policy.pk):
        send_on_commit(user_group(user_id), event)
    _queue_notify(notice)
    return notice
