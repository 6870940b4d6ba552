"""API viewsets for organizations, members, invitations, API tokens and the audit trail.

Members, invitations, tokens and audit events are organization-wide admin
material: they are read with ``manage`` (owners, admins, admin tokens), not
merely ``view``. Every write goes through ``accounts.services`` or
``accounts.invitations``.

Adding a member sends an invitation (``POST /members/`` answers 202 with it,
``POST /invitations/`` 201): the person becomes a member when they accept,
and no answer depends on whether the address already has an account.
"""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import invitations, services
from accounts.models import APIToken, AuditEvent, Invitation, Membership, Organization
from accounts.roles import RESTRICTABLE_ROLES, Action
from accounts.scoping import grants_for
from accounts.serializers import (
    APITokenCreatedSerializer,
    APITokenSerializer,
    AuditEventSerializer,
    InvitationSerializer,
    MembershipSerializer,
    OrganizationSerializer,
)
from portal.api_base import CRUD_MIXINS, PUBLIC_ID_PARAMETER, DateTimeRangeFilter, IdFilter, ScopedViewSet, errors

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


class MembershipFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")

    class Meta:
        model = Membership
        fields = ["organization", "role"]


@extend_schema_view(
    list=extend_schema(
        summary="List members",
        description="Members of the organizations you manage.",
        responses={200: MembershipSerializer, **errors()},
    ),
    retrieve=extend_schema(
        summary="Get a member",
        description="One member of an organization you manage.",
        responses={200: MembershipSerializer, **errors(404)},
    ),
    create=extend_schema(
        summary="Invite a member",
        description="Invite a person (by e-mail) to a role in an organization you manage. They get an "
        "invitation e-mail and become a member when they accept it, so the answer is **202** with the "
        "invitation (see `/invitations/`), not a member. Since 1.1; before, this answered 201 with a member "
        "and enrolled existing accounts at once. The answer is the same whether or not the address has an "
        "account. Only owners invite owners.",
        request=MembershipSerializer,
        responses={202: InvitationSerializer, **errors(400, 409)},
    ),
    update=extend_schema(
        summary="Replace a member's role",
        description="Set the role and site/camera limits; limits not given are cleared.",
        responses={200: MembershipSerializer, **errors(400, 404)},
    ),
    partial_update=extend_schema(
        summary="Change a member's role",
        description="Change the role or the limits; limits are kept for operators and viewers unless given.",
        responses={200: MembershipSerializer, **errors(400, 404)},
    ),
    destroy=extend_schema(
        summary="Remove a member",
        description="Take a person out of the organization (the last owner cannot be removed).",
        responses={204: None, **errors(400, 404)},
    ),
)
@extend_schema(tags=["members"])
class MemberViewSet(*CRUD_MIXINS, ScopedViewSet):
    queryset = Membership.objects.none()
    serializer_class = MembershipSerializer
    read_action = Action.MANAGE
    denied_message = MANAGERS_ONLY
    filterset_class = MembershipFilter
    search_fields = ["user__email"]
    ordering_fields = ["created_at", "role"]

    def base_queryset(self) -> QuerySet:
        return Membership.objects.select_related("user", "organization").prefetch_related("sites", "cameras")

    def create(self, request: Request, *args: object, **kwargs: object) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        invitation = invitations.invite_member(
            request.user, data["organization"], email=data["user"]["email"], role=data["role"],
            sites=data.get("sites", []), cameras=data.get("cameras", []), ip=self.ip,
        )  # fmt: skip
        body = InvitationSerializer(invitation, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_202_ACCEPTED)

    def perform_update(self, serializer: MembershipSerializer) -> None:
        membership, data = serializer.instance, serializer.validated_data
        role = data.get("role", membership.role)
        # PATCH keeps limits it does not mention, unless the new role cannot carry them; PUT replaces them.
        keep = serializer.partial and role in RESTRICTABLE_ROLES
        sites = data.get("sites", list(membership.sites.all()) if keep else [])
        cameras = data.get("cameras", list(membership.cameras.all()) if keep else [])
        services.change_member(self.request.user, membership, role=role, sites=sites, cameras=cameras, ip=self.ip)
        serializer.instance = self.refetch(membership)

    def perform_destroy(self, instance: Membership) -> None:
        services.remove_member(self.request.user, instance, ip=self.ip)


class InvitationFilter(django_filters.FilterSet):
    organization = IdFilter(field_name="organization_id", help_text="Organization id.")
    pending = django_filters.BooleanFilter(method="filter_pending", help_text="Still waiting for an answer.")

    class Meta:
        model = Invitation
        fields = ["organization", "role", "pending"]

    def filter_pending(self, queryset: QuerySet, name: str, value: bool) -> QuerySet:
        pending = Invitation.objects.pending().values("pk")
        return queryset.filter(pk__in=pending) if value else queryset.exclude(pk__in=pending)


@extend_schema_view(
    list=extend_schema(
        summary="List invitations",
        description="Invitations of the organizations you manage, newest first (`pending=true` for those "
        "still waiting for an answer).",
        responses={200: InvitationSerializer, **errors()},
    ),
    retrieve=extend_schema(
        summary="Get an invitation",
        description="One invitation, with its status.",
        parameters=[PUBLIC_ID_PARAMETER],
        responses={200: InvitationSerializer, **errors(404)},
    ),
    create=extend_schema(
        summary="Invite a member",
        description="Same as `POST /members/`, answering 201 with the invitation. The person gets an e-mail "
        "and becomes a member when they accept; a pending invitation to the same address is replaced.",
        responses={201: InvitationSerializer, **errors(400)},
    ),
    destroy=extend_schema(
        summary="Withdraw an invitation",
        description="The link stops working at once (the invitation is kept, marked withdrawn).",
        parameters=[PUBLIC_ID_PARAMETER],
        responses={204: None, **errors(404)},
    ),
)
@extend_schema(tags=["members"])
class InvitationViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.DestroyModelMixin, ScopedViewSet
):
    queryset = Invitation.objects.none()
    serializer_class = InvitationSerializer
    read_action = Action.MANAGE
    denied_message = MANAGERS_ONLY
    filterset_class = InvitationFilter
    lookup_field = "public_id"
    lookup_url_kwarg = "id"
    lookup_value_regex = "[^/]+"
    search_fields = ["email"]
    ordering_fields = ["created_at", "expires_at"]

    def base_queryset(self) -> QuerySet:
        return Invitation.objects.select_related("invited_by").prefetch_related("sites", "cameras")

    def perform_create(self, serializer: InvitationSerializer) -> None:
        data = serializer.validated_data
        serializer.instance = invitations.invite_member(
            self.request.user, data["organization"], email=data["email"], role=data["role"],
            sites=data.get("sites", []), cameras=data.get("cameras", []), ip=self.ip,
        )  # fmt: skip

    def perform_destroy(self, instance: Invitation) -> None:
        invitations.withdraw_invitation(self.request.user, instance, ip=self.ip)


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

    def base_queryset(self) -> QuerySet:
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
