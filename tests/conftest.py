"""Fixtures shared by the whole suite.

``world`` builds two tenants with every role; ``client_for(user)`` returns a
logged-in test client. Builders for anything else are in ``tests.support.factories``.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client

from accounts.models import Membership, Organization, User
from accounts.roles import Role
from cameras import hosts
from cameras.models import Camera, Site
from portal import work
from portal.work import CapturedWork
from tests.support.factories import (
    CAMERA_SUB_SOURCE,
    PASSWORD,
    make_camera,
    make_member,
    make_organization,
    make_site,
    make_user,
)
from tests.support.services import DATABASE_FLAG, session_database


@pytest.fixture(autouse=True)
def _clear_cache() -> None:
    """Every test starts with an empty cache (login rate limits live there)."""
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_host_checks() -> None:
    """Workers' host checks cache the forbidden addresses for seconds; each test starts without."""
    hosts.clear_cache()


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> Callable[[dict[str, list[str]]], None]:
    """``fake_dns({"cam.lan": ["192.168.1.5"]})``: host names resolve from this table only (no DNS here)."""
    table: dict[str, list[str]] = {}

    def lookup(name: str) -> list[str]:
        if name not in table:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return table[name]

    monkeypatch.setattr(hosts, "lookup", lookup)
    return table.update


@pytest.fixture
def queued_work() -> Iterator[CapturedWork]:
    """What the code under test queued (``portal.work.enqueue``), recorded instead of sent: name, args, options."""
    with work.captured() as queued:
        yield queued


FLUSH_ATTEMPTS = 5


@pytest.fixture(scope="session", autouse=True)
def _flush_survives_a_deadlock() -> Iterator[None]:
    """Retry the end-of-test TRUNCATE when PostgreSQL picks it as a deadlock victim.

    Transactional tests end by truncating every table, one lock after
    another. A live server or Celery worker still running that test's last
    query may take its locks in the other order; PostgreSQL then aborts the
    TRUNCATE, the other side finishes at once, and the next attempt succeeds.
    """
    import psycopg
    from django.db import OperationalError
    from django.db.backends.postgresql.operations import DatabaseOperations

    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self: DatabaseOperations, sql_list: list[str]) -> None:
        for attempt in range(1, FLUSH_ATTEMPTS + 1):
            try:
                original(self, sql_list)
                return
            except OperationalError as exc:
                if not isinstance(exc.__cause__, psycopg.errors.DeadlockDetected) or attempt == FLUSH_ATTEMPTS:
                    raise
                time.sleep(0.2 * attempt)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(DatabaseOperations, "execute_sql_flush", execute_sql_flush)
        yield


@pytest.fixture(scope="session")
def django_db_modify_db_settings_xdist_suffix() -> None:
    """Keep the test database's name under pytest-xdist (pytest-django would add ``_gw0``).

    Each worker has servers of its own (tests.support.services), and the
    Celery workers, Daphnes and ``manage.py`` runs a test starts reach its
    database by the name in the inherited ``DATABASE_URL``.
    """


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """pytest-django's test database, minus stray sessions at the end.

    Connections left open by worker threads of async tests or by subprocesses
    would make dropping the test database fail with "is being accessed by
    other users"; they are ended first.
    """
    yield
    if connection.vendor != "postgresql":
        return  # a SQLite file is removed whoever still has it open
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(scope="session", autouse=True)
def _runs_on_the_database_of_its_pass() -> None:
    """The SQLite pass really runs on a SQLite file, the main pass on PostgreSQL (tests.support.services chose it)."""
    expected = session_database()
    assert connection.vendor == expected, f"{DATABASE_FLAG}={expected} but the tests would run on {connection.vendor}"
    if expected == "sqlite":
        assert not connection.creation.is_in_memory_db(connection.settings_dict["TEST"]["NAME"])


@dataclass
class World:
    """Two organizations. Every user's password is ``world.password``.

    Organization A ("Org A"):
      - ``site_a1`` with ``camera_a1`` and ``camera_a1_sub`` (has a sub stream),
        ``site_a2`` with ``camera_a2``;
      - ``owner``, ``admin`` (also ``is_staff``), ``operator``, ``viewer``: whole organization;
      - ``restricted_viewer``: a viewer limited to ``site_a1``.

    Organization B ("Org B"): ``site_b`` with ``camera_b``; ``admin_b`` (also ``is_staff``).
    ``outsider`` belongs to no organization.
    """

    password: str
    org_a: Organization
    org_b: Organization
    site_a1: Site
    site_a2: Site
    site_b: Site
    camera_a1: Camera
    camera_a1_sub: Camera
    camera_a2: Camera
    camera_b: Camera
    owner: User
    admin: User
    operator: User
    viewer: User
    restricted_viewer: User
    admin_b: User
    outsider: User

    @property
    def cameras_a(self) -> list[Camera]:
        return [self.camera_a1, self.camera_a1_sub, self.camera_a2]

    def membership(self, user: User, organization: Organization | None = None) -> Membership:
        return Membership.objects.get(user=user, organization=organization or self.org_a)


@pytest.fixture
def world(db: None) -> World:
    org_a = make_organization("Org A")
    org_b = make_organization("Org B")
    site_a1 = make_site(org_a, "A Head Office", timezone="Europe/Paris")
    site_a2 = make_site(org_a, "A Warehouse")
    site_b = make_site(org_b, "B Depot")
    camera_a1 = make_camera(site_a1, "A1 Entrance")
    camera_a1_sub = make_camera(site_a1, "A1 Lobby", sub_source=CAMERA_SUB_SOURCE)
    camera_a2 = make_camera(site_a2, "A2 Loading Bay", main_source="rtsp://viewer:Wareh0use@10.0.2.15/stream1")
    camera_b = make_camera(site_b, "B Gate", main_source="rtsp://admin:Gate-B-pass@10.20.0.5:554/live")

    owner = make_user("owner@a.example.test", PASSWORD)
    admin = make_user("admin@a.example.test", PASSWORD, is_staff=True)
    operator = make_user("operator@a.example.test", PASSWORD)
    viewer = make_user("viewer@a.example.test", PASSWORD)
    restricted_viewer = make_user("restricted@a.example.test", PASSWORD)
    admin_b = make_user("admin@b.example.test", PASSWORD, is_staff=True)
    outsider = make_user("outsider@example.test", PASSWORD)

    make_member(owner, org_a, Role.OWNER)
    make_member(admin, org_a, Role.ADMIN)
    make_member(operator, org_a, Role.OPERATOR)
    make_member(viewer, org_a, Role.VIEWER)
    make_member(restricted_viewer, org_a, Role.VIEWER, sites=[site_a1])
    make_member(admin_b, org_b, Role.ADMIN)

    return World(
        password=PASSWORD,
        org_a=org_a,
        org_b=org_b,
        site_a1=site_a1,
        site_a2=site_a2,
        site_b=site_b,
        camera_a1=camera_a1,
        camera_a1_sub=camera_a1_sub,
        camera_a2=camera_a2,
        camera_b=camera_b,
        owner=owner,
        admin=admin,
        operator=operator,
        viewer=viewer,
        restricted_viewer=restricted_viewer,
        admin_b=admin_b,
        outsider=outsider,
    )


@pytest.fixture
def client_for(db: None) -> Callable[[User], Client]:
    """``client_for(user)`` -> a Django test client with ``user`` logged in (one client per call)."""

    def build(user: User) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return build


@pytest.fixture
def org_a_rows(world: World) -> Any:
    """One row of every feature resource in Org A (``tests.support.isolation.OrgARows``)."""
    from tests.support.isolation import make_org_a_rows

    return make_org_a_rows(world)
