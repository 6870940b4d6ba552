"""Where alerts go besides the dashboard: email and signed webhooks.

Alerts are motion alerts, and notices about recording (``footage.Notice``:
a camera stopped recording, footage storage nearly full); each rule says
which of these ``event_types`` it wants.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from accounts.callers import Visitor, person_of
from accounts.roles import Action
from accounts.scoping import Scope, ScopedQuerySet, is_signed_in, organization_ids_for
from portal.fields import EncryptedTextField
from recordings.footage.notice_kinds import NoticeKind


class NotificationChannel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"


class NotificationEvent(models.TextChoices):
    """What a rule can send; the value is the webhook's ``X-CCTV-Event``."""

    MOTION_ALERT = "motion.alert", "Motion alerts"
    RECORDING_STOPPED = NoticeKind.RECORDING_STOPPED.value, NoticeKind.RECORDING_STOPPED.label
    STORAGE_QUOTA = NoticeKind.STORAGE_QUOTA.value, NoticeKind.STORAGE_QUOTA.label


def default_event_types() -> list[str]:
    """Rules made before event types existed, and those made without naming any, send motion alerts."""
    return [NotificationEvent.MOTION_ALERT.value]


class WebhookEndpoint(models.Model):
    """An organization's HTTPS receiver for alerts; bodies are signed with its secret (HMAC-SHA256)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="webhooks")
    name = models.CharField(max_length=120)
    url = models.URLField(max_length=500)
    secret = EncryptedTextField(help_text="Signing secret; shown once when the endpoint is created.")
    enabled = models.BooleanField(default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="organization")

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unique_webhook_name_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class NotificationRuleQuerySet(ScopedQuerySet):
    def visible_to(self, user: Visitor) -> NotificationRuleQuerySet:
        """Rules a user may see and change, whatever the HTTP method.

        Personal rules are their owner's alone, in organizations the owner
        still belongs to (admins do not read other people's rules).
        Organization rules need ``manage`` on the whole organization (the
        gate's ``for_user``). API tokens own no personal rules.
        """
        if not is_signed_in(user):
            return self.none()
        shared = self.for_user(user, Action.MANAGE).filter(user__isnull=True)
        if person_of(user) is None:
            return shared
        own = self.filter(user_id=user.pk, organization_id__in=organization_ids_for(user, Action.VIEW))
        return shared | own


class NotificationRule(models.Model):
    """Which alerts go where, and when.

    A personal rule (``user`` set) emails that user about cameras they may
    view. An organization rule (``user`` empty, made by an admin) sends to a
    webhook endpoint or to ``email_to``. Empty ``sites`` and ``cameras`` mean
    every camera; ``schedule`` uses the same windows as motion settings, in
    each camera's site time zone, and empty means always.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="notification_rules"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="notification_rules"
    )
    name = models.CharField(max_length=120)
    channel = models.CharField(max_length=16, choices=NotificationChannel.choices)
    webhook = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.CASCADE, related_name="rules"
    )
    email_to = models.EmailField(blank=True, help_text="For organization email rules: the address to write to.")
    sites = models.ManyToManyField("cameras.Site", blank=True, related_name="+")
    cameras = models.ManyToManyField("cameras.Camera", blank=True, related_name="+")
    schedule = models.JSONField(default=list, blank=True)
    event_types = models.JSONField(default=default_event_types, blank=True,
                                   help_text="What the rule sends: a list of NotificationEvent values.")
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = NotificationRuleQuerySet.as_manager()
    scope = Scope(organization="organization")

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(channel=NotificationChannel.WEBHOOK) | Q(webhook__isnull=False, user__isnull=True),
                name="webhook_rule_has_endpoint",
            ),
            models.CheckConstraint(
                condition=~Q(channel=NotificationChannel.EMAIL) | Q(user__isnull=False) | ~Q(email_to=""),
                name="email_rule_has_recipient",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_personal(self) -> bool:
        return self.user_id is not None


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DELIVERED = "delivered", "Delivered"
    FAILED = "failed", "Failed"


class NotificationDelivery(models.Model):
    """One attempt series to deliver one alert, notice or test to one target: the delivery log."""

    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    event = models.ForeignKey(
        "recordings.MotionEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    notice = models.ForeignKey("footage.Notice", null=True, blank=True, on_delete=models.CASCADE,
                               related_name="deliveries")
    rule = models.ForeignKey(NotificationRule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    webhook = models.ForeignKey(
        WebhookEndpoint, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    channel = models.CharField(max_length=16, choices=NotificationChannel.choices)
    recipient = models.CharField(max_length=500, help_text="Email address or webhook URL.")
    is_test = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    response_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="organization")

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "notification deliveries"
        indexes = [models.Index(fields=["organization", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "rule"], condition=Q(event__isnull=False, rule__isnull=False),
                name="one_delivery_per_event_and_rule",
            ),
            models.UniqueConstraint(
                fields=["notice", "channel", "recipient"], condition=Q(notice__isnull=False),
                name="one_delivery_per_notice_and_recipient",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} to {self.recipient}: {self.status}"
