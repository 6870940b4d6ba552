"""Who opened a socket: the user of the session cookie, as Django's pages see them.

Channels' ``AuthMiddlewareStack`` does the same in two trips to Django's one
thread for synchronous code (the session, then the user), which the portal's
page requests share. A live wall opens a socket per tile while its tiles'
pictures are being served, and browsers open sockets one at a time, so
every socket's handshake waited behind the pictures. Here the session and
the user are read in one trip to a pooled thread; the rules are Django's own
(``django.contrib.auth.get_user``: the session's auth hash must match, so a
password change or a logout elsewhere ends the session here too).
"""

from __future__ import annotations

from importlib import import_module
from types import SimpleNamespace
from typing import Any

from channels.middleware import BaseMiddleware
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.models import AnonymousUser
from django.http import parse_cookie

from signaling.db import pooled_db


def _session_key(scope: dict[str, Any]) -> str | None:
    for name, value in scope.get("headers") or ():
        if name == b"cookie":
            return parse_cookie(value.decode("latin-1")).get(settings.SESSION_COOKIE_NAME)
    return None


def user_of_session(session_key: str | None) -> Any:
    """The signed-in user of this session key, or AnonymousUser."""
    if not session_key:
        return AnonymousUser()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    return auth.get_user(SimpleNamespace(session=store(session_key)))  # type: ignore[arg-type]


class SessionUserMiddleware(BaseMiddleware):
    """Puts ``scope["user"]`` from the session cookie, read on a pooled thread."""

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> Any:
        user = await pooled_db(user_of_session)(_session_key(scope))
        return await super().__call__(dict(scope, user=user), receive, send)
