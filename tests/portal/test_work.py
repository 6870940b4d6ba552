"""Queueing work by task name (``portal.work.enqueue``): after commit, run here without a broker, on the declared queue.

The helper replaces ``Task.delay_on_commit`` and friends in services, so it
must do what they did: nothing until the transaction commits, nothing at all
if it rolls back, the task run in this process when Celery is eager (no
broker; Celery's ``send_task`` would ignore that), and each message on the
queue its task declares even from a web process that never imported the
tasks modules. The last one is proved in a fresh interpreter against the
test Redis, reading the messages the broker holds.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from celery import current_app
from celery.exceptions import NotRegistered
from django.conf import settings
from django.db import transaction

from portal.work import CapturedWork, QueuedWork, captured, enqueue
from tests.portal.test_celery_queues import EXPECTED_QUEUES
from tests.support.services import REPO_ROOT

pytestmark = pytest.mark.django_db

NOTE = "tests.portal.test_work.note"


@pytest.fixture
def noted() -> Iterator[list[tuple[str, tuple, dict]]]:
    """A task registered for this test only; each run notes (its id, args, kwargs). Celery runs tasks eagerly."""
    runs: list[tuple[str, tuple, dict]] = []

    def note(self: Any, *args: Any, **kwargs: Any) -> None:
        runs.append((self.request.id, args, kwargs))

    current_app.task(name=NOTE, bind=True)(note)
    eager, current_app.conf.task_always_eager = current_app.conf.task_always_eager, True
    try:
        yield runs
    finally:
        current_app.conf.task_always_eager = eager
        current_app.tasks.unregister(NOTE)


class Boom(Exception):
    pass


def test_eager_work_runs_here_once_the_transaction_commits(noted: list, django_capture_on_commit_callbacks:
                                                           Callable) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        enqueue(NOTE, 7, "seven", task_id="fixed-id", countdown=30, colour="red")
        assert noted == []  # not before the commit

    assert noted == [("fixed-id", (7, "seven"), {"colour": "red"})]


def test_work_queued_in_a_rolled_back_transaction_never_runs(noted: list, django_capture_on_commit_callbacks:
                                                             Callable) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, contextlib.suppress(Boom), \
            transaction.atomic():
        enqueue(NOTE, 1)
        raise Boom

    assert (callbacks, noted) == ([], [])


def test_captured_work_is_recorded_with_its_options_and_not_sent(noted: list, django_capture_on_commit_callbacks:
                                                                 Callable) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, captured() as queued:
        enqueue(NOTE, 1, task_id="abc", expires=5, colour="red")

    assert queued == [QueuedWork(NOTE, (1,), {"colour": "red"}, {"task_id": "abc", "expires": 5})]
    assert (callbacks, noted) == ([], [])


def test_the_queued_work_fixture_keeps_what_each_task_got(queued_work: CapturedWork) -> None:
    enqueue("recordings.tasks.deliver_notification", 3)
    enqueue("cameras.tasks.sync_camera_streams", 4)

    assert queued_work.named("recordings.tasks.deliver_notification") == [
        QueuedWork("recordings.tasks.deliver_notification", (3,))]


def test_a_name_that_is_no_task_fails_in_the_caller() -> None:
    with pytest.raises(NotRegistered), captured():
        enqueue("recordings.tasks.no_such_task", 1)


# A web process: Django set up, no tasks module imported; work queued outside a transaction is sent at once.
WEB_PROCESS = """
import json, django
django.setup()
import redis
from celery import current_app
from django.conf import settings
from portal.work import enqueue

registered_before = sorted(name for name in current_app.tasks if not name.startswith("celery."))
broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
broker.flushdb()
enqueue("cameras.tasks.ptz_refresh_status", 1, 2, expires=5)
enqueue("recordings.tasks.export_clip", 3, task_id="export-3")
enqueue("recordings.tasks.deliver_notification", 4)
queues, ids = {}, {}
for queue in ("ptz", "exports", "celery"):
    headers = [json.loads(raw)["headers"] for raw in broker.lrange(queue, 0, -1)]
    queues[queue] = [[header["task"], header["expires"] is not None] for header in headers]
    ids |= {header["task"]: header["id"] for header in headers}
broker.flushdb()
print(json.dumps({"registered_before": registered_before, "queues": queues, "ids": ids}))
"""


def test_work_sent_by_name_from_a_web_process_lands_on_the_queue_its_task_declares() -> None:
    broker_db = settings.REDIS_URL.rsplit("/", 1)[0] + "/7"  # a database no worker of the suite reads
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "CELERY_BROKER_URL": broker_db,
           "DATABASE_URL": "sqlite:///:memory:"}
    result = subprocess.run([sys.executable, "-c", WEB_PROCESS], cwd=REPO_ROOT, env=env, capture_output=True,
                            text=True, timeout=120, check=False)

    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["registered_before"] == []  # the trap: a web process knows no task until one is queued
    assert seen["queues"] == {  # [task, has an expiry]
        "ptz": [["cameras.tasks.ptz_refresh_status", True]],
        "exports": [["recordings.tasks.export_clip", False]],
        "celery": [["recordings.tasks.deliver_notification", False]],
    }
    assert seen["ids"]["recordings.tasks.export_clip"] == "export-3"


def test_the_asgi_application_registers_every_task_at_start() -> None:
    """Not during the first request: loading them (the ONVIF library too) delayed a held PTZ arrow's first moves."""
    code = ("import json; import portal.asgi; from celery import current_app; "
            "print(json.dumps(sorted(name for name in current_app.tasks if not name.startswith('celery.'))))")
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DATABASE_URL": "sqlite:///:memory:"}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=120, check=False)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == sorted(EXPECTED_QUEUES)
