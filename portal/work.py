"""The one way code outside tasks modules queues background work: by task name, after the transaction commits.

Services, views, consumers and commands never import a tasks module (tasks
import services, so that made import circles). They name the task instead::

    enqueue("recordings.tasks.export_clip", clip.pk, task_id=clip.task_id)

and the work is sent once the surrounding transaction commits (at once
outside a transaction), as ``Task.apply_async_on_commit`` does: a worker
never looks for a row that is not committed yet, and a rolled-back request
queues nothing. Only tasks modules, the Celery app and beat's schedule name
tasks by import.

Why not Celery's ``send_task``: it ignores ``task_always_eager`` (no broker:
the work must run here, as ``.delay()`` runs it), and it sends without the
task object, so the router that reads the queue a task declares
(``portal.celery.route_to_declared_queue``) would not see it. The task is
looked up in the app's registry instead, and sent with its own
``apply_async``. Django's setup imports no tasks module (the worker
autodiscovers them at start), so the ASGI application loads them at start
(``load_tasks``), and any other process on the first name not registered yet.

Tests capture instead of sending: ``with captured() as queued:`` (the
``queued_work`` fixture) records each :class:`QueuedWork` at the call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from celery import Task, current_app
from django.db import transaction


@dataclass(frozen=True)
class QueuedWork:
    """One piece of work a caller queued: the task's name, its arguments and the sending options set."""

    name: str
    args: tuple[Any, ...] = ()
    kwargs: dict[str, Any] = field(default_factory=dict)
    options: dict[str, Any] = field(default_factory=dict)


class CapturedWork(list[QueuedWork]):
    """What was queued while capturing, in order."""

    def named(self, name: str) -> list[QueuedWork]:
        return [work for work in self if work.name == name]


_capture: CapturedWork | None = None
_registry_lock = threading.Lock()


def enqueue(name: str, *args: Any, task_id: str | None = None, countdown: float | None = None,
            eta: datetime | None = None, expires: float | datetime | None = None, **kwargs: Any) -> None:
    """Queue the task registered as ``name`` with ``args``/``kwargs`` once the transaction commits.

    ``task_id`` fixes the message's id (clip exports keep it on the row),
    ``countdown``/``eta`` delay the start, ``expires`` drops a message not
    started in time (a PTZ move that waited is worse than none). A name that
    is not a registered task raises at once, in the caller.
    """
    options = {key: value for key, value in
               (("task_id", task_id), ("countdown", countdown), ("eta", eta), ("expires", expires))
               if value is not None}
    task = registered_task(name)
    if _capture is not None:
        _capture.append(QueuedWork(name, args, kwargs, options))
        return
    transaction.on_commit(partial(task.apply_async, args, kwargs, **options))


def registered_task(name: str) -> Task:
    """The task registered as ``name``, loading every app's tasks module first if it is not there yet."""
    if name not in current_app.tasks:
        load_tasks()
    return current_app.tasks[name]  # celery.exceptions.NotRegistered (a KeyError) for an unknown name


def load_tasks() -> None:
    """Import every app's tasks module, as a worker does at start (autodiscovery).

    The ASGI application calls it at start, so that no one's first command
    waits for the imports (the ONVIF library among them).
    """
    with _registry_lock:
        current_app.loader.import_default_modules()


@contextmanager
def captured() -> Iterator[CapturedWork]:
    """Record what is queued inside the block instead of sending it (tests); the list fills as calls happen.

    Recorded at the call, whether or not the transaction later commits (a
    test's transaction never does); what happens after commit is ``enqueue``'s.
    """
    global _capture
    outer, _capture = _capture, CapturedWork()
    try:
        yield _capture
    finally:
        _capture = outer
