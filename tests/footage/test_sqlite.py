"""The index on SQLite, the embedded default bin/start runs on: range coverage and counters.

The suite's database is PostgreSQL; this runs the same services in a
subprocess on a fresh SQLite file (no DATABASE_URL), as bin/start would.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import REPO_ROOT

SCRIPT = """
import json
from datetime import UTC, datetime, timedelta
from accounts.models import Organization
from cameras.models import Camera, Site
from recordings.footage import index, timeline
from recordings.footage.models import CameraUsage, OrganizationUsage
from tests.footage.helpers import add

t0 = datetime(2026, 3, 1, tzinfo=UTC)
org = Organization.objects.create(name="O")
camera = Camera.objects.create(site=Site.objects.create(organization=org, name="S"), name="C", main_source="rtsp://x/y")
spans = []
for number in range(60):
    start = t0 + timedelta(seconds=10 * number + (25 if number >= 30 else 0) + (0.004 if number % 2 else 0))
    add(camera, start, 10.0, size=100)
    spans.append((start, start + timedelta(seconds=10)))
covered = index.covered_intervals(camera.pk, "main", t0 + timedelta(seconds=5), t0 + timedelta(seconds=700))
expected = timeline.merge(spans, t0 + timedelta(seconds=5), t0 + timedelta(seconds=700))
answer = index.footage_in_range(camera.pk, "main", t0, t0 + timedelta(seconds=700))
print(json.dumps({
    "same": covered == expected, "covered": [[i.start.isoformat(), i.end.isoformat()] for i in covered],
    "gaps": [[g.start.isoformat(), g.end.isoformat()] for g in answer.gaps], "segments": len(answer.segments),
    "camera_bytes": CameraUsage.objects.get(camera=camera).bytes,
    "org_segments": OrganizationUsage.objects.get().segments,
}))
"""


@pytest.mark.slow
def test_range_coverage_and_counters_on_sqlite(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(DJANGO_SETTINGS_MODULE="portal.settings", CCTV_DATA_DIR=str(tmp_path), DJANGO_DEBUG="true")
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "-v0"], cwd=REPO_ROOT, env=env, check=True, timeout=300)
    result = subprocess.run([*manage, "shell", "-c", SCRIPT], cwd=REPO_ROOT, env=env, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout.strip().splitlines()[-1])

    assert answer["same"], answer
    assert answer["covered"] == [["2026-03-01T00:00:05+00:00", "2026-03-01T00:05:00.004000+00:00"],
                                 ["2026-03-01T00:05:25+00:00", "2026-03-01T00:10:25.004000+00:00"]]
    assert answer["gaps"] == [["2026-03-01T00:05:00.004000+00:00", "2026-03-01T00:05:25+00:00"],
                              ["2026-03-01T00:10:25.004000+00:00", "2026-03-01T00:11:40+00:00"]]
    assert (answer["segments"], answer["camera_bytes"], answer["org_segments"]) == (60, 6000, 60)
