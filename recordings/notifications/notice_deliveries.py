"""The deliveries of a notice about recording: who is told, one logged row per channel and recipient.

Footage writes the ``Notice`` and queues ``notify_notice`` by name
(``recordings.footage.notices``); that task's body is ``queue_deliveries``
here. The rules that chose the notice's event type are matched like motion
alerts' (``delivery.rules_for``); owners and admins always get the quota
notice by e-mail, rules or not: the storage is theirs to look after.
Sending is ``delivery.deliver``, as for every delivery.
"""

from __future__ import annotations

import logging

from portal.work import enqueue
from recordings.footage.models import Notice, NoticeKind
from recordings.footage.notices import managers_of
from recordings.models import NotificationChannel, NotificationDelivery, NotificationRule
from recordings.notifications.delivery import rules_for

logger = logging.getLogger(__name__)


def _targets(notice: Notice) -> list[tuple[str, str, NotificationRule | None]]:
    """(channel, recipient, rule) of everyone to tell: rules that chose this event type, and owners/admins."""
    camera = notice.camera
    if notice.kind == NoticeKind.RECORDING_STOPPED and camera is None:
        return []  # the camera was deleted meanwhile: nothing left to tell about
    targets: list[tuple[str, str, NotificationRule | None]] = []
    for rule in rules_for(notice.organization_id, notice.kind, camera, notice.created_at):
        if rule.channel == NotificationChannel.WEBHOOK:
            recipient = rule.webhook.url if rule.webhook else ""
        else:
            recipient = rule.user.email if rule.user else rule.email_to
        targets.append((rule.channel, recipient, rule))
    if notice.kind == NoticeKind.STORAGE_QUOTA:
        targets += [(NotificationChannel.EMAIL, email, None) for _, email in managers_of(notice.organization_id)
                    if email]
    return targets


def queue_deliveries(notice_id: int) -> list[NotificationDelivery]:
    """Write a notice's deliveries (one per channel and recipient) and queue them after commit; the new rows.

    Idempotent: a repeated task finds the rows and queues nothing again.
    """
    notice = Notice.objects.select_related("camera", "camera__site", "organization").filter(pk=notice_id).first()
    if notice is None:
        logger.info("notice %s is gone; nothing to deliver", notice_id)
        return []
    created = []
    for channel, recipient, rule in _targets(notice):
        delivery, new = NotificationDelivery.objects.get_or_create(
            notice=notice, channel=channel, recipient=recipient[:500],
            defaults={"organization_id": notice.organization_id, "rule": rule,
                      "webhook": rule.webhook if rule is not None else None},
        )  # fmt: skip
        if new:
            created.append(delivery)
            enqueue("recordings.tasks.deliver_notification", delivery.pk)
    return created
