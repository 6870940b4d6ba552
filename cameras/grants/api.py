"""The members and invitations API: ``/members/`` and ``/invitations/`` (owners and admins)."""

from __future__ import annotations

import django_filters
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.request import Request
from rest_framework.response import Response

from accounts import invitations, services
from accounts.api import MANAGERS_ONLY
from accounts.models import Invitation, Membership
from accounts.roles import RESTRICTABLE_ROLES, Action
from accounts.scoped_api import ScopedViewSet
from cameras.grants.serializers import InvitationSerializer, MembershipSerializer
from portal.api_base import CRUD_MIXINS, PUBLIC_ID_PARAMETER, IdFilter, errors


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
