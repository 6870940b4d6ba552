"""Roles, actions and the one table that maps the first to the second."""

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    OPERATOR = "operator", "Operator"
    VIEWER = "viewer", "Viewer"


class Action(models.TextChoices):
    VIEW = "view", "View live video, snapshots and clips"
    CONTROL = "control", "Move PTZ cameras"
    EXPORT = "export", "Request clips"
    MANAGE = "manage", "Edit cameras, sites and members"
    ACKNOWLEDGE = "acknowledge", "Acknowledge motion alerts"


ROLE_ACTIONS: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset({Action.VIEW, Action.CONTROL, Action.EXPORT, Action.MANAGE, Action.ACKNOWLEDGE}),
    Role.ADMIN: frozenset({Action.VIEW, Action.CONTROL, Action.EXPORT, Action.MANAGE, Action.ACKNOWLEDGE}),
    Role.OPERATOR: frozenset({Action.VIEW, Action.CONTROL, Action.EXPORT, Action.ACKNOWLEDGE}),
    Role.VIEWER: frozenset({Action.VIEW}),
}

# Owners and admins always see the whole organization; only these roles can
# be limited to some sites or cameras.
RESTRICTABLE_ROLES = frozenset({Role.OPERATOR, Role.VIEWER})

# Roles an API token may carry (a token is never an owner).
TOKEN_ROLES = (Role.ADMIN, Role.OPERATOR, Role.VIEWER)


# From most to least rights; every role's actions include those of the roles after it.
ROLE_ORDER = (Role.OWNER, Role.ADMIN, Role.OPERATOR, Role.VIEWER)


def narrower_role(first: str, second: str) -> str:
    """The role with fewer rights of the two."""
    return max(first, second, key=ROLE_ORDER.index)


def role_allows(role: str, action: str) -> bool:
    return action in ROLE_ACTIONS.get(role, frozenset())


def roles_allowing(action: str) -> list[str]:
    return [role for role, actions in ROLE_ACTIONS.items() if action in actions]
