"""Writing the audit trail. One function, called by services and auth receivers."""

from __future__ import annotations

from typing import Any, TypeAlias

from django.db import models
from django.http import HttpRequest

from accounts.callers import Visitor, person_of, token_of
from accounts.models import AuditEvent, Organization


class NamedActor:
    """Someone or something that acts without an account of its own, named in the audit log.

    ``SYSTEM`` is the portal itself acting on a rule (e.g. retiring a token);
    a person answering an invitation before they have an account is named
    by the invited address.
    """

    is_authenticated = True
    pk = None

    def __init__(self, label: str) -> None:
        self.label = label

    def __str__(self) -> str:
        return self.label


SYSTEM = NamedActor("portal (automatic)")


# Who an audit event names: a caller, the portal itself or an invited address, or nobody.
Actor: TypeAlias = "Visitor | NamedActor | None"


def actor_label(user: Actor) -> str:
    token = token_of(user) if not isinstance(user, NamedActor) else None
    if token is not None:
        return f"API token {token.name} ({token.prefix})"
    if user is None or not user.is_authenticated:
        return "anonymous"
    return str(user)


def client_ip(request: HttpRequest | None) -> str | None:
    """The peer address Django sees (the proxy sets REMOTE_ADDR; see docker-compose)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def record(
    user: Actor,
    action: str,
    *,
    organization: Organization | int | None,
    target: models.Model | None = None,
    ip: str | None = None,
    **detail: Any,
) -> AuditEvent:
    """Append one audit event. ``detail`` must be JSON-serialisable and secret-free."""
    organization_id = organization.pk if isinstance(organization, Organization) else organization
    real_user = person_of(user) if not isinstance(user, NamedActor) else None
    return AuditEvent.objects.create(
        organization_id=organization_id,
        actor=real_user,
        actor_label=actor_label(user)[:200],
        action=action,
        target_type=(target._meta.model_name or "") if target is not None else "",
        target_id=str(getattr(target, "public_id", None) or getattr(target, "pk", "") or ""),
        target_label=str(target)[:200] if target is not None else "",
        ip_address=ip,
        detail=detail,
    )
