"""API shapes of organizations, members, API tokens and audit events."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import APIToken, AuditEvent, Invitation, Membership, Organization
from accounts.roles import TOKEN_ROLES, Role
from cameras.models import Camera, Site
from portal.api_base import ScopedPrimaryKeyField, ScopedPublicIdField

# Named in SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] (the schema's TokenRoleEnum, InvitationStatusEnum).
TOKEN_ROLE_CHOICES = [(role.value, role.label) for role in TOKEN_ROLES]
INVITATION_STATUS_CHOICES = ["pending", "accepted", "declined", "withdrawn", "expired"]


class OrganizationSerializer(serializers.ModelSerializer):
    role = serializers.SerializerMethodField(help_text="Your role here (empty for a platform superuser).")

    class Meta:
        model = Organization
        fields = ["id", "name", "require_mfa", "role"]

    def get_role(self, organization: Organization) -> str:
        return self.context.get("roles", {}).get(organization.pk, "")


class MembershipSerializer(serializers.ModelSerializer):
    organization = ScopedPrimaryKeyField(Organization, noun="organization", help_text="Set on creation only.")
    email = serializers.EmailField(source="user.email", help_text="Set on creation only.")
    name = serializers.CharField(source="user.get_full_name", read_only=True)
    role = serializers.ChoiceField(choices=Role.choices)
    sites = ScopedPublicIdField(
        Site, noun="site", many=True, required=False, help_text="Limit an operator or viewer to these sites (ids)."
    )
    cameras = ScopedPublicIdField(
        Camera,
        noun="camera",
        many=True,
        required=False,
        help_text="Limit an operator or viewer to these cameras (ids).",
    )

    class Meta:
        model = Membership
        fields = ["id", "organization", "email", "name", "role", "sites", "cameras", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            self.fields["organization"].read_only = True
            self.fields["email"].read_only = True

    def get_validators(self) -> list:
        # One membership per person: checked by the service, with a readable message.
        return []


class InvitationSerializer(serializers.ModelSerializer):
    """An invitation to a role; the same shape whether or not the address has an account."""

    id = serializers.UUIDField(source="public_id", read_only=True)
    organization = ScopedPrimaryKeyField(Organization, noun="organization")
    role = serializers.ChoiceField(choices=Role.choices)
    sites = ScopedPublicIdField(
        Site, noun="site", many=True, required=False, help_text="Limit an operator or viewer to these sites (ids)."
    )
    cameras = ScopedPublicIdField(
        Camera, noun="camera", many=True, required=False,
        help_text="Limit an operator or viewer to these cameras (ids).",
    )
    status = serializers.ChoiceField(
        choices=INVITATION_STATUS_CHOICES, read_only=True,
        help_text="The person becomes a member when they accept.",
    )
    invited_by = serializers.SlugRelatedField(
        slug_field="email", read_only=True, allow_null=True,
        help_text="Who sent it; null when an API token sent it or their account is gone.",
    )

    class Meta:
        model = Invitation
        fields = ["id", "organization", "email", "role", "sites", "cameras", "status", "invited_by", "created_at",
                  "expires_at"]
        read_only_fields = ["created_at", "expires_at"]


class APITokenSerializer(serializers.ModelSerializer):
    organization = ScopedPrimaryKeyField(Organization, noun="organization")
    role = serializers.ChoiceField(choices=TOKEN_ROLE_CHOICES)
    created_by = serializers.SlugRelatedField(
        slug_field="email", read_only=True, allow_null=True, help_text="Who made it; null once their account is gone."
    )

    class Meta:
        model = APIToken
        fields = [
            "id",
            "organization",
            "name",
            "role",
            "prefix",
            "is_active",
            "created_by",
            "created_at",
            "last_used_at",
            "revoked_at",
        ]
        read_only_fields = ["prefix", "created_at", "last_used_at", "revoked_at"]


class APITokenCreatedSerializer(APITokenSerializer):
    key = serializers.CharField(read_only=True, help_text="The secret key. Shown this once; store it now.")

    class Meta(APITokenSerializer.Meta):
        fields = [*APITokenSerializer.Meta.fields, "key"]


class AuditEventSerializer(serializers.ModelSerializer):
    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "organization",
            "created_at",
            "actor",
            "actor_label",
            "action",
            "target_type",
            "target_id",
            "target_label",
            "ip_address",
            "detail",
        ]
        read_only_fields = fields
