"""Where Celery finds the tasks of clips, motion and notifications.

The worker's autodiscovery imports ``<app>.tasks`` for each installed app,
so this module imports each feature's task module. Every task there is
registered under the name it had before the features became packages
(``recordings.tasks.<name>``), which beat schedules and queued messages
use, and declares its queue on the task itself. (Celery 5.5+ warns that the
``queue`` task attribute goes away in 6.0; requirements keep Celery below 6,
and tests/portal/test_celery_queues.py fails if a send resolves another queue.)
"""

from recordings.clips import tasks as clip_tasks
from recordings.motion import tasks as motion_tasks
from recordings.notifications import tasks as notification_tasks

__all__ = ["clip_tasks", "motion_tasks", "notification_tasks"]
