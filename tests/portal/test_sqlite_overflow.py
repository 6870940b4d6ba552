"""On SQLite, numbers beyond its integer range get a 4xx or an empty answer, never a 500.

Before the fix each of these URLs raised ``OverflowError`` inside the SQLite
driver. The requests run in a subprocess on a fresh SQLite database
(``tests.portal.sqlite_requests``), as ``bin/start`` runs the portal.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.services import REPO_ROOT

pytestmark = pytest.mark.slow

HUGE = str(10**30)
API_FILTERS = [f"/api/v1/sites/?organization={HUGE}", f"/api/v1/audit-events/?actor={HUGE}",
               f"/api/v1/notification-deliveries/?organization={HUGE}"]  # fmt: skip
EMPTY_OR_MISSING = [
    f"/admin/accounts/membership/?organization={HUGE}", f"/admin/cameras/camera/?site__exact={HUGE}",
    f"/admin/recordings/clip/?camera_id={HUGE}", f"/admin/accounts/auditevent/?actor__in={HUGE}",
    f"/admin/recordings/motionsettings/{HUGE}/change/", f"/api/v1/tokens/{HUGE}/", f"/members/{HUGE}/",
]  # fmt: skip


def test_out_of_range_ids_on_sqlite_are_no_server_error(tmp_path: Path) -> None:
    env = {name: value for name, value in os.environ.items() if name not in ("DATABASE_URL", "REDIS_URL")}
    env["CCTV_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "tests.portal.sqlite_requests", *API_FILTERS, *EMPTY_OR_MISSING],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=240,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    statuses = json.loads(result.stdout.splitlines()[-1])

    assert {url: statuses[url] for url in API_FILTERS} == dict.fromkeys(API_FILTERS, 400)
    assert all(statuses[url] in (200, 302, 404) for url in EMPTY_OR_MISSING), statuses
