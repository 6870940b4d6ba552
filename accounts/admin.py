"""Admin for people, organizations, memberships, API tokens and the audit trail.

Organization admins reach their own rows only (``accounts.admin_base``);
people themselves are managed by superusers, organization admins manage
access through memberships. Every write goes through ``accounts.services``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth.forms import AdminUserCreationForm
from django.db.models import Count, QuerySet
from django.http import HttpRequest
from django.utils.functional import lazy

from accounts import invitations, services
from accounts.admin_base import ServiceForm, SuperuserOnlyAdmin, TenantScopedAdmin
from accounts.forms import choices_of, offer_choices
from accounts.models import APIToken, AuditEvent, Invitation, Membership, Organization, User

# Lazy: read when a page is drawn, so the configured name (CCTV_PORTAL_NAME) is the one shown.
admin.site.site_header = lazy(lambda: f"{settings.CCTV_PORTAL_NAME} administration", str)()
admin.site.site_title = lazy(lambda: f"{settings.CCTV_PORTAL_NAME} admin", str)()

TIMESTAMPS = ("created_at", "updated_at")


class UserCreationForm(AdminUserCreationForm):
    """People sign in with their e-mail address; the username is set to it."""

    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"].strip())
        if User.objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("Someone already uses this e-mail address.")
        return email

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        self.instance.username = cleaned.get("email", "")
        return cleaned


@admin.register(User)
class UserAdmin(SuperuserOnlyAdmin, auth_admin.UserAdmin):
    add_form = UserCreationForm
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "usable_password", "password1", "password2")}),
    )
    list_display = ("email", "first_name", "last_name", "is_staff", "is_superuser", "is_active", "last_login")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "username", "first_name", "last_name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")


@admin.register(Organization)
class OrganizationAdmin(TenantScopedAdmin):
    list_display = ("name", "require_mfa", "member_count", "site_count", "created_at")
    list_filter = ("require_mfa",)
    search_fields = ("name",)
    ordering = ("name",)
    fields = ("name", "require_mfa", *TIMESTAMPS)
    readonly_fields = TIMESTAMPS

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(
            member_total=Count("memberships", distinct=True), site_total=Count("sites", distinct=True)
        )

    @admin.display(description="members", ordering="member_total")
    def member_count(self, organization: Organization) -> int:
        return organization.member_total  # type: ignore[attr-defined]

    @admin.display(description="sites", ordering="site_total")
    def site_count(self, organization: Organization) -> int:
        return organization.site_total  # type: ignore[attr-defined]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return super().has_add_permission(request) and request.user.is_superuser

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Deleting a tenant takes its cameras and its audit trail with it:
        # that is a deliberate operation for the shell, not a button.
        return False

    def save_through_service(self, request: HttpRequest, form: ServiceForm, change: bool) -> Organization:
        fields = {"name": form.cleaned_data["name"], "require_mfa": form.cleaned_data["require_mfa"]}
        if change:
            return services.update_organization(request.user, form.instance, ip=self.ip(request), **fields)
        return services.create_organization(request.user, ip=self.ip(request), **fields)


class MembershipForm(ServiceForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # Limits name sites and cameras of the member's own organization.
            organization_id = self.instance.organization_id
            offer_choices(self, "sites", choices_of(self, "sites").filter(organization_id=organization_id))
            offer_choices(self, "cameras", choices_of(self, "cameras").filter(site__organization_id=organization_id))


@admin.register(Membership)
class MembershipAdmin(TenantScopedAdmin):
    form = MembershipForm
    list_display = ("user", "organization", "role", "limits", "created_at")
    list_filter = (("organization", admin.RelatedOnlyFieldListFilter), "role")
    list_select_related = ("user", "organization")
    search_fields = ("user__email", "user__first_name", "user__last_name", "organization__name")
    ordering = ("organization__name", "user__email")
    autocomplete_fields = ("sites", "cameras")

    fields = ("user", "organization", "role", "sites", "cameras", *TIMESTAMPS)
    readonly_fields = ("user", "organization", *TIMESTAMPS)

    def has_add_permission(self, request: HttpRequest) -> bool:
        # People join by accepting an invitation (see InvitationAdmin).
        return False

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(
            site_total=Count("sites", distinct=True), camera_total=Count("cameras", distinct=True)
        )

    @admin.display(description="limited to")
    def limits(self, membership: Membership) -> str:
        sites, cameras = membership.site_total, membership.camera_total  # type: ignore[attr-defined]
        if not sites and not cameras:
            return "whole organization"
        return f"{sites} site(s), {cameras} camera(s)"

    def save_through_service(self, request: HttpRequest, form: ServiceForm, change: bool) -> Membership:
        data = form.cleaned_data
        access = {"role": data["role"], "sites": data["sites"], "cameras": data["cameras"], "ip": self.ip(request)}
        return services.change_member(request.user, form.instance, **access)

    def delete_through_service(self, request: HttpRequest, obj: Membership) -> None:
        services.remove_member(request.user, obj, ip=self.ip(request))


@admin.register(Invitation)
class InvitationAdmin(TenantScopedAdmin):
    """Invite people here (they become members when they accept) and withdraw pending invitations."""

    list_display = ("email", "organization", "role", "status", "invited_by", "created_at", "expires_at")
    list_filter = (("organization", admin.RelatedOnlyFieldListFilter), "role")
    list_select_related = ("organization", "invited_by")
    search_fields = ("email", "organization__name")
    ordering = ("-created_at",)
    autocomplete_fields = ("sites", "cameras")
    actions = ["withdraw_invitations"]

    def get_fields(self, request: HttpRequest, obj: Invitation | None = None) -> tuple[str, ...]:
        if obj is None:
            return ("email", "organization", "role", "sites", "cameras")
        return ("email", "organization", "role", "sites", "cameras", "status", "invited_by", "invited_by_token",
                "created_at", "expires_at", "accepted_at", "declined_at", "revoked_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Invitation | None = None) -> tuple[str, ...]:
        return () if obj is None else self.get_fields(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_withdraw_permission(self, request: HttpRequest) -> bool:
        return self.has_manage_grant(request)

    def save_through_service(self, request: HttpRequest, form: ServiceForm, change: bool) -> Invitation:
        data = form.cleaned_data
        return invitations.invite_member(
            request.user, data["organization"], email=data["email"], role=data["role"], sites=data["sites"],
            cameras=data["cameras"], ip=self.ip(request),
        )  # fmt: skip

    @admin.action(description="Withdraw selected invitations", permissions=["withdraw"])
    def withdraw_invitations(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        for invitation in queryset:
            invitations.withdraw_invitation(request.user, invitation, ip=self.ip(request))
        self.message_user(request, "Withdrew the selected invitations that were still pending.", messages.SUCCESS)


@admin.register(APIToken)
class APITokenAdmin(TenantScopedAdmin):
    """Tokens are listed and revoked here; they are created in the portal or the API,
    where the key can be shown once. The key is never stored, so never shown."""

    list_display = ("name", "prefix", "organization", "role", "is_active", "created_by", "created_at",
                    "last_used_at", "revoked_at")
    list_filter = (
        ("organization", admin.RelatedOnlyFieldListFilter),
        "role",
        ("revoked_at", admin.EmptyFieldListFilter),
    )
    list_select_related = ("organization", "created_by")
    search_fields = ("name", "prefix", "organization__name")
    ordering = ("-created_at",)
    fields = ("name", "prefix", "organization", "role", "created_by", "last_used_at", "revoked_at", *TIMESTAMPS)
    readonly_fields = fields
    actions = ["revoke_tokens"]

    @admin.display(boolean=True, description="active")
    def is_active(self, token: APIToken) -> bool:
        return token.is_active

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        return self.has_manage_grant(request)

    @admin.action(description="Revoke selected API tokens", permissions=["revoke"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[APIToken]) -> None:
        active = [token for token in queryset if token.is_active]
        for token in active:
            services.revoke_token(request.user, token, ip=self.ip(request))
        self.message_user(request, f"Revoked {len(active)} API token(s).", messages.SUCCESS)


@admin.register(AuditEvent)
class AuditEventAdmin(TenantScopedAdmin):
    """The audit trail, read-only: nobody adds, edits or deletes events here."""

    list_display = ("created_at", "organization", "actor_label", "action", "target_type", "target_label",
                    "ip_address")
    list_filter = (("organization", admin.RelatedOnlyFieldListFilter), "action", "target_type")
    list_select_related = ("organization",)
    search_fields = ("actor_label", "action", "target_label", "target_id", "ip_address")
    date_hierarchy = "created_at"
    ordering = ("-created_at", "-pk")
    fields = ("created_at", "organization", "actor_label", "action", "target_type", "target_id", "target_label",
              "ip_address", "detail")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
