"""The Celery application shared by every worker and by the web processes.

Every task names its queue on itself, ``@shared_task(name=..., queue_name="exports")``, and the
one router below sends it there: a task renamed or moved keeps its queue, which a table of task
name patterns in settings could not promise. (Celery's own ``queue=`` task option does the same but
is deprecated, to be ignored from Celery 6.)
"""

import os
from typing import Any

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def route_to_declared_queue(name: str, args: Any, kwargs: Any, options: dict, task: Any = None,
                            **extra: Any) -> dict[str, str] | None:
    """Celery router (``CELERY_TASK_ROUTES``): the queue the task declares (``queue_name``), if any."""
    queue = getattr(task, "queue_name", None)
    return {"queue": queue} if queue else None
