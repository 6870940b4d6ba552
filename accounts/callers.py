"""Who is calling: a person or an API token principal, and the questions code asks of them.

Every entry point acts for a *caller*: a signed-in person (``User``) or, on
the API with ``Authorization: Token``, a ``TokenPrincipal`` that carries the
token and its one grant. Before sign-in a request's user is Django's
``AnonymousUser``; the gate (``accounts.scoping``) accepts that too and
grants it nothing, so its functions take a ``Visitor``.

Code that must tell a person from a token asks here (``is_token``,
``token_of``, ``person_of``) instead of probing attributes, so the answer is
one function that mypy checks.

This module imports no model at run time: the gate imports it, and the
models import the gate.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from django.contrib.auth.models import AnonymousUser

if TYPE_CHECKING:
    from accounts.models import APIToken, User
    from accounts.scoping import Grant


class TokenPrincipal:
    """The acting party of a token-authenticated request.

    Not a user: it answers the few attributes Django and DRF ask of
    ``request.user`` (signed in, active, never staff or superuser, no pk)
    and holds exactly one grant, the token's organization and role narrowed
    to what its creator may do now (``accounts.scoping.token_grant``).
    """

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_superuser = False
    is_staff = False
    pk = None
    id = None

    def __init__(self, token: APIToken, grant: Grant) -> None:
        self.api_token = token
        self.token_grant = grant

    def __str__(self) -> str:
        return f"API token {self.api_token.name}"


# A signed-in caller: a person or an API token.
Caller: TypeAlias = "User | TokenPrincipal"
# Whoever is behind a request, signed in or not (what the gate accepts).
Visitor: TypeAlias = "User | TokenPrincipal | AnonymousUser"


def is_token(caller: Visitor | None) -> bool:
    """Whether an API token (not a person) is calling."""
    return isinstance(caller, TokenPrincipal)


def token_of(caller: Visitor | None) -> APIToken | None:
    """The API token that is calling; None for a person or nobody."""
    return caller.api_token if isinstance(caller, TokenPrincipal) else None


def person_of(caller: Visitor | None) -> User | None:
    """The person who is calling, for fields that name one (``created_by``, audit's actor).

    None for an API token (it is no person; audit names it by label) and for
    an anonymous or unsaved caller.
    """
    if caller is None or isinstance(caller, TokenPrincipal | AnonymousUser) or caller.pk is None:
        return None
    return caller
