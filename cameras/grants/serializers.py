"""API shapes of members and invitations, with the sites and cameras they are limited to."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from accounts.models import Invitation, Membership, Organization
from accounts.roles import Role
from accounts.scoped_api import ScopedPrimaryKeyField, ScopedPublicIdField
from accounts.serializers import INVITATION_STATUS_CHOICES
from cameras.models import Camera, Site


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
    invited_by: serializers.SlugRelatedField = serializers.SlugRelatedField(
        slug_field="email", read_only=True, allow_null=True,
        help_text="Who sent it; null when an API token sent it or their account is gone.",
    )

    class Meta:
        model = Invitation
        fields = ["id", "organization", "email", "role", "sites", "cameras", "status", "invited_by", "created_at",
                  "expires_at"]
        read_only_fields = ["created_at", "expires_at"]
