"""Background work for motion detection: the dispatcher (beat) and the watches (``motion`` queue).

Names stay ``recordings.tasks.<name>`` (beat schedules and queued messages
use them); each declares its queue here, on the task.
"""

from __future__ import annotations

from celery import shared_task
from celery.signals import worker_shutting_down
from django.utils import timezone

# A queued watch that no motion worker took within this long is dropped; the
# dispatcher queues a fresh one (so a deployment without motion workers does
# not pile up messages).
WATCH_PENDING_SECONDS = 30


@shared_task(name="recordings.tasks.watch_camera", queue_name="motion", bind=True, ignore_result=True)
def watch_camera(self, camera_id: int) -> None:  # type: ignore[no-untyped-def]
    """Watch one camera for motion for one session (``motion`` queue, thread pool)."""
    from recordings.motion import watch

    watch.watch(camera_id, owner=self.request.hostname or "worker")


@shared_task(name="recordings.tasks.dispatch_motion_watchers", queue_name="celery")
def dispatch_motion_watchers() -> int:
    """Beat: queue a watch for every armed camera that no worker holds."""
    from recordings.motion import watch

    camera_ids = watch.cameras_to_dispatch(timezone.now(), WATCH_PENDING_SECONDS)
    for camera_id in camera_ids:
        watch_camera.apply_async((camera_id,), expires=WATCH_PENDING_SECONDS)
    return len(camera_ids)


@worker_shutting_down.connect
def _stop_motion_watches(**kwargs: object) -> None:
    from recordings.motion import watch

    watch.STOPPING.set()
