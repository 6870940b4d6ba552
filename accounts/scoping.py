"""The one access gate for tenant data.

Every page, API viewset, admin class, consumer and task reaches tenant data
through this module: the ``for_user(user, action)`` queryset methods below,
or the ``access_*`` helpers, which return one object or raise the same
``Http404`` whether the object does not exist or belongs to someone else.
When the object is visible but the action is not allowed (a viewer trying to
edit a camera of their own organization), the helpers raise
``PermissionDenied`` instead: the object's existence is no secret then.

A user's rights come from *grants*: one per organization membership (or one
for an API token), holding the role and any site/camera restriction.

The organizations' two-factor rule lives here too: a person who belongs to
an organization that requires MFA and has not set up an authenticator app
has no grants at all (``grants_for``), so every entry point that reaches
tenant data through this module (pages, API, both sockets, downloads,
tasks) refuses them, whether or not it remembers to check. Entry points
that want to *say* why call ``check_mfa`` for the message.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Q, Value
from django.http import Http404

from accounts.roles import RESTRICTABLE_ROLES, Action, narrower_role, role_allows

if TYPE_CHECKING:
    from accounts.models import APIToken, Membership, Organization
    from cameras.models import Camera, Site
    from recordings.models import Clip, ExportBundle, MotionEvent, NotificationRule, WebhookEndpoint


@dataclass(frozen=True)
class Grant:
    organization_id: int
    role: str
    site_ids: frozenset[int] = frozenset()
    camera_ids: frozenset[int] = frozenset()

    @property
    def unrestricted(self) -> bool:
        return not self.site_ids and not self.camera_ids


MFA_REQUIRED_MESSAGE = "Your organization requires two-factor authentication. Set it up in the portal first."


class MFAEnrolmentRequired(PermissionDenied):
    """The person's organization requires two-factor authentication and they have not set it up."""


def is_signed_in(user: Any) -> bool:
    return bool(user is not None and user.is_authenticated and user.is_active)


def _is_person(user: Any) -> bool:
    """A signed-in human (API token principals answer to their own rules)."""
    return is_signed_in(user) and getattr(user, "api_token", None) is None and user.pk is not None


def _has_authenticator_app(user: Any) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def mfa_enrolment_pending(user: Any) -> bool:
    """True for a person in an organization that requires MFA who has no authenticator app yet.

    Such a person may sign in and set up the app, and nothing else.
    """
    if not _is_person(user):
        return False
    from accounts.models import Membership

    demanding = Membership.objects.filter(user_id=user.pk, organization__require_mfa=True).exists()
    return demanding and not _has_authenticator_app(user)


def check_mfa(user: Any) -> None:
    """Raise ``MFAEnrolmentRequired`` when the organizations' two-factor rule stops this person."""
    if mfa_enrolment_pending(user):
        raise MFAEnrolmentRequired(MFA_REQUIRED_MESSAGE)


def grants_for(user: Any) -> list[Grant]:
    """All grants of a signed-in user or API token principal (no superuser magic).

    Two queries at most (memberships, then the restrictions of operators and
    viewers in one UNION): this runs on every page, API call and live connect.
    A person whom an organization's two-factor rule stops has none (a third
    query, only for members of such organizations).
    """
    if not is_signed_in(user):
        return []
    token_grant = getattr(user, "token_grant", None)
    if token_grant is not None:
        return [token_grant]
    from accounts.models import Membership

    memberships = list(
        Membership.objects.filter(user_id=user.pk).values_list(
            "pk", "organization_id", "role", "organization__require_mfa"
        )
    )
    if any(require_mfa for *_, require_mfa in memberships) and not _has_authenticator_app(user):
        return []
    limits = _restrictions([pk for pk, _, role, _ in memberships if role in RESTRICTABLE_ROLES])
    return [
        Grant(org_id, role, frozenset(limits[pk]["site"]), frozenset(limits[pk]["camera"]))
        for pk, org_id, role, _ in memberships
    ]


def token_grant(token: APIToken) -> Grant | None:
    """What an API token may do now: never more than the person who created it.

    The token's role, narrowed to its creator's current role in the token's
    organization. None (the token must not be used) when the creator is gone,
    deactivated, no longer a member, or limited to some sites or cameras (a
    token acts on the whole organization). A platform superuser's token keeps
    its role while they stay an active superuser. The creator's own
    two-factor rule is not applied: it governs how a person signs in, and
    the token is a credential of its own.
    """
    creator = token.created_by
    if creator is None or not creator.is_active:
        return None
    if creator.is_superuser:
        return Grant(token.organization_id, token.role)
    from accounts.models import Membership

    membership = Membership.objects.filter(user_id=creator.pk, organization_id=token.organization_id).first()
    if membership is None:
        return None
    if membership.role in RESTRICTABLE_ROLES:
        limits = _restrictions([membership.pk])[membership.pk]
        if limits["site"] or limits["camera"]:
            return None
    return Grant(token.organization_id, narrower_role(token.role, membership.role))


def _restrictions(membership_ids: list[int]) -> dict[int, dict[str, set[int]]]:
    from accounts.models import Membership

    limits: dict[int, dict[str, set[int]]] = defaultdict(lambda: {"site": set(), "camera": set()})
    if not membership_ids:
        return limits
    sites = Membership.sites.through.objects.filter(membership_id__in=membership_ids)
    cameras = Membership.cameras.through.objects.filter(membership_id__in=membership_ids)
    rows = sites.values_list("membership_id", "site_id", Value("site")).union(
        cameras.values_list("membership_id", "camera_id", Value("camera")), all=True
    )
    for membership_id, object_id, kind in rows:
        limits[membership_id][kind].add(object_id)
    return limits


def grants_allowing(user: Any, action: str) -> list[Grant]:
    return [grant for grant in grants_for(user) if role_allows(grant.role, action)]


def organization_ids_for(user: Any, action: str, *, unrestricted_only: bool = False) -> list[int]:
    return [
        grant.organization_id
        for grant in grants_allowing(user, action)
        if grant.unrestricted or not unrestricted_only
    ]


class ScopedQuerySet(models.QuerySet):
    """A queryset that knows which of its rows a user may act on."""

    def scope_filter(self, grants: list[Grant]) -> Q:
        raise NotImplementedError

    def for_user(self, user: Any, action: str = Action.VIEW) -> ScopedQuerySet:
        if not is_signed_in(user):
            return self.none()
        if user.is_superuser:
            # A platform superuser sees everything, once past their organizations' two-factor rule.
            return self.none() if mfa_enrolment_pending(user) else self.all()
        grants = grants_allowing(user, action)
        if not grants:
            return self.none()
        return self.filter(self.scope_filter(grants))


def _any_of(parts: Iterable[Q]) -> Q:
    combined = Q(pk__in=[])
    for part in parts:
        combined |= part
    return combined


class OrganizationQuerySet(ScopedQuerySet):
    def scope_filter(self, grants: list[Grant]) -> Q:
        return Q(pk__in=[grant.organization_id for grant in grants])


class OrganizationOwnedQuerySet(ScopedQuerySet):
    """Rows that belong to an organization as a whole (members, tokens, audit).

    Only unrestricted grants reach them: a viewer limited to one site has no
    business with the organization's member list.
    """

    def scope_filter(self, grants: list[Grant]) -> Q:
        return Q(organization_id__in=[g.organization_id for g in grants if g.unrestricted])


class SiteQuerySet(ScopedQuerySet):
    def scope_filter(self, grants: list[Grant]) -> Q:
        return _any_of(_site_q(grant) for grant in grants)


class CameraQuerySet(ScopedQuerySet):
    def scope_filter(self, grants: list[Grant]) -> Q:
        return _any_of(_camera_q(grant) for grant in grants)


class CameraSettingsQuerySet(ScopedQuerySet):
    """Per-camera configuration rows (one-to-one with a camera): exactly the camera's scope."""

    def scope_filter(self, grants: list[Grant]) -> Q:
        return _any_of(_camera_q(grant, prefix="camera__") for grant in grants)


class ClipQuerySet(ScopedQuerySet):
    """Clips follow their camera's scope (through the denormalised organization).

    A clip whose camera was deleted stays visible to unrestricted members only.
    """

    def scope_filter(self, grants: list[Grant]) -> Q:
        return _any_of(_clip_q(grant) for grant in grants)


class MotionEventQuerySet(ClipQuerySet):
    """Motion events follow their camera's scope exactly as clips do."""


class FootageQuerySet(ClipQuerySet):
    """Recorded segments follow their camera's scope exactly as clips do.

    The organization is denormalised on every row, so footage of a deleted
    camera stays visible to unrestricted members only, until retention.
    """


class BundleQuerySet(ScopedQuerySet):
    """Multi-camera exports: visible to a grant that reaches every one of their cameras.

    A restricted grant sees a bundle of its organization only if none of the
    bundle's clips is outside its sites and cameras (a clip whose camera was
    deleted counts as outside, as for clips themselves). The clips are
    reached through the bundle's reverse relation, so this module still
    imports no feature model.
    """

    def scope_filter(self, grants: list[Grant]) -> Q:
        return _any_of(self._bundle_q(grant) for grant in grants)

    def _bundle_q(self, grant: Grant) -> Q:
        in_org = Q(organization_id=grant.organization_id)
        if grant.unrestricted:
            return in_org
        clips = self.model._meta.get_field("clips").related_model._base_manager
        reached = Q(camera__site_id__in=grant.site_ids) | Q(camera_id__in=grant.camera_ids)
        outside = clips.filter(organization_id=grant.organization_id, bundle__isnull=False).exclude(reached)
        return in_org & ~Q(pk__in=outside.values("bundle_id"))


def _site_q(grant: Grant) -> Q:
    in_org = Q(organization_id=grant.organization_id)
    if grant.unrestricted:
        return in_org
    # A member limited to single cameras still sees the sites they sit in.
    from cameras.models import Camera

    sites_of_cameras = Camera.objects.filter(pk__in=grant.camera_ids).values("site_id")
    return in_org & (Q(pk__in=grant.site_ids) | Q(pk__in=sites_of_cameras))


def _camera_q(grant: Grant, prefix: str = "") -> Q:
    """Cameras the grant reaches; ``prefix`` (e.g. ``"camera__"``) applies it through a relation."""
    in_org = Q(**{f"{prefix}site__organization_id": grant.organization_id})
    if grant.unrestricted:
        return in_org
    return in_org & (Q(**{f"{prefix}site_id__in": grant.site_ids}) | Q(**{f"{prefix}pk__in": grant.camera_ids}))


def _clip_q(grant: Grant) -> Q:
    in_org = Q(organization_id=grant.organization_id)
    if grant.unrestricted:
        return in_org
    return in_org & (Q(camera__site_id__in=grant.site_ids) | Q(camera_id__in=grant.camera_ids))


# --- access_* helpers ----------------------------------------------------------


def _access(queryset: ScopedQuerySet, user: Any, action: str, **lookup: Any) -> Any:
    """Fetch one object the user may see; refuse the action with 403 if not allowed.

    Not visible at all (missing, foreign, malformed id) is always the same 404.
    """
    try:
        obj = queryset.for_user(user, Action.VIEW).get(**lookup)
    except (queryset.model.DoesNotExist, ValidationError, ValueError):
        raise Http404("Not found.") from None
    if action != Action.VIEW and not queryset.for_user(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied("Your role does not allow this.")
    return obj


def _as_uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise Http404("Not found.") from None


def access_camera(user: Any, public_id: Any, action: str = Action.VIEW, related: tuple[str, ...] = ()) -> Camera:
    from cameras.models import Camera

    qs = Camera.objects.select_related("site", "site__organization", *related)
    return _access(qs, user, action, public_id=_as_uuid(public_id))


def access_clip(user: Any, public_id: Any, action: str = Action.VIEW) -> Clip:
    from recordings.models import Clip

    qs = Clip.objects.select_related("camera", "camera__site", "organization")
    return _access(qs, user, action, public_id=_as_uuid(public_id))


def access_bundle(user: Any, public_id: Any, action: str = Action.VIEW) -> ExportBundle:
    from recordings.models import ExportBundle

    return _access(ExportBundle.objects.select_related("organization"), user, action, public_id=_as_uuid(public_id))


def access_motion_event(user: Any, public_id: Any, action: str = Action.VIEW) -> MotionEvent:
    from recordings.models import MotionEvent

    qs = MotionEvent.objects.select_related("camera", "camera__site", "organization")
    return _access(qs, user, action, public_id=_as_uuid(public_id))


def access_site(user: Any, public_id: Any, action: str = Action.VIEW) -> Site:
    from cameras.models import Site

    qs = Site.objects.select_related("organization")
    return _access(qs, user, action, public_id=_as_uuid(public_id))


def access_organization(user: Any, organization_id: Any, action: str = Action.VIEW) -> Organization:
    from accounts.models import Organization

    return _access(Organization.objects.all(), user, action, pk=organization_id)


def access_webhook(user: Any, public_id: Any, action: str = Action.MANAGE) -> WebhookEndpoint:
    """A webhook endpoint of an organization the user belongs to without restriction (else 404)."""
    from recordings.models import WebhookEndpoint

    qs = WebhookEndpoint.objects.select_related("organization")
    return _access(qs, user, action, public_id=_as_uuid(public_id))


def notification_rules_for(user: Any) -> models.QuerySet:
    """Notification rules a user may see and change, whatever the HTTP method.

    Personal rules are their owner's alone, in organizations the owner still
    belongs to (admins do not read other people's rules). Organization rules
    need ``manage`` on the whole organization. API tokens own no personal rules.
    """
    from recordings.models import NotificationRule

    rules = NotificationRule.objects.all()
    if not is_signed_in(user):
        return rules.none()
    shared = rules.for_user(user, Action.MANAGE).filter(user__isnull=True)
    if getattr(user, "api_token", None) is not None or user.pk is None:
        return shared
    own = rules.filter(user_id=user.pk, organization_id__in=organization_ids_for(user, Action.VIEW))
    return shared | own


def access_notification_rule(user: Any, public_id: Any) -> NotificationRule:
    """One rule of ``notification_rules_for``; any other is the same 404."""
    from recordings.models import NotificationRule

    qs = notification_rules_for(user).select_related("organization", "user", "webhook")
    try:
        return qs.get(public_id=_as_uuid(public_id))
    except NotificationRule.DoesNotExist:
        raise Http404("Not found.") from None


def access_membership(user: Any, membership_id: Any, action: str = Action.MANAGE) -> Membership:
    from accounts.models import Membership

    qs = Membership.objects.select_related("user", "organization")
    try:
        return qs.for_user(user, action).get(pk=int(membership_id))
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404("Not found.") from None


def can(user: Any, action: str, obj: models.Model) -> bool:
    """Whether the user may perform ``action`` on a tenant object."""
    manager = type(obj)._default_manager
    return manager.for_user(user, action).filter(pk=obj.pk).exists()


def require_visible(user: Any, obj: models.Model, action: str) -> None:
    """Re-check inside a write transaction that the object is still the user's.

    Raises ``Http404`` so a write that aimed at a foreign row by id looks the
    same as one that aimed at a missing row; the caller's transaction rolls back.
    """
    if not can(user, action, obj):
        raise Http404("Not found.")
