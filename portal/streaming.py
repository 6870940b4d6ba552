"""A streaming response hands its database connection back before its bytes go out."""

from __future__ import annotations

from collections.abc import Callable

from django.db import connections
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
    kept, as Django would, and so is one inside a transaction (a test's, for
    one): closing it there would end the transaction.

    First in ``MIDDLEWARE``: it sees the response after every other middleware
    (the session's save included) has finished with the database.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if response.streaming:
            for connection in connections.all(initialized_only=True):
                if not connection.in_atomic_block:
                    connection.close_if_unusable_or_obsolete()  # pooled: back to the pool
        return response
