"""API for notifications: webhook endpoints, notification rules and the delivery log.

Endpoints and the log are organization-wide admin material (``manage``);
a rule is its owner's (personal) or the admins' (organization). Every write
goes through ``recordings.notifications.rules``; the signing secret appears
only in the create and rotate-secret responses.
"""

from __future__ import annotations

from typing import Any

import django_filters
from django.db.models import QuerySet
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.roles import Action
from accounts.scoped_api import ScopedViewSet
from portal.api_base import CRUD_MIXINS, PUBLIC_ID_PARAMETER, IdFilter, errors
from recordings.models import DeliveryStatus, NotificationDelivery, NotificationRule, WebhookEndpoint
from recordings.models.notifications import default_event_types
from recordings.notifications import rules
from recordings.notifications.serializers import (
    NotificationDeliverySerializer,
    NotificationRuleSerializer,
    WebhookSecretSerializer,
    WebhookSerializer,
)

MANAGERS_ONLY = "Only owners and admins of the organization can see or change this."
SIGNING = (
    "Deliveries are JSON POSTs signed with the endpoint's secret: `X-CCTV-Signature: v1=<hex HMAC-SHA256(secret, "
    "\"<X-CCTV-Timestamp>.\" + body)>`; `X-CCTV-Event` is `motion.alert`, `recording.stopped`, `storage.quota` or "
    "`webhook.test` and `X-CCTV-Delivery` "
    "the delivery id (the same on retries)."
)


class WebhookFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")

    class Meta:
        model = WebhookEndpoint
        fields = ["organization", "enabled"]


@extend_schema_view(
    list=extend_schema(
        summary="List webhook endpoints",
        description="Endpoints of the organizations you manage, without their secrets.",
        responses={200: WebhookSerializer, **errors(400)},
    ),
    retrieve=extend_schema(
        summary="Get a webhook endpoint", description="One endpoint, without its secret.",
        parameters=[PUBLIC_ID_PARAMETER], responses={200: WebhookSerializer, **errors(404)},
    ),
    create=extend_schema(
        summary="Add a webhook endpoint",
        description="Add a receiver for motion alerts to an organization you manage. The response carries the "
        f"signing secret **once**. {SIGNING} The URL must be http(s) and resolve to a public address.",
        request=WebhookSerializer, responses={201: WebhookSecretSerializer, **errors(400, 404)},
    ),
    update=extend_schema(
        summary="Replace a webhook endpoint", description="Set the name, URL and whether it is enabled.",
        parameters=[PUBLIC_ID_PARAMETER], responses={200: WebhookSerializer, **errors(400, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a webhook endpoint", description="Change the name, the URL or whether it is enabled.",
        parameters=[PUBLIC_ID_PARAMETER], responses={200: WebhookSerializer, **errors(400, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a webhook endpoint",
        description="Delete the endpoint and the organization rules that send to it; the log keeps its rows.",
        parameters=[PUBLIC_ID_PARAMETER], responses={204: None, **errors(404)},
    ),
    test=extend_schema(
        summary="Send a test delivery",
        description="Queue a signed `webhook.test` POST to the endpoint; follow it in the delivery log.",
        request=None, parameters=[PUBLIC_ID_PARAMETER],
        responses={202: NotificationDeliverySerializer, **errors(400, 404)},
    ),
    rotate_secret=extend_schema(
        summary="Rotate the signing secret",
        description="Replace the secret at once (pending retries sign with the new one). The response carries "
        "it **once**.",
        request=None, parameters=[PUBLIC_ID_PARAMETER],
        responses={200: WebhookSecretSerializer, **errors(400, 404)},
    ),
)
@extend_schema(tags=["webhooks"])
class WebhookViewSet(*CRUD_MIXINS, ScopedViewSet):
    queryset = WebhookEndpoint.objects.none()
    serializer_class = WebhookSerializer
    read_action = Action.MANAGE
    denied_message = MANAGERS_ONLY
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    filterset_class = WebhookFilter
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]

    def base_queryset(self) -> QuerySet:
        return WebhookEndpoint.objects.select_related("created_by")

    def _secret_response(self, webhook: WebhookEndpoint, secret: str, code: int) -> Response:
        webhook.secret = secret
        return Response(WebhookSecretSerializer(webhook).data, status=code)

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        webhook, secret = rules.create_webhook(
            request.user, data["organization_id"], name=data["name"], url=data["url"],
            enabled=data.get("enabled", True), ip=self.ip,
        )  # fmt: skip
        return self._secret_response(webhook, secret, status.HTTP_201_CREATED)

    def perform_update(self, serializer: WebhookSerializer) -> None:
        changes = {field: serializer.validated_data[field] for field in ("name", "url", "enabled")
                   if field in serializer.validated_data}
        serializer.instance = rules.update_webhook(self.request.user, serializer.instance, ip=self.ip, **changes)

    def perform_destroy(self, instance: WebhookEndpoint) -> None:
        rules.delete_webhook(self.request.user, instance, ip=self.ip)

    @action(detail=True, methods=["post"])
    def test(self, request: Request, id: str | None = None) -> Response:
        delivery = rules.send_test(request.user, self.get_object(), ip=self.ip)
        return Response(NotificationDeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request: Request, id: str | None = None) -> Response:
        webhook, secret = rules.rotate_secret(request.user, self.get_object(), ip=self.ip)
        return self._secret_response(webhook, secret, status.HTTP_200_OK)


class NotificationRuleFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")
    personal = django_filters.BooleanFilter(method="filter_personal", help_text="Personal (true) or organization.")
    webhook = django_filters.UUIDFilter(field_name="webhook__public_id", help_text="Endpoint id.")

    class Meta:
        model = NotificationRule
        fields = ["organization", "personal", "channel", "webhook", "enabled"]

    def filter_personal(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        return queryset.filter(user__isnull=not value)


@extend_schema_view(
    list=extend_schema(
        summary="List notification rules",
        description="Your personal rules, and the organization rules of organizations you manage.",
        responses={200: NotificationRuleSerializer, **errors(400)},
    ),
    retrieve=extend_schema(
        summary="Get a notification rule", description="One of your rules, or an organization rule you manage.",
        parameters=[PUBLIC_ID_PARAMETER], responses={200: NotificationRuleSerializer, **errors(404)},
    ),
    create=extend_schema(
        summary="Add a notification rule",
        description="A personal rule (any member; API tokens cannot) e-mails you about alerts of cameras you can "
        "view. An organization rule (owners and admins) sends to a webhook endpoint or an e-mail address. "
        "Limit it to sites and cameras, and to a weekly schedule in each camera's site time zone.",
        responses={201: NotificationRuleSerializer, **errors(400, 404)},
    ),
    update=extend_schema(
        summary="Replace a notification rule", description="Set every field; sites and cameras not given are "
        "cleared.", parameters=[PUBLIC_ID_PARAMETER], responses={200: NotificationRuleSerializer, **errors(400, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a notification rule", description="Change the fields given.",
        parameters=[PUBLIC_ID_PARAMETER], responses={200: NotificationRuleSerializer, **errors(400, 404)},
    ),
    destroy=extend_schema(
        summary="Delete a notification rule", description="Delete the rule; its delivery log rows stay.",
        parameters=[PUBLIC_ID_PARAMETER], responses={204: None, **errors(404)},
    ),
)
@extend_schema(tags=["notification-rules"])
class NotificationRuleViewSet(*CRUD_MIXINS, ScopedViewSet):
    queryset = NotificationRule.objects.none()
    serializer_class = NotificationRuleSerializer
    # Any member may add a personal rule; the service asks manage for organization rules.
    write_action = Action.VIEW
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    filterset_class = NotificationRuleFilter
    search_fields = ["name"]
    ordering_fields = ["name", "created_at"]

    def scoped(self, action: str) -> QuerySet:
        # Rules have their own visibility (personal ones are their owner's alone), whatever the action.
        related = ("webhook", "organization", "user")
        rules = NotificationRule.objects.visible_to(self.request.user)
        return rules.select_related(*related).prefetch_related("sites", "cameras")

    def _values(self, data: dict[str, Any], *, replace: bool) -> dict[str, Any]:
        fields = ("name", "channel", "webhook", "email_to", "sites", "cameras", "schedule", "event_types", "enabled")
        values = {field: data[field] for field in fields if field in data}
        if replace:  # PUT: what is not given goes back to its default
            values = {"sites": [], "cameras": [], "schedule": [], "event_types": default_event_types(),
                      "enabled": True, **values}
        return values

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        rule = rules.create_rule(request.user, data["organization_id"], personal=data["is_personal"], ip=self.ip,
                                 **self._values(data, replace=False))
        return Response(self.get_serializer(self.refetch(rule)).data, status=status.HTTP_201_CREATED)

    def perform_update(self, serializer: NotificationRuleSerializer) -> None:
        values = self._values(serializer.validated_data, replace=not serializer.partial)
        rule = rules.update_rule(self.request.user, serializer.instance, ip=self.ip, **values)
        serializer.instance = self.refetch(rule)

    def perform_destroy(self, instance: NotificationRule) -> None:
        rules.delete_rule(self.request.user, instance, ip=self.ip)


class NotificationDeliveryFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")
    webhook = django_filters.UUIDFilter(field_name="webhook__public_id", help_text="Endpoint id.")
    event = django_filters.UUIDFilter(field_name="event__public_id", help_text="Motion event id.")
    notice = django_filters.UUIDFilter(field_name="notice__public_id", help_text="Recording notice id.")
    rule = django_filters.UUIDFilter(field_name="rule__public_id", help_text="Rule id.")
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)

    class Meta:
        model = NotificationDelivery
        fields = ["organization", "webhook", "event", "notice", "rule", "status", "channel", "is_test"]


DELIVERY_ID = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The delivery's id.")


@extend_schema_view(
    list=extend_schema(
        summary="List deliveries",
        description="The delivery log of the organizations you manage, newest first: each alert (or test) "
        "sent to each target, with its status, attempts, last HTTP code and last error.",
        responses={200: NotificationDeliverySerializer, **errors(400)},
    ),
    retrieve=extend_schema(
        summary="Get a delivery", description="One row of the delivery log.",
        parameters=[DELIVERY_ID], responses={200: NotificationDeliverySerializer, **errors(404)},
    ),
)
@extend_schema(tags=["notification-deliveries"])
class NotificationDeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = NotificationDelivery.objects.none()
    serializer_class = NotificationDeliverySerializer
    read_action = Action.MANAGE
    denied_message = MANAGERS_ONLY
    lookup_value_regex = "[0-9]+"
    filterset_class = NotificationDeliveryFilter
    ordering_fields = ["created_at", "updated_at"]

    def base_queryset(self) -> QuerySet:
        return NotificationDelivery.objects.select_related("event", "notice", "rule", "webhook")
