"""API shapes of organizations, API tokens and audit events (members and invitations: ``cameras.grants``)."""

from __future__ import annotations

from rest_framework import serializers

from accounts.models import APIToken, AuditEvent, Organization
from accounts.roles import TOKEN_ROLES
from accounts.scoped_api import ScopedPrimaryKeyField

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


class APITokenSerializer(serializers.ModelSerializer):
    organization = ScopedPrimaryKeyField(Organization, noun="organization")
    role = serializers.ChoiceField(choices=TOKEN_ROLE_CHOICES)
    created_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
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
