"""API viewsets for organizations, API tokens and the audit trail.

Tokens and audit events (like members and invitations, whose API is
``cameras.grants.api``: they name sites and cameras) are organization-wide
admin material: they are read with ``manage`` (owners, admins, admin
tokens), not merely ``view``. Every write goes through ``accounts.services``.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import services
from accounts.models import APIToken, AuditEvent, Organization
from accounts.roles import Action
from accounts.scoped_api import ScopedViewSet
from accounts.scoping import ScopedQuerySet, grants_for
from accounts.serializers import (
    APITokenCreatedSerializer,
    APITokenSerializer,
    AuditEventSerializer,
    OrganizationSerializer,
)
from portal.api_base import DateTimeRangeFilter, IdFilter, errors

MANAGERS_ONLY = "Only owners and admins of the organization can see or change this."


@extend_schema_view(
    list=extend_schema(
        summary="List your organizations",
        description="Organizations you belong to, with your role.",
        responses={200: OrganizationSerializer, **errors()},
    ),
    retrieve=extend_schema(
        summary="Get an organization",
        description="One organization you belong to.",
        responses={200: OrganizationSerializer, **errors(404)},
    ),
)
@extend_schema(tags=["organizations"])
class OrganizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = Organization.objects.none()
    serializer_class = OrganizationSerializer
    search_fields = ["name"]
    ordering_fields = ["name"]

    def get_serializer_context(self) -> dict:
        roles = {grant.organization_id: grant.role for grant in grants_for(self.request.user)}
        return {**super().get_serializer_context(), "roles": roles}


class APITokenFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")
    active = django_filters.BooleanFilter(field_name="revoked_at", lookup_expr="isnull", help_text="Not revoked.")

    class Meta:
        model = APIToken
        fields = ["organization", "role", "active"]


@extend_schema_view(
    list=extend_schema(
        summary="List API tokens",
        description="Tokens of the organizations you manage. Keys are never shown again after creation.",
        responses={200: APITokenSerializer, **errors()},
    ),
    retrieve=extend_schema(
        summary="Get an API token",
        description="One token, without its key.",
        responses={200: APITokenSerializer, **errors(404)},
    ),
    create=extend_schema(
        summary="Create an API token",
        description="Create a token for an organization you manage. "
        "The response carries the key **once**; only a hash is stored. Tokens cannot create tokens.",
        request=APITokenSerializer,
        responses={201: APITokenCreatedSerializer, **errors(400)},
    ),
    destroy=extend_schema(
        summary="Revoke an API token",
        description="Revoke a token at once (it is kept, marked revoked, for the audit trail).",
        responses={204: None, **errors(404)},
    ),
    revoke=extend_schema(
        summary="Revoke an API token",
        description="Same as DELETE, returning the revoked token.",
        request=None,
        responses={200: APITokenSerializer, **errors(404)},
    ),
)
@extend_schema(tags=["tokens"])
class APITokenViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, ScopedViewSet
):
    queryset = APIToken.objects.none()
    serializer_class = APITokenSerializer
    read_action = Action.MANAGE
    denied_message = MANAGERS_ONLY
    filterset_class = APITokenFilter
    search_fields = ["name", "prefix"]
    ordering_fields = ["created_at", "last_used_at", "name"]

    def base_queryset(self) -> ScopedQuerySet:
        return APIToken.objects.select_related("created_by")

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, key = services.create_token(
            request.user, data["organization"], name=data["name"], role=data["role"], ip=self.ip
        )
        token.key = key  # type: ignore[attr-defined]
        body = APITokenCreatedSerializer(token, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance: APIToken) -> None:
        services.revoke_token(self.request.user, instance, ip=self.ip)

    @action(detail=True, methods=["post"])
    def revoke(self, request: Request, pk: str | None = None) -> Response:
        token = services.revoke_token(request.user, self.get_object(), ip=self.ip)
        return Response(self.get_serializer(token).data)


class AuditEventFilter(django_filters.FilterSet):
    created_at = DateTimeRangeFilter(
        help_text="Use created_at_after and/or created_at_before (ISO 8601)."
    )
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")
    actor = IdFilter(field_name="actor_id", help_text="User id of the person who acted.")
    target_type = django_filters.CharFilter(help_text="e.g. camera, site, user, apitoken.")

    class Meta:
        model = AuditEvent
        fields = ["organization", "action", "actor", "target_type", "target_id", "created_at"]


@extend_schema_view(
    list=extend_schema(
        summary="List audit events",
        description="Who did what, newest first, in the organizations "
        "you manage. Filter by action, actor (user id), target type and time range.",
        responses={200: AuditEventSerializer, **errors(400)},
    ),
    retrieve=extend_schema(
        summary="Get an audit event",
        description="One audit event.",
        responses={200: AuditEventSerializer, **errors(404)},
    ),
)
@extend_schema(tags=["audit"])
class AuditEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    queryset = AuditEvent.objects.none()
    serializer_class = AuditEventSerializer
    read_action = Action.MANAGE
    denied_message = MANAGERS_ONLY
    filterset_class = AuditEventFilter
    search_fields = ["actor_label", "target_label"]
    ordering_fields = ["created_at"]
