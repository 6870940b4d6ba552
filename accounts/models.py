"""Identity and tenancy: users, organizations, memberships, API tokens, audit."""

from __future__ import annotations

import hashlib
import uuid
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, UserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from accounts.roles import TOKEN_ROLES, Role
from accounts.scoping import Scope, ScopedQuerySet
from portal.models import TimeStampedModel


class PortalUserManager(UserManager["User"]):
    """Users sign in with their e-mail address; the username is derived from it."""

    def _create_user(self, username: str | None, email: str | None, password: str | None, **extra_fields: Any) -> User:
        email = self.normalize_email(email)
        # Django's private helper, absent from django-stubs.
        return super()._create_user(username or email, email, password, **extra_fields)  # type: ignore[misc]

    def create_user(  # type: ignore[override]
        self, email: str | None = None, password: str | None = None, username: str | None = None, **extra_fields: Any
    ) -> User:
        return super().create_user(username or email or "", email, password, **extra_fields)

    def create_superuser(  # type: ignore[override]
        self, email: str | None = None, password: str | None = None, username: str | None = None, **extra_fields: Any
    ) -> User:
        return super().create_superuser(username or email or "", email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in. E-mail is the login and must be unique."""

    email = models.EmailField("e-mail address", unique=True)

    objects: ClassVar[PortalUserManager] = PortalUserManager()

    REQUIRED_FIELDS = ["email"]

    def __str__(self) -> str:
        return self.email or self.username


class Organization(TimeStampedModel):
    """A tenant. Sites, cameras, members, tokens and audit events belong to one."""

    name = models.CharField(max_length=120, unique=True)
    require_mfa = models.BooleanField(
        "members must use MFA",
        default=False,
        help_text="Members without an authenticator app are sent to set one up before anything else.",
    )
    clip_retention_days = models.PositiveIntegerField(
        "keep clips for (days)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text="Exported clips are deleted, file and record, this many days after they were requested.",
    )
    clip_storage_quota_bytes = models.PositiveBigIntegerField(
        "clip storage cap (bytes)",
        null=True,
        blank=True,
        help_text="Requests for clips are refused once the organization's clips would take more; empty means no cap.",
    )

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="pk", limited_members_see_it=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """A user's role in one organization, optionally limited to some sites or cameras.

    With no site and no camera listed the member sees the whole organization.
    Owners and admins are never limited (see ``RESTRICTABLE_ROLES``).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    sites = models.ManyToManyField("cameras.Site", blank=True, related_name="+")
    cameras = models.ManyToManyField("cameras.Camera", blank=True, related_name="+")

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="organization")

    class Meta:
        ordering = ["organization__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization"], name="one_membership_per_org"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.organization} ({self.get_role_display()})"


def hash_token_key(key: str) -> str:
    # The key is 256 random bits, so a fast hash is as good as a slow one here.
    return hashlib.sha256(key.encode()).hexdigest()


class APITokenQuerySet(ScopedQuerySet):
    def active(self) -> APITokenQuerySet:
        return self.filter(revoked_at__isnull=True)


class APIToken(TimeStampedModel):
    """An integrator's key, scoped to one organization and a role.

    Only a SHA-256 of the key is stored; the key itself is shown once.
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    role = models.CharField(max_length=16, choices=[(r.value, r.label) for r in TOKEN_ROLES])
    prefix = models.CharField(max_length=12, unique=True, help_text="Public part, to recognise the key.")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = APITokenQuerySet.as_manager()
    scope = Scope(organization="organization")

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None

    def revoke(self) -> None:
        self.revoked_at = timezone.now()
        self.save(update_fields=["revoked_at", "updated_at"])


class InvitationQuerySet(ScopedQuerySet):
    def pending(self) -> InvitationQuerySet:
        """Neither accepted, declined nor withdrawn, and not expired."""
        return self.filter(
            accepted_at__isnull=True, declined_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(TimeStampedModel):
    """An offer of a role in an organization, sent to an e-mail address.

    It becomes a ``Membership`` only when the person accepts it (see
    ``accounts.invitations``); the inviter never learns whether the address
    already had an account. Only a SHA-256 of the link's key is stored.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField("e-mail address")
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.VIEWER)
    sites = models.ManyToManyField("cameras.Site", blank=True, related_name="+")
    cameras = models.ManyToManyField("cameras.Camera", blank=True, related_name="+")
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    invited_by_token = models.ForeignKey(
        APIToken, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        help_text="Set when an integration invited through the API.",
    )
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    declined_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField("withdrawn at", null=True, blank=True)

    objects = InvitationQuerySet.as_manager()
    scope = Scope(organization="organization")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organization", "email"])]

    def __str__(self) -> str:
        return f"{self.email} to {self.organization} ({self.get_role_display()})"

    @property
    def status(self) -> str:
        if self.accepted_at:
            return "accepted"
        if self.declined_at:
            return "declined"
        if self.revoked_at:
            return "withdrawn"
        return "expired" if self.expires_at <= timezone.now() else "pending"


class AuditEvent(models.Model):
    """Who did what to which object, when and from where. Append-only."""

    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_label = models.CharField(max_length=200, blank=True, help_text="Who, as text (kept if the user goes).")
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=64, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=200, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="organization")

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["organization", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_label} {self.action} {self.target_label}"
