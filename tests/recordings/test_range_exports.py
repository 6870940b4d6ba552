"""Range exports cut from recorded footage: the cut itself (real fMP4 segments, ffmpeg, ffprobe), the API's
refusals, the access gate, audit, and multi-camera zips with their manifest (service calls, no worker)."""

from __future__ import annotations

import hashlib
import json
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from portal.work import CapturedWork, QueuedWork
from recordings import storage
from recordings.clips import bundles, cleanup, range_exports
from recordings.clips import services as exports
from recordings.footage.models import RecordingSettings
from recordings.models import Clip, ClipStatus, ExportBundle
from tests.api.conftest import API
from tests.conftest import World
from tests.recordings.range_helpers import (
    first_frame_is_keyframe,
    index_recording,
    make_recording,
    probe,
    set_recording,
)

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]

RANGE = f"{API}/clips/range/"
EXPORTS = f"{API}/exports/"


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four 10 s segments of one run, a keyframe every 2 s."""
    return make_recording(tmp_path_factory.mktemp("range-footage"), count=4)


@pytest.fixture(autouse=True)
def _recordings_root(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.CCTV_RECORDINGS_DIR = tmp_path / "recordings"


@pytest.fixture(autouse=True)
def _no_task_dispatch(queued_work: CapturedWork) -> CapturedWork:
    return queued_work


@pytest.fixture
def t0() -> datetime:
    return (timezone.now() - timedelta(hours=1)).replace(microsecond=0)


@pytest.fixture
def footage(world: World, recording: list[Path], t0: datetime) -> None:
    """Camera A1: [t0, t0+20 s) and [t0+30 s, t0+40 s): a segment boundary at +10 s and a gap from +20 s to +30 s."""
    index_recording(world.camera_a1, t0, recording, leave_out=[2])


def _cut(clip: Clip) -> Clip:
    range_exports.cut_range_clip(clip.pk, task_id=clip.task_id, last_try=False)
    return Clip.objects.get(pk=clip.pk)


def _local_file(name: str) -> Path:
    return Path(storage.clip_storage().path(name))


def _body(camera: object, start: datetime, end: datetime, **extra: object) -> dict:
    return {"camera": str(camera), "start": start.isoformat(), "end": end.isoformat(), **extra}


def test_a_range_across_a_boundary_and_a_gap_is_one_stream_copy_from_the_keyframe_before(
    world: World, footage: None, t0: datetime, api_as: Callable[[str], APIClient],
) -> None:
    start, end = t0 + timedelta(seconds=3.5), t0 + timedelta(seconds=35)
    response = api_as("operator").post(RANGE, _body(world.camera_a1.public_id, start, end), format="json")
    assert response.status_code == 201, response.json()
    clip = _cut(Clip.objects.get(public_id=response.json()["id"]))

    assert clip.status == ClipStatus.READY, clip.reason
    # The keyframe at or before +3.5 s is at +2 s; the gap of 10 s is left out: 8 + 10 + 5 s of media.
    assert (clip.cut_start, clip.cut_end) == (t0 + timedelta(seconds=2), end)
    assert clip.gap_seconds == pytest.approx(10, abs=0.01)
    path = _local_file(clip.file.name)
    facts = probe(path)
    assert float(facts["format"]["duration"]) == pytest.approx(23, abs=0.15)
    assert [(s["codec_type"], s["codec_name"], s["width"]) for s in facts["streams"]] == [("video", "h264", 320)]
    assert first_frame_is_keyframe(path)
    assert "keyframe" in facts["format"]["tags"]["comment"] and "gap" in facts["format"]["tags"]["comment"]
    assert clip.download_filename.endswith("-keyframe-cut.mp4")
    data = path.read_bytes()
    assert (clip.size, clip.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def test_a_range_inside_one_segment_ends_where_asked(world: World, footage: None, t0: datetime) -> None:
    clip = _cut(range_exports.request_range_clip(world.operator, world.camera_a1.public_id,
                                                 t0 + timedelta(seconds=12), t0 + timedelta(seconds=17)))
    assert (clip.cut_start, clip.cut_end, clip.gap_seconds) == (t0 + timedelta(seconds=12),
                                                                t0 + timedelta(seconds=17), 0)
    assert float(probe(_local_file(clip.file.name))["format"]["duration"]) == pytest.approx(5, abs=0.15)


def test_the_request_is_audited_and_queued_for_after_the_range(world: World, footage: None, t0: datetime,
                                                               queued_work: CapturedWork) -> None:
    start, end = t0, t0 + timedelta(seconds=20)
    clip = range_exports.request_range_clip(world.operator, world.camera_a1.public_id, start, end, "main")

    event = AuditEvent.objects.get(action="clip.request")
    assert event.actor == world.operator and event.target_id == str(clip.public_id)
    wanted = {"camera": str(world.camera_a1.public_id), "start": start.isoformat(), "end": end.isoformat(),
              "stream": "main"}
    assert {key: event.detail.get(key) for key in wanted} == wanted
    (queued,) = queued_work
    assert (queued.name, queued.args, queued.options["task_id"]) == (
        "recordings.tasks.export_range_clip", (clip.pk,), clip.task_id)
    assert queued.options["eta"] >= timezone.now() - timedelta(seconds=5)


@pytest.mark.parametrize(
    ("start_offset", "end_offset", "extra", "field", "words"),
    [
        (0, -10, {}, "end", "after the start"),
        (0, 0, {}, "end", "after the start"),
        (-25 * 3600, 20, {}, "end", "at most 24 h"),
        (0, 3 * 3600, {}, "end", "from now"),
        (0, 20, {"stream": "third"}, "stream", "main or sub"),
        (0, 20, {"start": "yesterday"}, "start", "ISO 8601"),
        (0, 20, {"start": "2026-13-40T00:00:00Z"}, "start", "ISO 8601"),
        (0, 20, {"end": "2026-03-01T08:00:00+20:24"}, "end", "after the start"),
        (0, 20, {"start": "0001-01-01T00:00:00Z", "end": "0001-01-01T00:00:10Z"}, "start", "No footage is kept"),
        (-7200, -7100, {}, "start", "no recorded footage"),
        (0, 20, {"stream": "sub"}, "start", "no recorded footage"),
    ],
)
def test_bad_ranges_get_a_400_that_says_why_and_nothing_is_written(
    world: World, footage: None, t0: datetime, api_as: Callable[[str], APIClient], start_offset: int,
    end_offset: int, extra: dict, field: str, words: str,
) -> None:
    start, end = t0 + timedelta(seconds=start_offset), t0 + timedelta(seconds=end_offset)
    body = _body(world.camera_a1.public_id, start, end) | extra
    response = api_as("operator").post(RANGE, body, format="json")
    assert response.status_code == 400, response.json()
    assert words in " ".join(response.json()[field])
    assert not Clip.objects.exists() and not AuditEvent.objects.filter(action="clip.request").exists()


def test_a_range_reaching_into_the_future_is_accepted_only_for_a_recording_camera(
    world: World, footage: None, api_as: Callable[[str], APIClient], queued_work: CapturedWork,
) -> None:
    now = timezone.now()
    body = _body(world.camera_a2.public_id, now - timedelta(seconds=30), now + timedelta(minutes=5))
    refused = api_as("operator").post(RANGE, body, format="json")
    assert refused.status_code == 400 and "no recorded footage" in refused.content.decode()

    set_recording(world.camera_a2)
    accepted = api_as("operator").post(RANGE, body, format="json")
    assert accepted.status_code == 201, accepted.json()
    assert queued_work.named("recordings.tasks.export_range_clip")[-1].options["eta"] >= now + timedelta(minutes=5)


def test_a_future_range_waits_for_the_recording_then_is_not_swept_as_stuck(
    world: World, footage: None, t0: datetime,
) -> None:
    set_recording(world.camera_a1)
    clip = range_exports.request_range_clip(world.operator, world.camera_a1.public_id, t0,
                                            timezone.now() + timedelta(minutes=20))
    with pytest.raises(exports.RetryLater):
        range_exports.cut_range_clip(clip.pk, task_id=clip.task_id, last_try=False)
    clip.refresh_from_db()
    assert clip.status == ClipStatus.QUEUED and "Waiting for the recording" in clip.reason

    cleanup.sweep_stuck(timezone.now() + timedelta(minutes=35), batch_size=10)
    assert Clip.objects.get(pk=clip.pk).status == ClipStatus.QUEUED


@pytest.mark.parametrize("who", ["admin_b", "outsider", "token_b"])
def test_another_organizations_camera_is_404(world: World, footage: None, t0: datetime,
                                             api_as: Callable[[str], APIClient], who: str) -> None:
    body = _body(world.camera_a1.public_id, t0, t0 + timedelta(seconds=10))
    response = api_as(who).post(RANGE, body, format="json")
    assert response.status_code == 404
    assert not Clip.objects.exists()


def test_a_viewer_without_the_export_right_gets_403(world: World, footage: None, t0: datetime,
                                                    api_as: Callable[[str], APIClient]) -> None:
    body = _body(world.camera_a1.public_id, t0, t0 + timedelta(seconds=10))
    assert api_as("viewer").post(RANGE, body, format="json").status_code == 403
    assert not Clip.objects.exists()


def test_another_organization_gets_404_for_the_clip_and_its_file(
    world: World, footage: None, t0: datetime, api_as: Callable[[str], APIClient],
) -> None:
    clip = _cut(range_exports.request_range_clip(world.operator, world.camera_a1.public_id, t0,
                                                 t0 + timedelta(seconds=5)))
    for path in (f"{API}/clips/{clip.public_id}/", f"{API}/clips/{clip.public_id}/file/"):
        assert api_as("admin_b").get(path).status_code == 404
        assert api_as("token_b").get(path).status_code == 404
    assert api_as("viewer").get(f"{API}/clips/{clip.public_id}/file/").status_code == 200


# --- multi-camera exports ----------------------------------------------------------------


@pytest.fixture
def two_cameras(world: World, recording: list[Path], t0: datetime) -> None:
    index_recording(world.camera_a1, t0, recording, leave_out=[2])
    index_recording(world.camera_a2, t0, recording[:2])


def _export(world: World, api_as: Callable[[str], APIClient], t0: datetime) -> ExportBundle:
    body = {"cameras": [str(world.camera_a1.public_id), str(world.camera_a2.public_id)],
            "start": (t0 + timedelta(seconds=5)).isoformat(), "end": (t0 + timedelta(seconds=35)).isoformat()}
    response = api_as("operator").post(EXPORTS, body, format="json")
    assert response.status_code == 201, response.json()
    bundle = ExportBundle.objects.get(public_id=response.json()["id"])
    for clip in bundle.clips.all():
        _cut(clip)
    bundles.assemble(bundle.pk)
    bundle.refresh_from_db()
    return bundle


def test_a_multi_camera_export_is_a_zip_whose_manifest_hashes_match_its_files(
    world: World, two_cameras: None, t0: datetime, api_as: Callable[[str], APIClient], tmp_path: Path,
) -> None:
    bundle = _export(world, api_as, t0)
    assert bundle.status == ClipStatus.READY, bundle.reason

    response = api_as("viewer").get(f"{EXPORTS}{bundle.public_id}/file/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == bundle.sha256
    (tmp_path / "export.zip").write_bytes(data)
    with zipfile.ZipFile(tmp_path / "export.zip") as archive:
        manifest = json.loads(archive.read("manifest.json"))
        entries = {entry["camera"]: entry for entry in manifest["cameras"]}
        assert set(entries) == {"A1 Entrance", "A2 Loading Bay"}
        for entry in entries.values():
            assert hashlib.sha256(archive.read(entry["file"])).hexdigest() == entry["sha256"]
            assert entry["requested"] == {"start": (t0 + timedelta(seconds=5)).isoformat(),
                                          "end": (t0 + timedelta(seconds=35)).isoformat()}
        archive.extract(entries["A1 Entrance"]["file"], tmp_path)
    assert entries["A1 Entrance"]["gap_seconds"] == pytest.approx(10, abs=0.01)
    assert entries["A2 Loading Bay"]["end"] == (t0 + timedelta(seconds=20)).isoformat()
    a1 = probe(tmp_path / entries["A1 Entrance"]["file"])
    assert float(a1["format"]["duration"]) == pytest.approx(21, abs=0.15)  # +4 s (keyframe) to +35 s, less 10 s
    assert AuditEvent.objects.filter(action="export.request").count() == 1
    assert AuditEvent.objects.filter(action="export.download").count() == 1


def test_another_organization_gets_404_for_the_export_and_its_download(
    world: World, two_cameras: None, t0: datetime, api_as: Callable[[str], APIClient],
) -> None:
    bundle = _export(world, api_as, t0)
    for who in ("admin_b", "token_b"):
        assert api_as(who).get(f"{EXPORTS}{bundle.public_id}/").status_code == 404
        assert api_as(who).get(f"{EXPORTS}{bundle.public_id}/file/").status_code == 404
        assert api_as(who).get(EXPORTS).json()["results"] == []
    # A viewer limited to one site does not see an export that also holds another site's camera.
    assert api_as("restricted_viewer").get(f"{EXPORTS}{bundle.public_id}/file/").status_code == 404
    assert not AuditEvent.objects.filter(action="export.download").exists()


def test_a_multi_camera_export_with_a_foreign_camera_is_404_and_writes_nothing(
    world: World, two_cameras: None, t0: datetime, api_as: Callable[[str], APIClient],
) -> None:
    body = {"cameras": [str(world.camera_a1.public_id), str(world.camera_b.public_id)],
            "start": t0.isoformat(), "end": (t0 + timedelta(seconds=10)).isoformat()}
    assert api_as("operator").post(EXPORTS, body, format="json").status_code == 404
    assert not ExportBundle.objects.exists() and not Clip.objects.exists()


def test_a_multi_camera_export_with_a_camera_without_footage_is_400_and_names_it(
    world: World, two_cameras: None, t0: datetime, api_as: Callable[[str], APIClient],
) -> None:
    body = {"cameras": [str(world.camera_a1.public_id), str(world.camera_a1_sub.public_id)],
            "start": t0.isoformat(), "end": (t0 + timedelta(seconds=10)).isoformat()}
    response = api_as("operator").post(EXPORTS, body, format="json")
    assert response.status_code == 400 and "A1 Lobby" in response.content.decode()
    assert not ExportBundle.objects.exists() and not Clip.objects.exists()



# --- "the next N seconds" --------------------------------------------------------------------


def test_the_next_seconds_of_a_camera_being_recorded_are_a_range_of_its_footage(
    world: World, recording: list[Path], queued_work: CapturedWork,
) -> None:
    set_recording(world.camera_a1)
    index_recording(world.camera_a1, timezone.now() - timedelta(seconds=25), recording[:2])  # ended 5 s ago
    clip = exports.request_clip(world.operator, world.camera_a1.public_id, 30)

    assert clip.is_range and (clip.range_end - clip.range_start, clip.stream) == (timedelta(seconds=30), "main")
    assert abs(clip.range_start - timezone.now()) < timedelta(minutes=1)
    assert [work.name for work in queued_work] == ["recordings.tasks.export_range_clip"]


@pytest.mark.parametrize("recorded", ["not set to record", "no recent footage"])
def test_the_next_seconds_of_a_camera_not_being_recorded_come_from_the_gateway(
    world: World, recording: list[Path], queued_work: CapturedWork, recorded: str,
) -> None:
    if recorded == "no recent footage":
        set_recording(world.camera_a1)
    index_recording(world.camera_a1, timezone.now() - timedelta(minutes=5), recording[:1])
    clip = exports.request_clip(world.operator, world.camera_a1.public_id, 30)

    assert not clip.is_range and [work.name for work in queued_work] == ["recordings.tasks.export_clip"]


# --- workers that die ----------------------------------------------------------------------


def test_a_long_range_export_whose_worker_died_is_failed_after_its_cut_allowance_not_its_length(
    world: World, footage: None, t0: datetime,
) -> None:
    """A 24 h range held by a dead worker stayed "recording" (and counted against the quota) for 24 h."""
    clip = range_exports.request_range_clip(world.operator, world.camera_a1.public_id, t0, t0 + timedelta(seconds=20))
    started = timezone.now() - timedelta(hours=2)
    Clip.objects.filter(pk=clip.pk).update(status=ClipStatus.RECORDING, started_at=started, duration=24 * 3600)

    assert cleanup.sweep_stuck(timezone.now(), batch_size=10) == 1
    assert Clip.objects.get(pk=clip.pk).status == ClipStatus.FAILED


def test_a_live_clip_keeps_its_length_as_allowance(world: World) -> None:
    from tests.recordings.helpers import make_clip

    clip = make_clip(world.camera_a1, status=ClipStatus.RECORDING, content=None, duration=1800)
    Clip.objects.filter(pk=clip.pk).update(started_at=timezone.now() - timedelta(minutes=20))

    assert cleanup.sweep_stuck(timezone.now(), batch_size=10) == 0


def test_a_multi_camera_export_whose_clip_was_swept_is_still_assembled(
    world: World, two_cameras: None, t0: datetime, queued_work: CapturedWork,
) -> None:
    bundle = bundles.request_bundle(world.operator, [world.camera_a1.public_id, world.camera_a2.public_id], t0,
                                    t0 + timedelta(seconds=15))
    done, lost = bundle.clips.order_by("camera_name")
    _cut(done)
    Clip.objects.filter(pk=lost.pk).update(status=ClipStatus.RECORDING, started_at=timezone.now() - timedelta(hours=1))

    queued_work.clear()
    cleanup.sweep_stuck(timezone.now(), batch_size=10)
    assert queued_work == [QueuedWork("recordings.tasks.assemble_bundle", (bundle.pk,))]

    bundles.assemble(bundle.pk)
    bundle.refresh_from_db()
    assert bundle.status == ClipStatus.READY
    with zipfile.ZipFile(storage.clip_storage().open(bundle.file.name)) as archive:
        entries = json.loads(archive.read("manifest.json"))["cameras"]
    assert [(e["camera"], e["status"]) for e in entries] == [("A1 Entrance", "ready"), ("A2 Loading Bay", "failed")]
    assert "worker ended" in entries[1]["reason"]


def test_an_assembly_lost_midway_is_given_back_and_queued_again(world: World, two_cameras: None,
                                                                t0: datetime) -> None:
    bundle = bundles.request_bundle(world.operator, [world.camera_a1.public_id], t0, t0 + timedelta(seconds=15))
    _cut(bundle.clips.get())
    ExportBundle.objects.filter(pk=bundle.pk).update(status=ClipStatus.RECORDING,
                                                     updated_at=timezone.now() - timedelta(hours=1))

    later = timezone.now() + timedelta(minutes=5)
    assert bundles.bundles_to_assemble(later, batch_size=10) == [bundle.pk]
    assert ExportBundle.objects.get(pk=bundle.pk).status == ClipStatus.QUEUED


# --- pages and retention -----------------------------------------------------------------


def test_the_clip_list_links_a_ready_zip_only_for_those_who_may_see_the_whole_export(
    world: World, two_cameras: None, t0: datetime, api_as: Callable[[str], APIClient], client_for: Callable,
) -> None:
    bundle = _export(world, api_as, t0)
    link = f"{EXPORTS}{bundle.public_id}/file/"

    page = client_for(world.viewer).get(reverse("clip_list")).content.decode()
    assert link in page and "Recorded main stream" in page
    assert link not in client_for(world.restricted_viewer).get(reverse("clip_list")).content.decode()


def test_expired_multi_camera_exports_go_with_their_zip(world: World, two_cameras: None, t0: datetime,
                                                        api_as: Callable[[str], APIClient]) -> None:
    bundle = _export(world, api_as, t0)
    ExportBundle.objects.filter(pk=bundle.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    cleanup.expire_bundles(timezone.now(), batch_size=10)

    assert not ExportBundle.objects.filter(pk=bundle.pk).exists()
    assert not storage.clip_storage().exists(bundle.file.name)


# --- quota -------------------------------------------------------------------------------------


def _range_bytes(world: World, t0: datetime, seconds: int) -> int:
    from recordings.footage.models import Segment

    rows = Segment.objects.of_stream(world.camera_a1.pk, "main").overlapping(t0, t0 + timedelta(seconds=seconds))
    return sum(rows.values_list("bytes", flat=True))


def test_a_pending_range_export_counts_against_the_cap_with_the_size_of_its_footage(
    world: World, footage: None, t0: datetime,
) -> None:
    """Pending range clips were counted at length x 500 kB/s: one pending export could block every other."""
    footage_bytes = _range_bytes(world, t0, 20)
    world.org_a.clip_storage_quota_bytes = 3 * footage_bytes
    world.org_a.save()

    first = range_exports.request_range_clip(world.operator, world.camera_a1.public_id, t0, t0 + timedelta(seconds=20))
    second = range_exports.request_range_clip(world.operator, world.camera_a1.public_id, t0, t0 + timedelta(seconds=20))

    assert first.estimated_bytes == footage_bytes and second.is_pending


def test_a_range_export_over_the_cap_is_refused_with_a_400(world: World, footage: None, t0: datetime,
                                                          api_as: Callable[[str], APIClient]) -> None:
    world.org_a.clip_storage_quota_bytes = _range_bytes(world, t0, 20) // 2
    world.org_a.save()

    response = api_as("operator").post(RANGE, _body(world.camera_a1.public_id, t0, t0 + timedelta(seconds=20)),
                                       format="json")

    assert response.status_code == 400 and "storage cap" in response.content.decode()
    assert not Clip.objects.exists()


# --- what cannot be cut ----------------------------------------------------------------------


def test_footage_on_a_remote_store_that_cannot_be_read_fails_the_export_with_a_reason(
    world: World, footage: None, t0: datetime
) -> None:
    """The index says S3 but the organization has no S3 store (any store that cannot be reached reads the same).

    Exports from a working store: tests/footage/test_tiers.py.
    """
    from recordings.footage.models import Segment

    Segment.objects.filter(camera=world.camera_a1, start=t0 + timedelta(seconds=10)).update(tier="s3")
    clip = _cut(range_exports.request_range_clip(world.operator, world.camera_a1.public_id, t0,
                                                 t0 + timedelta(seconds=20)))

    assert clip.status == ClipStatus.FAILED and "S3 tier could not be read now" in clip.reason
    assert not clip.file.name


def test_a_change_of_video_format_inside_the_range_fails_it_with_the_moment(world: World, footage: None,
                                                                            t0: datetime) -> None:
    from recordings.footage.models import Segment

    Segment.objects.filter(camera=world.camera_a1, start=t0 + timedelta(seconds=10)).update(width=1920, height=1080)
    clip = _cut(range_exports.request_range_clip(world.operator, world.camera_a1.public_id, t0,
                                                 t0 + timedelta(seconds=20)))

    assert clip.status == ClipStatus.FAILED
    assert "format changed" in clip.reason and f"{t0 + timedelta(seconds=10):%H:%M:%S}" in clip.reason


def test_overlapping_segments_resume_on_the_first_keyframe_after_what_is_already_cut(t0: datetime) -> None:
    from recordings.clips import cutting
    from recordings.footage.models import Segment

    def segment(offset: float) -> Segment:
        return Segment(start=t0 + timedelta(seconds=offset), end=t0 + timedelta(seconds=offset + 10), duration=10,
                       codec="h264", codecs="avc1", width=320, height=180, keyframes=[0, 2, 4, 6, 8])

    plan = cutting.plan_cut([segment(0), segment(7), segment(30)], t0 + timedelta(seconds=3),
                            t0 + timedelta(seconds=35))

    assert [(p.skip, p.until) for p in plan.pieces] == [(2, None), (4, None), (0, 5)]
    assert (plan.start, plan.end) == (t0 + timedelta(seconds=2), t0 + timedelta(seconds=35))
    # +10 to +11 s exists, but only from a segment that has no keyframe there: left out, and said so.
    assert [(g.start, g.end) for g in plan.gaps] == [(t0 + timedelta(seconds=10), t0 + timedelta(seconds=11)),
                                                     (t0 + timedelta(seconds=17), t0 + timedelta(seconds=30))]


def test_a_future_range_of_a_stream_the_camera_does_not_record_is_refused(
    world: World, api_as: Callable[[str], APIClient],
) -> None:
    """Only the sub stream is recorded: a future range of the main stream would wait and then find nothing."""
    set_recording(world.camera_a1_sub)
    RecordingSettings.objects.filter(camera=world.camera_a1_sub).update(stream="sub")
    now = timezone.now()
    body = _body(world.camera_a1_sub.public_id, now, now + timedelta(minutes=1))

    assert api_as("operator").post(RANGE, body, format="json").status_code == 400
    assert api_as("operator").post(RANGE, body | {"stream": "sub"}, format="json").status_code == 201
