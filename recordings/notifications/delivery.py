"""Notifications of motion alerts (and recording notices): which rules match, the delivery log, and sending.

Flow: ``motion.open_event`` queues ``notify_motion_event`` after commit. Its
body, ``queue_deliveries``, picks the matching rules (``rules_for_event``),
writes one ``NotificationDelivery`` per event and rule (a unique constraint
makes a re-run harmless) and queues ``deliver_notification`` for each new row
after commit. ``deliver`` claims one attempt with a conditional UPDATE, sends
an e-mail or a signed webhook (``recordings.notifications.webhooks``) and records the
outcome; the task retries what may succeed later. Endpoints and rules are
changed through ``recordings.notifications.rules``. Notices about recording
(written by ``recordings.footage.notices``, their deliveries by
``recordings.notifications.notice_deliveries``) go through the same rules
(``rules_for``, by event type), log and ``deliver``.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F
from django.utils import timezone

from accounts.roles import Action
from accounts.scoping import can
from cameras.models import Camera
from portal.backoff import exponential_delay
from portal.work import enqueue
from recordings import schedules
from recordings.models import (
    DeliveryStatus,
    MotionEvent,
    NotificationChannel,
    NotificationDelivery,
    NotificationEvent,
    NotificationRule,
)
from recordings.notifications import webhooks

logger = logging.getLogger(__name__)

MAX_ERROR_LENGTH = 300

# What a retry means here: ``deliver`` is idempotent (an attempt is claimed
# with a conditional UPDATE), so the task may try again. A retry waits 5 s,
# doubling, at most 5 min; after the last one the row is failed.
NOTIFY_RETRIES = 6
NOTIFY_BACKOFF_SECONDS = 5
NOTIFY_BACKOFF_MAX = 300


class RetryLater(Exception):
    """The attempt failed in a way a later one may not; the row stays pending."""


def retry_delay(retries: int) -> float:
    """Seconds before the next attempt of a delivery that failed after ``retries`` retries."""
    return exponential_delay(retries, NOTIFY_BACKOFF_SECONDS, NOTIFY_BACKOFF_MAX)


# --- which rules an alert matches ------------------------------------------------------


def rule_wants(rule: NotificationRule, event_type: str, camera: Camera | None, moment: datetime) -> bool:
    """Whether a rule sends this type of alert about ``camera`` at ``moment``.

    ``camera`` None is about the whole organization (footage storage): the
    rule's sites, cameras and schedule do not apply, and a personal rule
    matches only while its owner manages the organization.
    """
    if event_type not in (rule.event_types or []):
        return False
    if camera is not None:
        site_ids = {site.pk for site in rule.sites.all()}
        camera_ids = {item.pk for item in rule.cameras.all()}
        # Like member restrictions: the listed sites plus the listed cameras.
        if (site_ids or camera_ids) and camera.site_id not in site_ids and camera.pk not in camera_ids:
            return False
        if not schedules.is_active(rule.schedule or [], camera.site.timezone, moment):
            return False
    if rule.channel == NotificationChannel.WEBHOOK:
        return rule.webhook is not None and rule.webhook.enabled
    if rule.user is not None:
        allowed = can(rule.user, Action.VIEW, camera) if camera is not None else can(
            rule.user, Action.MANAGE, rule.organization)
        return bool(rule.user.email) and allowed
    return bool(rule.email_to)


def rules_for(organization_id: int, event_type: str, camera: Camera | None, moment: datetime) -> list[NotificationRule]:
    """Enabled rules of the organization that want this type of alert about ``camera`` (None: the organization)."""
    rules = (
        NotificationRule.objects.filter(organization_id=organization_id, enabled=True)
        .select_related("user", "webhook", "organization")
        .prefetch_related("sites", "cameras")
    )
    return [rule for rule in rules if rule_wants(rule, event_type, camera, moment)]


def rules_for_event(event: MotionEvent) -> list[NotificationRule]:
    """Enabled rules of the event's organization that want this alert, now.

    A personal rule matches only while its owner may still view the camera.
    An event whose camera is gone matches nothing (no site, no rights to check).
    """
    camera = event.camera
    if camera is None:
        return []
    return rules_for(event.organization_id, NotificationEvent.MOTION_ALERT, camera, event.started_at)


def _recipient(rule: NotificationRule) -> str:
    if rule.channel == NotificationChannel.WEBHOOK:
        return rule.webhook.url if rule.webhook else ""
    return rule.user.email if rule.user else rule.email_to


def queue_deliveries(event_id: int) -> list[NotificationDelivery]:
    """Write the deliveries of an alert and queue them after commit; returns the new rows.

    Idempotent: a row per (event, rule) exists at most once, and only new
    rows are queued, so a repeated task adds nothing.
    """
    event = MotionEvent.objects.select_related("camera", "camera__site").filter(pk=event_id).first()
    if event is None or not event.alerted:
        logger.info("motion event %s is gone or raised no alert; nothing to notify", event_id)
        return []
    created = []
    for rule in rules_for_event(event):
        delivery, new = NotificationDelivery.objects.get_or_create(
            event=event, rule=rule,
            defaults={"organization_id": event.organization_id, "channel": rule.channel,
                      "webhook": rule.webhook, "recipient": _recipient(rule)[:500]},
        )
        if new:
            created.append(delivery)
            enqueue("recordings.tasks.deliver_notification", delivery.pk)
    return created


# --- delivering one row -------------------------------------------------------------------


def _claim(delivery_id: int) -> NotificationDelivery | None:
    """Take the next attempt of a pending row; None if it is done or another worker took it."""
    row = NotificationDelivery.objects.filter(pk=delivery_id).values("status", "attempts").first()
    if row is None or row["status"] != DeliveryStatus.PENDING:
        return None
    claimed = NotificationDelivery.objects.filter(
        pk=delivery_id, status=DeliveryStatus.PENDING, attempts=row["attempts"]
    ).update(attempts=F("attempts") + 1, updated_at=timezone.now())
    if not claimed:
        return None
    related = ("event", "event__camera", "event__camera__site", "rule", "rule__user", "webhook", "notice",
               "notice__camera", "notice__camera__site", "notice__organization")
    return NotificationDelivery.objects.select_related(*related).get(pk=delivery_id)


def scrub(message: str, *secrets: str) -> str:
    """A log line fit for the delivery log: one line, no secret, at most 300 characters."""
    for secret in secrets:
        if secret:
            message = message.replace(secret, "[secret]")
    return " ".join(message.split())[:MAX_ERROR_LENGTH]


def _record(delivery: NotificationDelivery, **changes: Any) -> None:
    NotificationDelivery.objects.filter(pk=delivery.pk, status=DeliveryStatus.PENDING).update(
        updated_at=timezone.now(), **changes
    )
    for field, value in changes.items():
        setattr(delivery, field, value)


def _send_webhook(delivery: NotificationDelivery) -> int:
    webhook = delivery.webhook
    if webhook is None:
        raise webhooks.DeliveryError("The webhook endpoint was deleted.", retryable=False)
    if not webhook.enabled:
        raise webhooks.DeliveryError("The webhook endpoint is switched off.", retryable=False)
    if delivery.is_test:
        event_type = webhooks.EVENT_TEST
        body = webhooks.test_body(webhook, delivery.pk, timezone.now().isoformat())
    elif delivery.event is not None:
        event_type, body = webhooks.EVENT_ALERT, webhooks.alert_body(delivery.event, delivery.pk)
    elif delivery.notice is not None:
        from recordings.footage import notice_messages

        event_type, body = delivery.notice.kind, notice_messages.webhook_body(delivery.notice, delivery.pk)
    else:
        raise webhooks.DeliveryError("The motion event was deleted.", retryable=False)
    headers = webhooks.headers(webhook.secret, body, event=event_type, delivery_id=delivery.pk)
    if delivery.recipient != webhook.url:
        _record(delivery, recipient=webhook.url[:500])
    try:
        return webhooks.send(webhook.url, body, headers)
    except webhooks.DeliveryError as exc:
        exc.message = scrub(exc.message, webhook.secret)
        raise


def alert_email(delivery: NotificationDelivery) -> EmailMessage:
    """Subject "Motion on <camera> at <site>", a plain text body with the link, the snapshot attached."""
    event = delivery.event
    site = event.camera.site if event.camera else None
    zone = schedules.zone(site.timezone if site else "UTC")
    started = event.started_at.astimezone(zone)
    subject = " ".join(f"Motion on {event.camera_name} at {site.name if site else 'a deleted site'}".split())
    lines = [
        f"Motion was detected on {event.camera_name}{f' at {site.name}' if site else ''}.",
        "",
        f"Started: {started:%Y-%m-%d %H:%M:%S} ({zone.key})",
        f"Moving area at the peak: {event.peak_score:.0%} of the picture",
        "",
        *([f"See the camera: {webhooks.camera_url(event)}"] if event.camera else []),
        f"See the alert: {webhooks.alert_url(event)}",
        *([f"Watch the recording: {webhooks.recording_url(event)}"] if event.camera else []),
        "",
        f"Sent because of the notification rule “{delivery.rule.name if delivery.rule else 'deleted'}”. "
        f"Change your notifications at {settings.CCTV_PUBLIC_URL.rstrip('/')}/notifications/",
    ]
    message = EmailMessage(subject, "\n".join(lines), to=[delivery.recipient])
    if event.snapshot:
        try:
            with event.snapshot.open("rb") as snapshot:
                message.attach(f"motion-{event.public_id.hex[:8]}.jpg", snapshot.read(), "image/jpeg")
        except Exception:  # the snapshot is a courtesy: its storage failing must not stop the alert
            logger.warning("snapshot of motion event %s could not be attached", event.public_id, exc_info=True)
    return message


def _email_of(delivery: NotificationDelivery) -> EmailMessage:
    if delivery.notice is not None:
        from recordings.notifications import notice_emails

        return notice_emails.email(delivery)
    event = delivery.event
    if event is None:
        raise webhooks.DeliveryError("The motion event was deleted.", retryable=False)
    owner = delivery.rule.user if delivery.rule else None
    if owner is not None and (event.camera is None or not can(owner, Action.VIEW, event.camera)):
        raise webhooks.DeliveryError("The recipient may no longer view this camera.", retryable=False)
    return alert_email(delivery)


def _send_email(delivery: NotificationDelivery) -> None:
    message = _email_of(delivery)
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:
        raise webhooks.DeliveryError("The mail server refused the recipient's address.", retryable=False) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise webhooks.DeliveryError(f"The mail server could not take the message ({type(exc).__name__}).",
                                     retryable=True) from None


# --- rows whose task was lost ---------------------------------------------------------------

# A series of attempts touches its row at least every 5 minutes (the task's
# longest back-off), so a pending row untouched for this long has lost its
# task: a worker killed between retries, a broker emptied by hand.
STALE_PENDING = timedelta(minutes=15)
# Three full series of the task's attempts; a row still pending after that
# keeps losing its task, and is failed rather than queued for ever.
GIVE_UP_AFTER_ATTEMPTS = 3 * (NOTIFY_RETRIES + 1)


def requeue_stale_deliveries(now: datetime, limit: int) -> int:
    """Queue again pending rows whose task was lost (or fail those that keep losing it); returns how many.

    The row's ``updated_at`` is moved forward in the same conditional UPDATE
    that picks it, so two sweeps at once queue a row only once.
    """
    cutoff = now - STALE_PENDING
    stale = NotificationDelivery.objects.filter(status=DeliveryStatus.PENDING, updated_at__lt=cutoff)
    handled = 0
    for pk, attempts in stale.order_by("updated_at").values_list("pk", "attempts")[:limit]:
        this_row = stale.filter(pk=pk)
        if attempts >= GIVE_UP_AFTER_ATTEMPTS:
            handled += this_row.update(
                status=DeliveryStatus.FAILED, updated_at=now,
                last_error=f"Given up after {attempts} attempts: its delivery task kept being lost.",
            )
        elif this_row.update(updated_at=now):
            logger.info("delivery %s lost its task after %s attempts; queued again", pk, attempts)
            enqueue("recordings.tasks.deliver_notification", pk)
            handled += 1
    return handled


def deliver(delivery_id: int, *, last_try: bool) -> NotificationDelivery | None:
    """Make one attempt at a pending delivery and record it (the task's body).

    Delivered or failed rows, and an attempt another worker already took,
    are left alone. A failure that may pass raises ``RetryLater`` with the
    row still pending, unless this is the last try, which fails the row.
    """
    delivery = _claim(delivery_id)
    if delivery is None:
        logger.info("delivery %s is not pending any more; nothing to do", delivery_id)
        return None
    code = None
    try:
        if delivery.channel == NotificationChannel.WEBHOOK:
            code = _send_webhook(delivery)
        else:
            _send_email(delivery)
    except webhooks.DeliveryError as exc:
        reason = scrub(exc.message)
        if exc.retryable and not last_try:
            _record(delivery, response_code=exc.status_code, last_error=reason)
            raise RetryLater(reason) from exc
        logger.info("delivery %s failed: %s", delivery_id, reason)
        _record(delivery, status=DeliveryStatus.FAILED, response_code=exc.status_code, last_error=reason)
        return delivery
    _record(delivery, status=DeliveryStatus.DELIVERED, response_code=code, last_error="",
            delivered_at=timezone.now())
    return delivery
