"""Which event groups a user's event stream follows, decided by the gate."""

from __future__ import annotations

from accounts.callers import Visitor
from accounts.roles import Action
from accounts.scoping import check_mfa, organization_ids_for
from cameras.models import Camera
from portal.events import camera_group, organization_group


def followed_camera_groups(user: Visitor) -> set[str]:
    """The camera and organization groups of what the gate lets the user view.

    A person stopped by the two-factor rule is refused (``MFAEnrolmentRequired``)
    rather than handed an empty but open stream.
    """
    check_mfa(user)
    public_ids = Camera.objects.for_user(user, Action.VIEW).values_list("public_id", flat=True)
    groups = {camera_group(public_id) for public_id in public_ids}
    groups |= {organization_group(org_id) for org_id in organization_ids_for(user, Action.VIEW)}
    return groups
