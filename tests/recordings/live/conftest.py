"""Real parts for clip exports: the camera simulator, a go2rtc gateway, Celery workers, Daphne, an S3 server."""

from tests.live.conftest import (  # noqa: F401  (fixtures)
    _allow_simulated_cameras,
    camera_sim,
    celery_worker,
    daphne,
    gateway_process,
    gateway_row,
    session_cookie,
)
from tests.recordings.live.fixtures import (  # noqa: F401  (fixtures)
    camera_always_on,
    s3_server,
    scene,
    worker_with,
)
