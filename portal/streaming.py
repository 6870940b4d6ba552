"""A streaming response hands its database connection back before its bytes go out."""

from __future__ import annotations

from collections.abc import Callable

from django.db import close_old_connections
from django.http import HttpRequest, HttpResponseBase


class ReleaseDatabaseWhileStreamingMiddleware:
    """Give the request's connection back once a streaming response is ready to send.

    Django ends a request's use of the database when the response is closed:
    for a clip download or a footage segment, when the last byte has reached a
    client that may be slow, or stalled on purpose. Until then the connection
    sits idle, taken from the pool (PostgreSQL), so a few dozen stalled
    downloads could leave every other request waiting for one. Nothing in a
    file's bytes needs the database; an iterator that does simply takes a
    connection again. A kept connection (SQLite, or ``DATABASE_POOL=0``) is
    kept, as Django would.

    First in ``MIDDLEWARE``: it sees the response after every other middleware
    (the session's save included) has finished with the database.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.streaming:
            close_old_connections()
        return response
