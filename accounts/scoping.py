"""The one access gate for tenant data.

Every page, API viewset, admin class, consumer and task reaches tenant data
through this module: the ``for_user(user, action)`` queryset method below,
or ``access``, which returns one object or raises the same ``Http404``
whether the object does not exist or belongs to someone else. When the
object is visible but the action is not allowed (a viewer trying to edit a
camera of their own organization), ``access`` raises ``PermissionDenied``
instead: the object's existence is no secret then.

The gate knows no feature model. Each tenant model declares, as a ``Scope``
in its ``scope`` attribute, the lookup paths from its rows to their
organization, site and camera; the gate builds its filters from that
declaration alone, so a new tenant model needs no change here.

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
from typing import TYPE_CHECKING, Any, Self, TypeGuard, TypeVar, cast

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models
from django.db.models import ForeignObjectRel, Q, Value
from django.http import Http404

from accounts.callers import Caller, TokenPrincipal, Visitor, person_of
from accounts.roles import RESTRICTABLE_ROLES, Action, narrower_role, role_allows

if TYPE_CHECKING:
    from django.contrib.contenttypes.fields import GenericForeignKey

    from accounts.models import APIToken, User

M = TypeVar("M", bound=models.Model)


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


def is_signed_in(user: Visitor | None) -> TypeGuard[Caller]:
    """Whether a person or a token is calling (an active account; never ``AnonymousUser``)."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def _person(user: Visitor | None) -> User | None:
    """The signed-in human calling, if one is (API token principals answer to their own rules)."""
    return person_of(user) if is_signed_in(user) else None


def _has_authenticator_app(user: Visitor) -> bool:
    from allauth.mfa.models import Authenticator

    return Authenticator.objects.filter(user_id=user.pk, type=Authenticator.Type.TOTP).exists()


def mfa_enrolment_pending(user: Visitor | None) -> bool:
    """True for a person in an organization that requires MFA who has no authenticator app yet.

    Such a person may sign in and set up the app, and nothing else.
    """
    person = _person(user)
    if person is None:
        return False
    from accounts.models import Membership

    demanding = Membership.objects.filter(user_id=person.pk, organization__require_mfa=True).exists()
    return demanding and not _has_authenticator_app(person)


def check_mfa(user: Visitor | None) -> None:
    """Raise ``MFAEnrolmentRequired`` when the organizations' two-factor rule stops this person."""
    if mfa_enrolment_pending(user):
        raise MFAEnrolmentRequired(MFA_REQUIRED_MESSAGE)


def grants_for(user: Visitor | None) -> list[Grant]:
    """All grants of a signed-in user or API token principal (no superuser magic).

    Two queries at most (memberships, then the restrictions of operators and
    viewers in one UNION): this runs on every page, API call and live connect.
    A person whom an organization's two-factor rule stops has none (a third
    query, only for members of such organizations).
    """
    if not is_signed_in(user):
        return []
    if isinstance(user, TokenPrincipal):
        return [user.token_grant]
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


def grants_allowing(user: Visitor | None, action: str) -> list[Grant]:
    return [grant for grant in grants_for(user) if role_allows(grant.role, action)]


def organization_ids_for(user: Visitor | None, action: str, *, unrestricted_only: bool = False) -> list[int]:
    return [
        grant.organization_id
        for grant in grants_allowing(user, action)
        if grant.unrestricted or not unrestricted_only
    ]


# --- what a tenant model declares ------------------------------------------------


@dataclass(frozen=True)
class Scope:
    """How a tenant model's rows reach their organization, site and camera.

    Each value is a Django lookup path from the model (``"pk"`` for the row
    itself): ``Scope(organization="site__organization", site="site",
    camera="pk")`` is a camera. A member limited to some sites or cameras
    reaches a row when its site or its camera is one of theirs; a path
    through a many-valued relation (a site's ``"cameras"``) reaches the row
    when any of the related rows does.

    Rows with neither a site nor a camera are the organization's business:
    only members who see the whole organization reach them, unless
    ``limited_members_see_it`` (the organization itself). ``every`` names a
    reverse relation whose rows must *all* be reached (a multi-camera export
    and its clips); those rows' own ``scope`` says how.
    """

    organization: str
    site: str | None = None
    camera: str | None = None
    every: str | None = None
    limited_members_see_it: bool = False


def scope_of(model: type[models.Model]) -> Scope:
    scope = getattr(model, "scope", None)
    if not isinstance(scope, Scope):
        raise TypeError(f"{model.__name__} is not a tenant model: it declares no `scope = Scope(...)`.")
    return scope


def _is_many_valued(model: type[models.Model], path: str) -> bool:
    """Whether a lookup path crosses a relation with many rows on the far side."""
    opts = model._meta
    for part in path.split("__"):
        if part == "pk":
            return False
        field = opts.get_field(part)
        if field.many_to_many or field.one_to_many:
            return True
        if not field.is_relation:
            return False
        opts = _related_model(field)._meta
    return False


def _related_model(field: models.Field | ForeignObjectRel | GenericForeignKey) -> type[models.Model]:
    """The model at the far side of a relation field (of a path already known to cross relations)."""
    related = field.related_model
    if not isinstance(related, type):
        raise TypeError(f"{field.name} does not lead to a model.")
    return related


def _reach_path(model: type[models.Model], path: str, ids: frozenset[int]) -> Q:
    """Rows whose ``path`` leads to one of ``ids`` (by subquery when it fans out, so no row repeats)."""
    if _is_many_valued(model, path):
        return Q(pk__in=model._base_manager.filter(**{f"{path}__in": ids}).values("pk"))
    return Q(**{f"{path}__in": ids})


def _reached(model: type[models.Model], scope: Scope, grant: Grant) -> Q:
    """Rows a grant limited to some sites or cameras reaches (organization aside)."""
    if scope.every:
        return ~Q(pk__in=_unreached_through(model, scope.every, grant))
    parts = [
        _reach_path(model, path, ids)
        for path, ids in ((scope.site, grant.site_ids), (scope.camera, grant.camera_ids))
        if path is not None
    ]
    return _any_of(parts)


def _unreached_through(model: type[models.Model], relation: str, grant: Grant) -> models.QuerySet:
    """Ids of ``model`` rows with a related row (through ``relation``) the limited grant does not reach.

    A related row that reaches no site or camera (a clip whose camera was
    deleted) counts as not reached.
    """
    reverse = model._meta.get_field(relation)
    if not isinstance(reverse, ForeignObjectRel):
        raise TypeError(f"{model.__name__}.scope.every names {relation!r}, which is not a reverse relation.")
    related = _related_model(reverse)
    back = reverse.field.name
    related_scope = scope_of(related)
    in_org = {related_scope.organization: grant.organization_id, f"{back}__isnull": False}
    return related._base_manager.filter(**in_org).exclude(_reached(related, related_scope, grant)).values(back)


def scope_q(model: type[models.Model], grant: Grant) -> Q:
    """The rows of ``model`` one grant reaches, from the model's declared ``scope``."""
    scope = scope_of(model)
    in_org = Q(**{scope.organization: grant.organization_id})
    if grant.unrestricted or scope.limited_members_see_it:
        return in_org
    return in_org & _reached(model, scope, grant)


class ScopedQuerySet(models.QuerySet):
    """A queryset of a tenant model that knows which of its rows a user may act on."""

    def scope_filter(self, grants: list[Grant]) -> Q:
        return _any_of(scope_q(self.model, grant) for grant in grants)

    def for_user(self, user: Visitor | None, action: str = Action.VIEW) -> Self:
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


# --- one object ------------------------------------------------------------------


def _as_uuid(value: Any) -> uuid.UUID:
    try:
        return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        raise Http404("Not found.") from None


def _key_lookup(model: type[models.Model], key: Any) -> dict[str, Any]:
    """Tenant rows are named by their ``public_id``; rows without one (organizations, members) by pk."""
    if any(field.name == "public_id" for field in model._meta.concrete_fields):
        return {"public_id": _as_uuid(key)}
    return {"pk": key}


def one_of(queryset: models.QuerySet[M], key: Any) -> M:
    """The row of an already scoped queryset named by ``key``; missing or malformed is the same 404."""
    try:
        return queryset.get(**_key_lookup(queryset.model, key))
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
        raise Http404("Not found.") from None


def _scope_relations(model: type[models.Model]) -> list[str]:
    """The declared paths worth joining when fetching one row (single-valued relations only)."""
    scope = scope_of(model)
    paths = [path for path in (scope.organization, scope.site, scope.camera) if path and path != "pk"]
    return [path for path in paths if _is_relation_path(model, path) and not _is_many_valued(model, path)]


def _is_relation_path(model: type[models.Model], path: str) -> bool:
    opts = model._meta
    for part in path.split("__"):
        field = opts.get_field(part)
        if not field.is_relation:
            return False
        opts = _related_model(field)._meta
    return True


def _gated(queryset: models.QuerySet[M]) -> ScopedQuerySet:
    """A queryset of a model the gate serves, typed as one that answers ``for_user``.

    Tenant models' managers make ``ScopedQuerySet``s; platform models
    (gateways, recorders) make querysets with their own superuser-only
    ``for_user``. Nothing is checked here: a model without ``for_user``
    fails at that call, as before.
    """
    return cast(ScopedQuerySet, queryset)


def access(
    source: type[M] | models.QuerySet[M],
    user: Visitor | None,
    public_id: Any,
    action: str = Action.VIEW,
    *,
    related: tuple[str, ...] = (),
) -> M:
    """Fetch one tenant object the user may see; refuse the action with 403 if not allowed.

    ``source`` is a tenant model or a queryset of one; ``public_id`` names
    the object (its pk for models without a public id). ``related`` adds
    relations to fetch along. Not visible at all (missing, foreign,
    malformed id) is always the same 404.
    """
    queryset = _gated(source._default_manager.all() if isinstance(source, type) else source)
    queryset = queryset.select_related(*_scope_relations(queryset.model), *related)
    obj = one_of(queryset.for_user(user, Action.VIEW), public_id)
    if action != Action.VIEW and not queryset.for_user(user, action).filter(pk=obj.pk).exists():
        raise PermissionDenied("Your role does not allow this.")
    return obj


def can(user: Visitor | None, action: str, obj: models.Model) -> bool:
    """Whether the user may perform ``action`` on a tenant object."""
    queryset = _gated(type(obj)._default_manager.all())
    return queryset.for_user(user, action).filter(pk=obj.pk).exists()


def require_visible(user: Visitor | None, obj: models.Model, action: str) -> None:
    """Re-check inside a write transaction that the object is still the user's.

    Raises ``Http404`` so a write that aimed at a foreign row by id looks the
    same as one that aimed at a missing row; the caller's transaction rolls back.
    """
    if not can(user, action, obj):
        raise Http404("Not found.")
