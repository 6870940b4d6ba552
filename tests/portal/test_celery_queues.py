"""Every Celery task lands on the queue it must: a rename or a move must not send it elsewhere.

Queues decide which workers run a task (exports on ``exports``, PTZ on the
fast ``ptz`` lane, motion watches only on thread-pool ``motion`` workers), so
the table below is the deployment's contract. The queue is resolved as a
send resolves it (``CELERY_TASK_ROUTES``: the router that reads the task's ``queue_name``, then
the default queue), after loading the task modules as a worker does.
"""

from __future__ import annotations

import pytest
from celery import Task
from django.conf import settings

from portal.celery import app

EXPECTED_QUEUES = {
    "cameras.tasks.ptz_command": "ptz",
    "cameras.tasks.ptz_refresh_status": "ptz",
    "cameras.tasks.ptz_remove_preset": "ptz",
    "cameras.tasks.ptz_set_preset": "ptz",
    "cameras.tasks.ptz_stop_if_idle": "ptz",
    "cameras.tasks.reconcile_gateways": "celery",
    "cameras.tasks.refresh_camera_health": "celery",
    "cameras.tasks.refresh_ptz_capabilities": "celery",
    "cameras.tasks.remove_camera_streams": "celery",
    "cameras.tasks.sync_camera_streams": "celery",
    "recordings.footage.tasks.enforce_footage_quotas": "celery",
    "recordings.footage.tasks.expire_footage": "celery",
    "recordings.footage.tasks.guard_recordings_volume": "celery",
    "recordings.footage.tasks.move_footage": "celery",
    "recordings.footage.tasks.notice_stopped_recordings": "celery",
    "recordings.footage.tasks.notify_notice": "celery",
    "recordings.tasks.assemble_bundle": "exports",
    "recordings.tasks.deliver_notification": "celery",
    "recordings.tasks.dispatch_motion_watchers": "celery",
    "recordings.tasks.expire_clips": "celery",
    "recordings.tasks.export_clip": "exports",
    "recordings.tasks.export_range_clip": "exports",
    "recordings.tasks.notify_motion_event": "celery",
    "recordings.tasks.requeue_stale_deliveries": "celery",
    "recordings.tasks.sweep_clips": "celery",
    "recordings.tasks.watch_camera": "motion",
}
# Clips, motion and notifications keep these names from before their packages: beat and queued messages use them.
RECORDINGS_TASKS = sorted(name for name in EXPECTED_QUEUES if name.startswith("recordings.tasks."))


@pytest.fixture(scope="module")
def registered() -> dict[str, Task]:
    app.loader.import_default_modules()  # what a worker does at start: autodiscover every app's tasks
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def queue_of(name: str, task: Task) -> str:
    options = app.amqp.router.route(dict(task._get_exec_options()), name, task_type=task)
    return options["queue"].name


def test_every_registered_task_has_the_queue_it_must_have(registered: dict[str, Task]) -> None:
    assert {name: queue_of(name, task) for name, task in registered.items()} == EXPECTED_QUEUES


@pytest.mark.parametrize("name", RECORDINGS_TASKS)
def test_recordings_tasks_declare_their_queue_on_the_task(registered: dict[str, Task], name: str) -> None:
    assert registered[name].queue_name == EXPECTED_QUEUES[name]
    assert not any(route.startswith("recordings.") for route in settings.CELERY_TASK_ROUTES)


def test_every_beat_schedule_names_a_registered_task(registered: dict[str, Task]) -> None:
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled <= set(registered)
