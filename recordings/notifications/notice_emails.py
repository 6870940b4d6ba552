"""What a notice about recording says by e-mail, and who may still get it.

The notice's facts and link are ``recordings.footage.notice_messages`` (the
event-stream message and the webhook body); like motion alerts, the e-mail
names the camera, site and organization and links to the portal, never a
camera source, a gateway address or a credential.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage

from accounts.models import Membership
from accounts.roles import Action, Role
from accounts.scoping import can
from recordings import schedules
from recordings.clips.retention import human_bytes
from recordings.footage.models import Notice, NoticeKind
from recordings.footage.notice_messages import url_of
from recordings.models import NotificationDelivery
from recordings.notifications.webhooks import DeliveryError


def _check_recipient(delivery: NotificationDelivery) -> None:
    """A person is written to only while they still have the right to know."""
    notice = delivery.notice
    owner = delivery.rule.user if delivery.rule else None
    if notice.kind == NoticeKind.RECORDING_STOPPED:
        if notice.camera is None:
            raise DeliveryError("The camera was deleted.", retryable=False)
        if owner is not None and not can(owner, Action.VIEW, notice.camera):
            raise DeliveryError("The recipient may no longer view this camera.", retryable=False)
        return
    if owner is not None and not can(owner, Action.MANAGE, notice.organization):
        raise DeliveryError("The recipient no longer manages this organization.", retryable=False)
    if delivery.rule is None and not Membership.objects.filter(
        organization_id=notice.organization_id, role__in=(Role.OWNER, Role.ADMIN), user__email=delivery.recipient,
        user__is_active=True,
    ).exists():
        raise DeliveryError("The recipient is no longer an owner or admin of the organization.", retryable=False)


def _footer(delivery: NotificationDelivery) -> str:
    where = f"{settings.CCTV_PUBLIC_URL.rstrip('/')}/notifications/"
    if delivery.rule is None:
        return f"Sent to the organization's owners and admins. Notification rules: {where}"
    return f"Sent because of the notification rule “{delivery.rule.name}”. Change your notifications at {where}"


def _stopped_email(notice: Notice) -> tuple[str, list[str]]:
    site = notice.camera.site
    zone = schedules.zone(site.timezone)
    since = f"{notice.since.astimezone(zone):%Y-%m-%d %H:%M:%S} ({zone.key})" if notice.since else "unknown"
    subject = " ".join(f"Recording stopped on {notice.camera_name} at {site.name}".split())
    lines = [f"{notice.camera_name} at {site.name} has recorded nothing for {notice.detail.get('minutes')} minutes.",
             "", f"Newest footage: {since}"]
    if notice.detail.get("reason"):
        lines.append(f"Recording: {notice.detail['reason']}")
    return subject, [*lines, "", f"See the camera: {url_of(notice)}"]


def _quota_email(notice: Notice) -> tuple[str, list[str]]:
    name, used, quota = (notice.detail.get(key) for key in ("organization_name", "used_bytes", "quota_bytes"))
    subject = " ".join(f"Footage storage of {name} is {notice.detail.get('used_share', 0):.0%} full".split())
    lines = [f"The recorded footage of {name} uses {human_bytes(used)} of its {human_bytes(quota)} quota.",
             "When it is full, the oldest footage that is not under a legal hold is deleted to make room.",
             "", f"Raise the quota or shorten retention: {url_of(notice)}"]
    return subject, lines


def email(delivery: NotificationDelivery) -> EmailMessage:
    """The e-mail of a notice delivery (``DeliveryError`` if the recipient may no longer get it)."""
    _check_recipient(delivery)
    notice = delivery.notice
    subject, lines = _stopped_email(notice) if notice.kind == NoticeKind.RECORDING_STOPPED else _quota_email(notice)
    return EmailMessage(subject, "\n".join([*lines, "", _footer(delivery)]), to=[delivery.recipient])
