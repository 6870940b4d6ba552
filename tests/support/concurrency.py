"""Run jobs in threads at once, each on its own database connection, as separate requests or workers would."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import connections


def run_at_once(jobs: list[Callable[[], Any]]) -> list[Any]:
    """Start every job together (a barrier) in its own thread; their results in job order.

    A job's exception is raised here. Each thread closes its connections when
    its job ends, so none is left open on the test database.
    """
    start = threading.Barrier(len(jobs))

    def run(job: Callable[[], Any]) -> Any:
        start.wait()
        try:
            return job()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))
