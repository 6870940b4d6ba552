"""API shapes of webhook endpoints, notification rules and the delivery log.

Secrets are in no shape but ``WebhookSecretSerializer``, which only the
create and rotate responses use. Related objects travel as their ids; the
services resolve them through the access gate.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from portal.api_base import id_field
from recordings import schedules
from recordings.models import (
    NotificationChannel,
    NotificationDelivery,
    NotificationEvent,
    NotificationRule,
    WebhookEndpoint,
)


@extend_schema_field(OpenApiTypes.UUID)
class PublicIdField(serializers.UUIDField):
    """A related object shown as its ``public_id``; written as a bare id the service resolves."""

    def to_representation(self, value: Any) -> str | None:
        return str(value.public_id) if value is not None else None


class PublicIdListField(serializers.ListField):
    """Related objects (a many-to-many manager) shown and written as a list of ids."""

    child = serializers.UUIDField()

    def to_representation(self, data: Any) -> list[str]:
        items = data.all() if isinstance(data, models.Manager) else data
        return [str(getattr(item, "public_id", item)) for item in items]


class WebhookSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organization = id_field(source="organization_id", help_text="Organization id; set on creation.")
    url = serializers.CharField(
        max_length=500,
        help_text="http(s) URL of the receiver; must resolve to a public address. No user:password@.",
    )
    created_by = serializers.SlugRelatedField(
        slug_field="email", read_only=True, allow_null=True, help_text="Who added it; null once their account is gone."
    )

    class Meta:
        model = WebhookEndpoint
        fields = ["id", "organization", "name", "url", "enabled", "created_by", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["organization"].read_only = True

    def get_validators(self) -> list:
        return []  # one name per organization: checked by the service, with a readable message


class WebhookSecretSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text="The signing secret (HMAC-SHA256). Shown in this response only; store it now.",
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class NotificationRuleSerializer(serializers.ModelSerializer):
    id = serializers.UUIDField(source="public_id", read_only=True)
    organization = id_field(source="organization_id", help_text="Organization id; set on creation.")
    personal = serializers.BooleanField(
        source="is_personal", default=True,
        help_text="Set on creation. A personal rule e-mails you about cameras you can view; an organization "
        "rule (owners and admins) sends to a webhook endpoint or to `email_to`.",
    )
    channel = serializers.ChoiceField(choices=NotificationChannel.choices, default=NotificationChannel.EMAIL)
    webhook = PublicIdField(
        required=False, allow_null=True, help_text="Endpoint id, for organization rules with channel webhook."
    )
    email_to = serializers.EmailField(required=False, allow_blank=True,
                                      help_text="For organization e-mail rules: the address to write to.")
    sites = PublicIdListField(required=False, help_text="Only cameras of these sites (ids); empty: all.")
    cameras = PublicIdListField(required=False, help_text="And these cameras (ids); with sites empty too: all.")
    schedule = serializers.JSONField(
        required=False,
        help_text='When the rule is active, in each camera\'s site time zone: a list of {"days": [0-6, Monday '
        'is 0], "start": "HH:MM", "end": "HH:MM"}; an end before the start runs past midnight. Empty: always.',
    )
    schedule_description = serializers.SerializerMethodField()
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=NotificationEvent.choices), required=False, allow_empty=False,
        help_text="What the rule sends (the webhook's `X-CCTV-Event`): `motion.alert`, `recording.stopped` (a "
        "camera recorded nothing for a while), `storage.quota` (footage passed 90 % of the organization's quota; "
        "sites, cameras and schedule do not apply). Default `[\"motion.alert\"]`.",
    )

    class Meta:
        model = NotificationRule
        fields = [
            "id", "organization", "personal", "name", "event_types", "channel", "webhook", "email_to", "sites",
            "cameras", "schedule", "schedule_description", "enabled", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["organization"].read_only = True
            self.fields["personal"].read_only = True

    def get_schedule_description(self, rule: NotificationRule) -> str:
        return schedules.describe(rule.schedule or [])

    def get_validators(self) -> list:
        return []  # the model's check constraints are the service's checks, with readable messages


class NotificationDeliverySerializer(serializers.ModelSerializer):
    event = PublicIdField(read_only=True, allow_null=True,
                          help_text="The motion event's id; null for tests and notices.")
    notice = PublicIdField(read_only=True, allow_null=True,
                           help_text="The recording notice's id (recording stopped, storage); null otherwise.")
    event_type = serializers.SerializerMethodField(help_text="`motion.alert`, `recording.stopped`, "
                                                   "`storage.quota` or `webhook.test`.")
    rule = PublicIdField(read_only=True, allow_null=True,
                         help_text="The rule's id; null for tests or once the rule was deleted.")
    webhook = PublicIdField(read_only=True, allow_null=True,
                            help_text="The endpoint's id; null for e-mail deliveries or once the endpoint was deleted.")
    last_error = serializers.CharField(read_only=True, help_text="Why the last attempt failed.")

    class Meta:
        model = NotificationDelivery
        fields = [
            "id", "organization", "event_type", "event", "notice", "rule", "webhook", "channel", "recipient",
            "is_test", "status", "attempts", "response_code", "last_error", "created_at", "delivered_at",
            "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_event_type(self, delivery: NotificationDelivery) -> str:
        if delivery.is_test:
            return "webhook.test"
        return delivery.notice.kind if delivery.notice is not None else NotificationEvent.MOTION_ALERT
