"""Recording end to end: camera simulator -> go2rtc -> recorder (ffmpeg stream copy) -> files and the index."""

from __future__ import annotations

import json
import signal
import subprocess
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from rest_framework.test import APIClient

from cameras.streams import stream_name
from recordings.footage import index, layout, leases
from recordings.footage.capture import BACKOFF_SECONDS
from recordings.footage.models import HealthState, RecordingHealth, Segment
from tests.footage.live.conftest import Recorded
from tests.live.conftest import Server
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SHORT_SEGMENTS = {"CCTV_RECORDING_SEGMENT_SECONDS": "4"}


def _segments(camera) -> list[Segment]:  # type: ignore[no-untyped-def]
    return list(Segment.objects.filter(camera=camera, stream="main").order_by("start"))


def _state(camera) -> str | None:  # type: ignore[no-untyped-def]
    row = RecordingHealth.objects.filter(camera=camera).first()
    return row.state if row else None


def _holder(camera) -> str | None:  # type: ignore[no-untyped-def]
    return leases.holders([camera.pk])[camera.pk]


def _seams(segments: list[Segment]) -> list[float]:
    """Seconds between the end of each segment and the start of the next (negative: overlap)."""
    return [(b.start - a.end).total_seconds() for a, b in zip(segments, segments[1:], strict=False)]


def _probe(key: str) -> dict:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-show_entries", "stream=codec_type,codec_name,width,height:format=format_name",
         "-of", "json", str(layout.path_of(key))],
        capture_output=True, text=True, timeout=30, check=True,
    )  # fmt: skip
    return json.loads(result.stdout)


def _processes_with(text: str) -> list[int]:
    """Processes whose command line mentions ``text`` (an ffmpeg run id)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and text in (entry / "cmdline").read_bytes().decode(errors="replace"):
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def _logs(*servers: Server) -> str:
    return "\n".join(server.log_text()[-3000:] for server in servers)


def _api_range(recorded: Recorded, start: datetime, end: datetime) -> dict:
    client = APIClient()
    client.force_login(recorded.admin)
    response = client.get(f"/api/v1/cameras/{recorded.camera.public_id}/recordings/",
                          {"start": start.isoformat(), "end": end.isoformat()})
    assert response.status_code == 200, response.content
    return response.json()


def test_a_minute_of_recording_is_contiguous_indexed_and_playable(recorded: Recorded, recorder) -> None:  # type: ignore[no-untyped-def]
    camera = recorded.camera
    server = recorder("r1")  # 10 s segments, the default
    wait_until(lambda: _state(camera) == HealthState.RECORDING, timeout=60, otherwise=lambda: _logs(server))

    def recorded_a_minute() -> bool:
        segments = _segments(camera)
        return bool(segments) and (segments[-1].end - segments[0].start).total_seconds() >= 60

    wait_until(recorded_a_minute, timeout=120, interval=1, otherwise=lambda: _logs(server))
    stopped_at = datetime.now(tz=UTC)
    server.process.send_signal(signal.SIGTERM)  # the recorder finishes and indexes the segment being written
    server.process.wait(timeout=30)

    segments = _segments(camera)
    assert len(segments) >= 6
    assert max(abs(seam) for seam in _seams(segments)) <= 1.0, _seams(segments)
    wall = (stopped_at - segments[0].start).total_seconds()
    assert abs(sum(s.duration for s in segments) - wall) <= 10, (wall, [s.duration for s in segments])
    assert {s.run for s in segments} == {segments[0].run}  # one ffmpeg run throughout
    # Between the first (from the start) and the last (to the stop): cut at 10 s boundaries, on a keyframe.
    assert all(2 <= s.duration <= 20 for s in segments[1:-1]), [s.duration for s in segments]
    for segment in segments:
        probe = _probe(segment.key)
        assert [(s["codec_type"], s["codec_name"], s["width"]) for s in probe["streams"]] == [("video", "h264", 640)]
        assert layout.path_of(segment.key).stat().st_size == segment.bytes
        assert segment.keyframes[0] == 0.0 and segment.codecs.startswith("avc1.")
    # The index says the same through the API: all covered, no gap.
    answer = _api_range(recorded, segments[0].start, segments[-1].end)
    assert answer["gaps"] == [] and len(answer["segments"]) == len(segments)
    left = list((recorded.root / layout.INCOMING).rglob("*.mp4"))
    assert not left, (left, _logs(server))  # nothing left un-indexed
    assert index.footage_in_range(camera.pk, "main", segments[0].start, segments[-1].end).gaps == []


def test_a_killed_recorders_camera_is_taken_over_and_the_gap_is_recorded(recorded: Recorded, recorder) -> None:  # type: ignore[no-untyped-def]
    camera = recorded.camera
    first = recorder("r1", **SHORT_SEGMENTS)
    wait_until(lambda: len(_segments(camera)) >= 2, timeout=60, otherwise=lambda: _logs(first))
    assert _holder(camera) == "r1"
    second = recorder("r2", **SHORT_SEGMENTS)
    wait_until(lambda: "records gateway" in second.log_text(), timeout=60, otherwise=lambda: _logs(second))
    time.sleep(6)  # more than one scan of r2: it must leave r1's camera alone
    assert _holder(camera) == "r1"

    first.process.send_signal(signal.SIGKILL)
    killed_at = datetime.now(tz=UTC)
    first_run = _segments(camera)[-1].run

    wait_until(lambda: not _processes_with(first_run), timeout=10)  # its ffmpeg did not outlive it
    wait_until(lambda: _holder(camera) == "r2", timeout=30, otherwise=lambda: _logs(first, second))
    wait_until(lambda: any(s.run != first_run for s in _segments(camera)), timeout=30, otherwise=lambda: _logs(second))

    segments = _segments(camera)
    before = [s for s in segments if s.run == first_run]
    after = [s for s in segments if s.run != first_run]
    # ffmpeg outlived its recorder only to close the file it was writing; r2 indexed it.
    assert before[-1].end >= killed_at - timedelta(seconds=2), (before[-1].end, killed_at)
    gap = (after[0].start - before[-1].end).total_seconds()
    assert 0 < gap <= 30 + 4, gap
    answer = _api_range(recorded, before[0].start, after[-1].end)
    assert len(answer["gaps"]) == 1
    listed = answer["gaps"][0]
    assert (listed["start"], listed["end"]) == (before[-1].end.isoformat().replace("+00:00", "Z"),
                                                after[0].start.isoformat().replace("+00:00", "Z"))
    wait_until(lambda: _state(camera) == HealthState.RECORDING, timeout=30)
    assert RecordingHealth.objects.get(camera=camera).recorder.name == "r2"


def test_recording_resumes_by_itself_after_go2rtc_restarts(recorded: Recorded, recorder, gateway_process,
                                                            celery_worker_with_beat) -> None:  # type: ignore[no-untyped-def]
    """The gateway comes back empty; the portal's reconcile (beat, every 2 s here) refills it, the recorder retries."""
    camera = recorded.camera
    stream = stream_name(camera.public_id, "main")
    server = recorder("r1", **SHORT_SEGMENTS)
    wait_until(lambda: len(_segments(camera)) >= 2, timeout=60, otherwise=lambda: _logs(server))

    down_at = time.monotonic()
    gateway_process.kill()
    wait_until(lambda: _state(camera) == HealthState.RECONNECTING, timeout=30, otherwise=lambda: _logs(server))
    last_before = _segments(camera)[-1]
    gateway_process.start()
    wait_until(lambda: stream in gateway_process.stream_names(), timeout=30,
               otherwise=lambda: _logs(celery_worker_with_beat))
    reconnect = time.monotonic() - down_at  # until the camera's stream is on the gateway again

    wait_until(lambda: _state(camera) == HealthState.RECORDING, timeout=60, otherwise=lambda: _logs(server))
    wait_until(lambda: _segments(camera)[-1].run != last_before.run, timeout=30, otherwise=lambda: _logs(server))
    segments = _segments(camera)
    resumed = next(s for s in segments if s.run != last_before.run)
    stopped = max((s for s in segments if s.run == last_before.run), key=lambda s: s.end)
    gap = (resumed.start - stopped.end).total_seconds()
    # No longer than the reconnect, plus the recorder's longest backoff step and the wait for a keyframe.
    assert 0 < gap <= reconnect + max(BACKOFF_SECONDS) + 4, (gap, reconnect)
    answer = _api_range(recorded, segments[0].start, segments[-1].end)
    assert [round(g["seconds"], 3) for g in answer["gaps"]] == [round(gap, 3)]
