"""Saved live views: a person's named grid layouts with their cameras in order.

A saved view belongs to one user in one organization and is never shown to
anyone else. Its cameras are checked through the access gate when it is
saved (a camera the person may not view is refused with a clear error) and
again every time it is shown (a camera the person can no longer view is
left out without a word, so a view never leaks what was revoked).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404

from accounts.callers import Visitor, person_of
from accounts.models import Organization
from accounts.roles import Action
from accounts.scoping import access
from cameras.models import Camera, SavedView

# Layout name -> tiles per row (the grids are square).
LAYOUTS: dict[str, int] = {"1": 1, "2x2": 2, "3x3": 3, "4x4": 4, "5x5": 5, "6x6": 6, "8x8": 8, "10x10": 10}
DEFAULT_LAYOUT = "3x3"
NAME_MAX_LENGTH = cast(int, SavedView._meta.get_field("name").max_length)  # a CharField always has one


def tile_count(layout: str) -> int:
    return LAYOUTS[layout] ** 2


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": ["Give the view a name."]})
    if len(name) > NAME_MAX_LENGTH:
        raise ValidationError({"name": [f"Use at most {NAME_MAX_LENGTH} characters for the name."]})
    return name


def _clean_layout(layout: str) -> str:
    if layout not in LAYOUTS:
        raise ValidationError({"layout": [f"Choose one of the layouts: {', '.join(LAYOUTS)}."]})
    return layout


def _as_uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def viewable_cameras(user: Visitor, organization: Organization) -> QuerySet[Camera]:
    """The organization's cameras the gate lets this user watch."""
    return Camera.objects.for_user(user, Action.VIEW).filter(site__organization=organization)


def _clean_cameras(user: Visitor, organization: Organization, cameras: Sequence[str], layout: str) -> list[str]:
    wanted = list(dict.fromkeys(str(c).strip() for c in cameras if str(c).strip()))
    if not wanted:
        raise ValidationError({"cameras": ["A view needs at least one camera."]})
    if len(wanted) > tile_count(layout):
        raise ValidationError({"cameras": [f"The {layout} layout holds at most {tile_count(layout)} cameras."]})
    ids = {value: _as_uuid(value) for value in wanted}
    allowed = {
        str(public_id)
        for public_id in viewable_cameras(user, organization)
        .filter(public_id__in=[i for i in ids.values() if i is not None])
        .values_list("public_id", flat=True)
    }
    # One message for "does not exist" and "not yours": the gate's 404 rule.
    refused = [value for value, parsed in ids.items() if parsed is None or str(parsed) not in allowed]
    if refused:
        shown = ", ".join(refused[:3]) + (" …" if len(refused) > 3 else "")
        raise ValidationError({"cameras": [f"These cameras are not available to you: {shown}"]})
    return [str(ids[value]) for value in wanted]


def save_view(
    user: Visitor, organization: Organization, *, name: str, layout: str, cameras: Sequence[str]
) -> tuple[SavedView, bool]:
    """Create the named view, or replace the one of that name. Returns (view, created)."""
    access(Organization, user, organization.pk, Action.VIEW)
    owner = person_of(user)
    if owner is None:
        raise PermissionDenied("Saved views belong to people; an API token has none.")
    name, layout = _clean_name(name), _clean_layout(layout)
    camera_ids = _clean_cameras(user, organization, cameras, layout)
    try:
        with transaction.atomic():
            return SavedView.objects.update_or_create(
                user=owner, organization=organization, name=name,
                defaults={"layout": layout, "cameras": camera_ids},
            )
    except IntegrityError:  # the same name saved twice at once
        raise ValidationError({"name": ["A view with this name was just saved; try again."]}) from None


def views_for(user: Visitor, organization: Organization) -> QuerySet[SavedView]:
    owner = person_of(user)
    if owner is None:
        return SavedView.objects.none()
    return SavedView.objects.filter(user=owner, organization=organization)


def get_view(user: Visitor, organization: Organization, public_id: Any) -> SavedView:
    """One of the user's own views in this organization; anything else is 404."""
    parsed = _as_uuid(public_id)
    view = views_for(user, organization).filter(public_id=parsed).first() if parsed else None
    if view is None:
        raise Http404("Not found.")
    return view


def delete_view(user: Visitor, organization: Organization, public_id: Any) -> SavedView:
    view = get_view(user, organization, public_id)
    view.delete()
    return view


def cameras_of(user: Visitor, view: SavedView) -> list[Camera]:
    """The view's cameras the user may still watch, in the saved order."""
    ids = [parsed for parsed in map(_as_uuid, view.cameras) if parsed is not None]
    found = {
        str(camera.public_id): camera
        for camera in viewable_cameras(user, view.organization)
        .filter(public_id__in=ids).select_related("site", "gateway")
    }
    return [found[str(i)] for i in ids if str(i) in found]
