"""Range exports end to end on a real Celery worker: recorded fMP4 segments -> ffmpeg stream copy -> storage.

The recorder is played by the test (it indexes real segment files as the
recorder would), so these run without go2rtc; the worker, PostgreSQL and
Redis are real.
"""

from __future__ import annotations

import hashlib
import json
import sys
import zipfile
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from recordings import storage
from recordings.models import Clip, ClipStatus, ExportBundle
from tests.api.conftest import API
from tests.conftest import World
from tests.live.conftest import Server, _start, _stop
from tests.recordings.range_helpers import index_recording, make_recording, probe, set_recording
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return make_recording(tmp_path_factory.mktemp("range-footage"), count=4)


@pytest.fixture
def recordings_root(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.CCTV_RECORDINGS_DIR = tmp_path / "recordings"
    return settings.CCTV_RECORDINGS_DIR


@pytest.fixture
def export_worker(transactional_db: None, recordings_root: Path, tmp_path: Path) -> Iterator[Server]:
    """A real Celery worker (all declared queues, exports included) reading the test's recordings root."""
    log_path = tmp_path / "celery.log"
    process = _start(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-l", "info", "--without-mingle",
         "--without-gossip", "--without-heartbeat"],
        log_path, DJANGO_SETTINGS_MODULE="tests.settings", CCTV_RECORDINGS_DIR=str(recordings_root),
    )  # fmt: skip
    yield Server(0, process, log_path)
    _stop(process)


def _wait(model: type, public_id: str, worker: Server, timeout: float = 90) -> object:
    def done() -> bool:
        return model.objects.get(public_id=public_id).status in (ClipStatus.READY, ClipStatus.FAILED)

    wait_until(done, timeout=timeout, otherwise=lambda: worker.log_text()[-3000:])
    return model.objects.get(public_id=public_id)


def test_a_range_across_a_boundary_and_a_gap_is_cut_by_the_worker(
    world: World, recording: list[Path], export_worker: Server, api_as: Callable[[str], APIClient],
) -> None:
    t0 = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    index_recording(world.camera_a1, t0, recording, leave_out=[2])
    body = {"camera": str(world.camera_a1.public_id), "start": (t0 + timedelta(seconds=3)).isoformat(),
            "end": (t0 + timedelta(seconds=36)).isoformat()}

    response = api_as("operator").post(f"{API}/clips/range/", body, format="json")
    assert response.status_code == 201, response.json()
    clip = _wait(Clip, response.json()["id"], export_worker)

    assert clip.status == ClipStatus.READY, clip.reason
    facts = probe(Path(storage.clip_storage().path(clip.file.name)))
    # From the keyframe at +2 s to +36 s, less the 10 s gap.
    assert float(facts["format"]["duration"]) == pytest.approx(24, abs=0.15)
    assert [s["codec_name"] for s in facts["streams"]] == ["h264"]
    assert api_as("admin_b").get(f"{API}/clips/{clip.public_id}/file/").status_code == 404


def test_a_range_reaching_into_the_future_is_cut_once_recording_gets_there(
    world: World, recording: list[Path], export_worker: Server, api_as: Callable[[str], APIClient],
) -> None:
    set_recording(world.camera_a1)
    t0 = timezone.now().replace(microsecond=0) - timedelta(seconds=30)
    index_recording(world.camera_a1, t0, recording[:2])  # recorded so far: [t0, t0 + 20 s)
    end = t0 + timedelta(seconds=34)  # 4 s from now
    body = {"camera": str(world.camera_a1.public_id), "start": (t0 + timedelta(seconds=10)).isoformat(),
            "end": end.isoformat()}
    response = api_as("operator").post(f"{API}/clips/range/", body, format="json")
    assert response.status_code == 201, response.json()

    index_recording(world.camera_a1, t0 + timedelta(seconds=20), recording[2:])  # the recorder catches up
    clip = _wait(Clip, response.json()["id"], export_worker)

    assert clip.status == ClipStatus.READY, clip.reason
    assert clip.finished_at >= end  # it waited for the range's end
    facts = probe(Path(storage.clip_storage().path(clip.file.name)))
    assert float(facts["format"]["duration"]) == pytest.approx(24, abs=0.15)


def test_a_multi_camera_export_is_zipped_by_the_worker_with_matching_hashes(
    world: World, recording: list[Path], export_worker: Server, api_as: Callable[[str], APIClient],
    tmp_path: Path,
) -> None:
    t0 = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    index_recording(world.camera_a1, t0, recording, leave_out=[2])
    index_recording(world.camera_a2, t0, recording[:3])
    body = {"cameras": [str(world.camera_a1.public_id), str(world.camera_a2.public_id)],
            "start": t0.isoformat(), "end": (t0 + timedelta(seconds=40)).isoformat()}

    response = api_as("operator").post(f"{API}/exports/", body, format="json")
    assert response.status_code == 201, response.json()
    bundle = _wait(ExportBundle, response.json()["id"], export_worker)

    assert bundle.status == ClipStatus.READY, bundle.reason
    download = api_as("viewer").get(f"{API}/exports/{bundle.public_id}/file/")
    assert download.status_code == 200
    (tmp_path / "export.zip").write_bytes(b"".join(download.streaming_content))
    with zipfile.ZipFile(tmp_path / "export.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert len(manifest["cameras"]) == 2
        for entry in manifest["cameras"]:
            assert hashlib.sha256(archive.read(entry["file"])).hexdigest() == entry["sha256"]
    assert _seconds(manifest, "A1 Entrance") == pytest.approx(40 - 10, abs=0.01)
    assert _seconds(manifest, "A2 Loading Bay") == pytest.approx(30, abs=0.01)
    for who in ("admin_b", "token_b"):
        assert api_as(who).get(f"{API}/exports/{bundle.public_id}/file/").status_code == 404


def _seconds(manifest: dict, camera: str) -> float:
    entry = next(e for e in manifest["cameras"] if e["camera"] == camera)
    span = datetime.fromisoformat(entry["end"]) - datetime.fromisoformat(entry["start"])
    return span.total_seconds() - entry["gap_seconds"]
