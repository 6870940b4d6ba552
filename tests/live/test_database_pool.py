"""Daphne serves requests from a pool of PostgreSQL connections instead of opening one per request.

Under ASGI, Django runs each request's synchronous code on a thread of its
own, so a connection kept per thread (CONN_MAX_AGE) is never used again:
every request opened a new PostgreSQL session. PostgreSQL counts the
sessions it accepted (``pg_stat_database.sessions``).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from django.db import connection

from accounts.roles import Role
from tests.support.factories import make_member, make_organization, make_user

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

REQUESTS = 20


def _sessions_accepted() -> int:
    with connection.cursor() as cursor:  # autocommit: each query sees fresh statistics
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def test_requests_to_daphne_share_a_few_pooled_connections(daphne: Any, session_cookie: Any) -> None:
    viewer = make_user()
    make_member(viewer, make_organization(), Role.VIEWER)
    with httpx.Client(base_url=daphne.http_url, headers={"Cookie": session_cookie(viewer)}) as client:
        assert client.get("/").status_code == 200  # the pool opens with the first request
        before = _sessions_accepted()
        statuses = [client.get("/").status_code for _ in range(REQUESTS)]
    assert statuses == [200] * REQUESTS
    # The pool's own connections may still be opening after the first request (min_size 2); one per
    # request (REQUESTS) was the old behaviour.
    assert _sessions_accepted() - before <= 2
