"""Sockets know their user by the session cookie, with the rules Django's pages apply.

signaling.auth replaces Channels' AuthMiddlewareStack (one trip to a pooled
thread instead of two to Django's single thread); these pin down that it
signs in exactly whom a page would.
"""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async

from signaling.auth import SessionUserMiddleware
from tests.support.factories import make_user, session_id

pytestmark = pytest.mark.django_db(transaction=True)


async def _user_seen(cookie: str | None) -> object:
    """The scope's user as an app behind the middleware sees it, for a handshake with this Cookie header."""
    seen: dict[str, object] = {}

    async def app(scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        seen["user"] = scope["user"]

    headers = [(b"cookie", cookie.encode())] if cookie is not None else []
    await SessionUserMiddleware(app)({"type": "websocket", "headers": headers}, None, None)
    return seen["user"]


async def test_the_session_cookie_signs_in_its_user() -> None:
    user = await sync_to_async(make_user)()
    key = await sync_to_async(session_id)(user)

    seen = await _user_seen(f"theme=dark; sessionid={key}")

    assert getattr(seen, "pk", None) == user.pk and seen.is_authenticated  # type: ignore[attr-defined]


@pytest.mark.parametrize("cookie", [None, "theme=dark", "sessionid=", "sessionid=not-a-session"])
async def test_no_or_an_unknown_session_is_anonymous(cookie: str | None) -> None:
    seen = await _user_seen(cookie)

    assert not seen.is_authenticated  # type: ignore[attr-defined]


async def test_a_password_change_ends_the_sockets_session_as_it_ends_the_pages() -> None:
    user = await sync_to_async(make_user)()
    key = await sync_to_async(session_id)(user)
    user.set_password("a new password, changed elsewhere")
    await sync_to_async(user.save)()

    seen = await _user_seen(f"sessionid={key}")

    assert not seen.is_authenticated  # type: ignore[attr-defined]


async def test_a_deactivated_user_is_anonymous() -> None:
    user = await sync_to_async(make_user)()
    key = await sync_to_async(session_id)(user)
    user.is_active = False
    await sync_to_async(user.save)()

    seen = await _user_seen(f"sessionid={key}")

    assert not seen.is_authenticated  # type: ignore[attr-defined]
