"""The suite runs on the real parts: PostgreSQL (or the SQLite pass's file), Redis, its cache and channel layer."""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import redis
from channels.layers import get_channel_layer
from django.conf import settings
from django.core.cache import cache
from django.db import connection

from accounts.models import Membership, Organization
from accounts.roles import Role
from tests.support.services import REPO_ROOT, free_port, subprocess_env


def test_database_is_postgresql(db: None) -> None:
    assert connection.vendor == "postgresql"
    assert connection.pg_version >= 150000
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL ")


def test_redis_answers_ping() -> None:
    assert settings.REDIS_URL.startswith("redis://")
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)
    try:
        assert client.ping() is True
    finally:
        client.close()


def test_cache_round_trips_through_redis() -> None:
    assert settings.CACHES["default"]["BACKEND"] == "portal.cache.SharedPoolRedisCache"
    key, value = f"infra-{uuid.uuid4()}", {"answer": 42}
    cache.set(key, value, timeout=30)
    assert cache.get(key) == value
    # The value really sits in Redis, not in some in-process stand-in.
    raw = redis.Redis.from_url(settings.CACHES["default"]["LOCATION"], socket_timeout=5)
    try:
        assert raw.exists(cache.make_key(key)) == 1
    finally:
        raw.close()
    cache.delete(key)
    assert cache.get(key) is None


def test_cache_reads_from_many_async_contexts_share_a_few_redis_connections() -> None:
    """Django makes a cache object per async context; the stock backend opened a connection for each."""
    from asgiref.sync import sync_to_async
    from django.core.cache import caches

    contexts = 60
    key = f"infra-{uuid.uuid4()}"
    cache.set(key, "shared", timeout=30)
    raw = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5)

    def connections_made() -> int:
        return int(raw.info("stats")["total_connections_received"])

    async def read_in_fresh_contexts() -> list[str]:
        # Each task is its own context, so ``caches["default"]`` is a new object in each.
        read = sync_to_async(lambda: caches["default"].get(key), thread_sensitive=False)
        return await asyncio.gather(*(asyncio.create_task(read()) for _ in range(contexts)))

    try:
        before = connections_made()
        # Started from an empty context, like Daphne's connections (nothing inherited from this test's own).
        assert contextvars.Context().run(asyncio.run, read_in_fresh_contexts()) == ["shared"] * contexts
        # At most one connection per pool thread that ran a read (asgiref's pool is small).
        assert connections_made() - before <= 10
    finally:
        raw.close()
        cache.delete(key)


async def test_channel_layer_round_trips_through_redis() -> None:
    assert settings.CHANNEL_LAYERS["default"]["BACKEND"] == "channels_redis.core.RedisChannelLayer"
    layer = get_channel_layer()
    channel = await layer.new_channel()
    await layer.send(channel, {"type": "infra.ping", "n": 1})
    assert await layer.receive(channel) == {"type": "infra.ping", "n": 1}


def test_celery_uses_the_redis_broker() -> None:
    from portal.celery import app

    assert app.conf.broker_url == settings.REDIS_URL
    assert not app.conf.task_always_eager


@pytest.mark.sqlite
@pytest.mark.django_db(transaction=True)
def test_subprocess_sees_the_test_database() -> None:
    """A worker or server started by a test reaches the very database the test writes to (the SQLite file too)."""
    Organization.objects.create(name="Seen from a subprocess")
    code = (
        "import django; django.setup(); "
        "from accounts.models import Organization; "
        "print(Organization.objects.filter(name='Seen from a subprocess').count())"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO_ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1"


WORKER_PROBE = """
import json, os
from pathlib import Path

from django.db import connection


def test_probe(db):
    probe = {"url": os.environ["DATABASE_URL"], "name": connection.settings_dict["NAME"],
             "data": os.environ["CCTV_DATA_DIR"], "worker": os.environ["PYTEST_XDIST_WORKER"]}
    Path(os.environ["PROBE_DIR"], probe["worker"] + ".json").write_text(json.dumps(probe))
"""


@pytest.mark.integration
def test_each_xdist_worker_has_its_own_servers_and_keeps_the_database_name(tmp_path: Path) -> None:
    """bin/test's workers: each its own PostgreSQL and data directory, its database named as its subprocesses see it."""
    (tmp_path / "test_probe.py").write_text(WORKER_PROBE)
    # The suite's own answer to pytest-django's per-worker database name, as tests/ would load it.
    (tmp_path / "conftest.py").write_text("from tests.conftest import django_db_modify_db_settings_xdist_suffix\n")
    env = {key: value for key, value in os.environ.items() if not key.startswith(("PYTEST_", "CCTV_TEST_"))}
    for name in ("DATABASE_URL", "REDIS_URL", "CCTV_DATA_DIR"):
        env.pop(name, None)
    env["PROBE_DIR"] = str(tmp_path)
    result = subprocess.run(  # noqa: S603  (fixed argv)
        [sys.executable, "-m", "pytest", "-c", str(REPO_ROOT / "pyproject.toml"), "--rootdir", str(REPO_ROOT),
         "-n", "2", "--dist", "each", "-p", "no:cacheprovider", "-q",
         str(tmp_path / "test_probe.py")],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=240,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    probes = [json.loads(path.read_text()) for path in sorted(tmp_path.glob("gw*.json"))]
    assert [probe["worker"] for probe in probes] == ["gw0", "gw1"]
    assert len({probe["url"] for probe in probes}) == 2  # two clusters
    assert len({probe["data"] for probe in probes}) == 2
    for probe in probes:
        assert probe["name"] == probe["url"].rsplit("/", 1)[1] == "cctv", probe


def test_free_port_is_bindable() -> None:
    import socket

    port = free_port()
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))


def test_media_goes_to_a_throwaway_directory() -> None:
    assert str(settings.MEDIA_ROOT).startswith(os.environ["CCTV_DATA_DIR"])
    assert not str(settings.MEDIA_ROOT).startswith(str(REPO_ROOT))


def test_world_fixture(world, client_for) -> None:
    assert world.org_a.sites.count() == 2
    assert Membership.objects.filter(organization=world.org_a).count() == 5
    assert list(world.membership(world.restricted_viewer).sites.all()) == [world.site_a1]
    assert world.admin.is_staff and world.admin_b.is_staff
    assert world.membership(world.admin_b, world.org_b).role == Role.ADMIN
    assert world.viewer.check_password(world.password)
    # Camera sources are encrypted at rest and decrypted on load.
    with connection.cursor() as cursor:
        cursor.execute("SELECT main_source FROM cameras_camera WHERE id = %s", [world.camera_a1.pk])
        stored = cursor.fetchone()[0]
    assert "Secr3tPass" not in stored
    assert "Secr3tPass" in type(world.camera_a1).objects.get(pk=world.camera_a1.pk).main_source
    client = client_for(world.operator)
    assert client.session["_auth_user_id"] == str(world.operator.pk)
