"""A streaming response gives its pooled database connection back before its bytes go out."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.test import RequestFactory

from accounts.models import User
from portal.streaming import ReleaseDatabaseWhileStreamingMiddleware

pytestmark = pytest.mark.django_db(transaction=True)


def _view(response: Callable[[], HttpResponseBase]) -> Callable[[HttpRequest], HttpResponseBase]:
    def view(request: HttpRequest) -> HttpResponseBase:
        User.objects.exists()  # the view used the database, as every real one does
        return response()

    return view


def _through_middleware(response: Callable[[], HttpResponseBase]) -> HttpResponseBase:
    request = RequestFactory().get("/download")
    request.user = AnonymousUser()
    return ReleaseDatabaseWhileStreamingMiddleware(_view(response))(request)


def test_the_test_database_is_pooled() -> None:
    """What the tests below rely on: PostgreSQL through the portal's pool (DATABASE_POOL, on by default)."""
    assert connection.vendor == "postgresql"
    assert connection.pool is not None
    assert connection.settings_dict["CONN_MAX_AGE"] == 0


def test_a_streaming_response_gives_its_connection_back_before_sending() -> None:
    response = _through_middleware(lambda: StreamingHttpResponse(iter([b"segment bytes"])))
    assert connection.connection is None  # back in the pool while the bytes go out
    assert b"".join(response.streaming_content) == b"segment bytes"  # type: ignore[attr-defined]
    assert User.objects.count() == 0  # and the next query simply takes one again


def test_an_ordinary_response_keeps_its_connection_until_the_request_ends() -> None:
    _through_middleware(lambda: HttpResponse(b"page"))
    assert connection.connection is not None  # Django's request_finished gives it back, as before


def test_the_middleware_is_the_outermost() -> None:
    """It must see the response after every other middleware (the session's save) used the database."""
    assert settings.MIDDLEWARE[0] == "portal.streaming.ReleaseDatabaseWhileStreamingMiddleware"


def test_a_connection_inside_a_transaction_is_left_alone() -> None:
    """Closing it would end the transaction (a test's, or a middleware's): the request's end gives it back."""
    with transaction.atomic():
        _through_middleware(lambda: StreamingHttpResponse(iter([b"segment bytes"])))
        assert connection.connection is not None
        assert User.objects.count() == 0
