"""The database under concurrent writers, and the SQLite options bin/start runs with.

Marked ``sqlite``: the main pass runs these on PostgreSQL, the SQLite pass on
its SQLite file, opened with the portal's own options (``CCTV_SQLITE_OPTIONS``).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, transaction
from rest_framework.test import APIClient

from accounts.models import Invitation
from cameras import health
from cameras.models import CameraStatus
from portal.settings import database_from_url
from tests.api.conftest import API
from tests.conftest import World
from tests.support.concurrency import run_at_once

pytestmark = pytest.mark.sqlite

WRITERS = 6
INVITES_EACH = 8


@pytest.fixture
def probe_database(tmp_path: Path, django_db_blocker: Any) -> Iterator[Any]:
    """Connection ``probe``: a fresh SQLite file, configured as ``DATABASE_URL=sqlite:///...`` would be."""
    config = database_from_url(f"sqlite:///{tmp_path / 'probe.sqlite3'}")
    connections.settings["probe"] = connections.configure_settings({"default": config})["default"]
    try:
        with django_db_blocker.unblock():
            yield connections["probe"]
    finally:
        connections["probe"].close()
        del connections["probe"]
        del connections.settings["probe"]


POSTGRES_URL = "postgres://cctv:secret@db.example:5432/cctv"


def test_postgresql_connections_come_from_a_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    """Not kept per thread: under ASGI every request runs on a new thread (tests/live/test_database_pool.py)."""
    monkeypatch.delenv("DATABASE_POOL", raising=False)
    monkeypatch.setenv("DATABASE_POOL_MAX_SIZE", "12")
    config = database_from_url(POSTGRES_URL)
    assert config["CONN_MAX_AGE"] == 0  # Django refuses a pool with kept connections
    assert config["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 12, "timeout": 20}


def test_the_pool_can_be_turned_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_POOL", "off")
    config = database_from_url(POSTGRES_URL)
    assert "pool" not in config.get("OPTIONS", {})
    assert config["CONN_MAX_AGE"] == 60


def test_a_pool_setting_that_is_not_yes_or_no_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_POOL", "sometimes")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_POOL must be true or false"):
        database_from_url(POSTGRES_URL)


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(probe_database: Any) -> None:
    with probe_database.cursor() as cursor:
        pragmas = {name: cursor.execute(f"PRAGMA {name}").fetchone()[0]
                   for name in ("journal_mode", "busy_timeout", "synchronous")}
    timeout_ms = settings.CCTV_SQLITE_OPTIONS["timeout"] * 1000
    assert pragmas == {"journal_mode": "wal", "busy_timeout": timeout_ms, "synchronous": 1}  # 1 is NORMAL


def test_sqlite_transactions_take_the_write_lock_when_they_begin(probe_database: Any) -> None:
    """IMMEDIATE: a transaction that reads before it writes cannot be refused the lock halfway."""
    path = probe_database.settings_dict["NAME"]
    with probe_database.cursor() as cursor:
        cursor.execute("CREATE TABLE probe (n integer)")
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with transaction.atomic(using="probe"):
            probe_database.cursor().execute("SELECT count(*) FROM probe")
            with pytest.raises(sqlite3.OperationalError, match="database is locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again once the transaction ended
        other.execute("ROLLBACK")
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_wait_for_each_other_instead_of_failing(world: World) -> None:
    """People invited over the API while the health check writes camera statuses: every write lands.

    On SQLite with its defaults this failed with "database is locked" (a 500 on POST /api/v1/members/).
    Adding a member now sends an invitation (202) instead of making the membership (201).
    """
    admins = []
    for _ in range(WRITERS):
        client = APIClient()
        client.force_login(world.admin)
        admins.append(client)

    def invite(writer: int) -> Callable[[], list[int]]:
        def job() -> list[int]:
            codes = []
            for n in range(INVITES_EACH):
                body = {"organization": world.org_a.pk, "email": f"w{writer}-{n}@a.example.test", "role": "viewer"}
                codes.append(admins[writer].post(f"{API}/members/", body, format="json").status_code)
            return codes

        return job

    def health_check() -> int:
        statuses = [CameraStatus.ONLINE, CameraStatus.OFFLINE] * INVITES_EACH
        return sum(health.set_status(camera.pk, status) for status in statuses for camera in world.cameras_a)

    invitations_before = Invitation.objects.pending().count()
    *invites, status_changes = run_at_once([invite(writer) for writer in range(WRITERS)] + [health_check])

    assert invites == [[202] * INVITES_EACH] * WRITERS
    assert Invitation.objects.pending().count() == invitations_before + WRITERS * INVITES_EACH
    assert status_changes == 2 * INVITES_EACH * len(world.cameras_a)
