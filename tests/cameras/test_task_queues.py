"""The cameras tasks keep their names and their queues: each declares its queue, settings route none of them.

Beat schedules and messages already queued name these tasks, and the ``ptz``
queue may have workers of its own in production, so a task that moved
module or was renamed must still be registered under its old name and still
land on the same queue.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from django.conf import settings

from portal.celery import app
from tests.support.services import REPO_ROOT

# Every cameras task and the queue its messages went to before the queues moved onto the tasks
# (then: CELERY_TASK_ROUTES sent "cameras.tasks.ptz_*" to "ptz", everything else to the default "celery").
QUEUES = {
    "cameras.tasks.sync_camera_streams": "celery",
    "cameras.tasks.remove_camera_streams": "celery",
    "cameras.tasks.reconcile_gateways": "celery",
    "cameras.tasks.refresh_camera_health": "celery",
    "cameras.tasks.refresh_ptz_capabilities": "celery",
    "cameras.tasks.ptz_command": "ptz",
    "cameras.tasks.ptz_stop_if_idle": "ptz",
    "cameras.tasks.ptz_refresh_status": "ptz",
    "cameras.tasks.ptz_set_preset": "ptz",
    "cameras.tasks.ptz_remove_preset": "ptz",
}

# A fresh interpreter that loads the tasks the way a worker does (autodiscovery of each app's "tasks").
WORKER_VIEW = """
import json, django
django.setup()
from portal.celery import app
app.loader.import_default_modules()
print(json.dumps(sorted(name for name in app.tasks if name.startswith("cameras."))))
"""


def routed_queue(name: str) -> str:
    """The queue a message of this task goes to: the task's own options through the app's router, as sent."""
    task = app.tasks[name]
    options = app.amqp.router.route(dict(task._get_exec_options()), name, (), {}, task)
    return options["queue"].name


def test_a_worker_registers_every_cameras_task_under_its_old_name() -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings"}
    result = subprocess.run([sys.executable, "-c", WORKER_VIEW], cwd=REPO_ROOT, env=env, capture_output=True,
                            text=True, timeout=120, check=False)

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == sorted(QUEUES)


def test_each_cameras_task_goes_to_the_queue_it_declares() -> None:
    app.loader.import_default_modules()

    assert {name: routed_queue(name) for name in QUEUES} == QUEUES
    assert {name: app.tasks[name].queue_name for name in QUEUES} == QUEUES


def test_settings_route_no_cameras_task() -> None:
    assert not [pattern for pattern in settings.CELERY_TASK_ROUTES if pattern.startswith("cameras.")]
