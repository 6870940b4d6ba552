"""Clip services without a worker: rights, quota, delete, retention and the sweeper (real database)."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import timezone

from accounts import services as account_services
from accounts.models import AuditEvent
from portal.work import CapturedWork, QueuedWork
from recordings import storage
from recordings.clips import cleanup, retention
from recordings.clips import services as exports
from recordings.models import Clip, ClipStatus
from tests.conftest import World
from tests.recordings.helpers import make_clip, stored
from tests.support.concurrency import run_at_once

# Quotas, retention and the sweeper are database arithmetic: they run on SQLite too.
pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture(autouse=True)
def _no_task_dispatch(queued_work: CapturedWork) -> CapturedWork:
    return queued_work


def test_operator_requests_a_clip_and_the_task_is_queued(world: World, queued_work: CapturedWork) -> None:
    clip = exports.request_clip(world.operator, world.camera_a1.public_id, 10, ip="10.0.0.9")

    assert (clip.status, clip.duration, clip.camera_name) == (ClipStatus.QUEUED, 10, "A1 Entrance")
    assert clip.organization == world.org_a
    assert clip.expires_at - clip.created_at == timedelta(days=world.org_a.clip_retention_days)
    assert queued_work == [QueuedWork("recordings.tasks.export_clip", (clip.pk,), options={"task_id": clip.task_id})]
    event = AuditEvent.objects.get(action="clip.request")
    assert (event.target_id, event.detail["duration"], event.ip_address) == (str(clip.public_id), 10, "10.0.0.9")


def test_viewer_without_export_is_refused_and_nothing_is_created(world: World) -> None:
    with pytest.raises(PermissionDenied):
        exports.request_clip(world.viewer, world.camera_a1.public_id, 10)
    assert not Clip.objects.exists()
    assert not AuditEvent.objects.filter(action="clip.request").exists()


@pytest.mark.parametrize("who", ["outsider", "admin_b"])
def test_camera_of_another_organization_is_not_found(world: World, who: str) -> None:
    with pytest.raises(Http404):
        exports.request_clip(getattr(world, who), world.camera_a1.public_id, 10)
    assert not Clip.objects.exists()


@pytest.mark.parametrize("duration", [0, -5, 1801, "10", 2.5, True])
def test_duration_must_be_whole_seconds_within_bounds(world: World, duration: object) -> None:
    with pytest.raises(ValidationError):
        exports.request_clip(world.operator, world.camera_a1.public_id, duration)
    assert not Clip.objects.exists()


def test_a_switched_off_camera_cannot_record(world: World) -> None:
    world.camera_a1.enabled = False
    world.camera_a1.save()
    with pytest.raises(ValidationError, match="switched off"):
        exports.request_clip(world.operator, world.camera_a1.public_id, 10)


def test_quota_refuses_a_request_that_would_exceed_the_cap(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CCTV_CLIP_ESTIMATE_BYTES_PER_SECOND = 1000
    make_clip(world.camera_a1)  # about 10 KB stored
    world.org_a.clip_storage_quota_bytes = 50_000
    world.org_a.save()

    exports.request_clip(world.operator, world.camera_a1.public_id, 30)  # +30 KB pending: fits
    with pytest.raises(ValidationError, match="would exceed"):
        exports.request_clip(world.operator, world.camera_a1.public_id, 30)
    assert Clip.objects.count() == 2


def test_quota_refuses_anything_once_full(world: World) -> None:
    clip = make_clip(world.camera_a1)
    world.org_a.clip_storage_quota_bytes = clip.size
    world.org_a.save()
    with pytest.raises(ValidationError, match="storage is full"):
        exports.request_clip(world.admin, world.camera_a1.public_id, 1)


@pytest.mark.django_db(transaction=True)
def test_requests_at_once_never_take_more_than_the_free_space(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    """The quota is read and the clip written in one transaction that others wait for (on SQLite too)."""
    settings.CCTV_CLIP_ESTIMATE_BYTES_PER_SECOND = 1000
    world.org_a.clip_storage_quota_bytes = 25_000  # room for two 10 s clips (about 10 KB each), not three
    world.org_a.save()

    def request() -> str:
        try:
            exports.request_clip(world.operator, world.camera_a1.public_id, 10)
        except ValidationError as error:
            return error.code or "refused"
        return "queued"

    assert sorted(run_at_once([request] * 4)) == ["queued", "queued", "quota", "quota"]
    assert Clip.objects.count() == 2


def test_other_organizations_clips_do_not_count_towards_the_cap(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    settings.CCTV_CLIP_ESTIMATE_BYTES_PER_SECOND = 1000
    make_clip(world.camera_b, content=b"x" * 50_000)  # alone more than organization A's whole quota
    world.org_a.clip_storage_quota_bytes = 15_000  # room for one 10 s clip (about 10 KB)
    world.org_a.save()

    clip = exports.request_clip(world.operator, world.camera_a1.public_id, 10)

    assert clip.camera == world.camera_a1
    assert Clip.objects.filter(organization=world.org_a).count() == 1


def test_admin_deletes_a_clip_and_its_file(world: World, django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    clip = make_clip(world.camera_a1)
    with django_capture_on_commit_callbacks(execute=True):
        exports.delete_clip(world.admin, clip, ip=None)
    assert not Clip.objects.filter(pk=clip.pk).exists()
    assert not stored(clip)
    assert AuditEvent.objects.filter(action="clip.delete", target_id=str(clip.public_id)).exists()


def test_operator_cannot_delete(world: World) -> None:
    clip = make_clip(world.camera_a1)
    with pytest.raises(Http404):
        exports.delete_clip(world.operator, clip)
    assert stored(clip)
    assert Clip.objects.filter(pk=clip.pk).exists()


def test_restricted_viewer_sees_clips_of_their_cameras_only(world: World) -> None:
    own, other = make_clip(world.camera_a1), make_clip(world.camera_a2)
    visible = set(Clip.objects.for_user(world.restricted_viewer))
    assert own in visible and other not in visible


def test_clips_of_a_deleted_camera_stay_for_unrestricted_members_only(world: World) -> None:
    clip = make_clip(world.camera_a1)
    world.camera_a1.delete()
    assert clip in Clip.objects.for_user(world.viewer)
    assert clip not in Clip.objects.for_user(world.restricted_viewer)


def test_retention_deletes_expired_clips_file_and_row(world: World) -> None:
    expired, kept = make_clip(world.camera_a1), make_clip(world.camera_a1)
    Clip.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(seconds=1))

    assert cleanup.expire_clips(timezone.now(), batch_size=10) == 1

    assert not Clip.objects.filter(pk=expired.pk).exists() and not stored(expired)
    assert Clip.objects.filter(pk=kept.pk).exists() and stored(kept)


def test_retention_works_in_bounded_batches(world: World) -> None:
    clips = [make_clip(world.camera_a1, content=b"x") for _ in range(5)]
    Clip.objects.update(expires_at=timezone.now() - timedelta(days=1))
    assert cleanup.expire_clips(timezone.now(), batch_size=2) == 2
    assert Clip.objects.count() == 3
    assert sum(stored(clip) for clip in clips) == 3


def test_expire_task_re_enqueues_itself_while_batches_are_full(world: World) -> None:
    from recordings.clips import tasks

    for _ in range(3):
        make_clip(world.camera_a1, content=b"x")
    Clip.objects.update(expires_at=timezone.now() - timedelta(days=1))
    with mock.patch.object(tasks, "BATCH_SIZE", 2), mock.patch.object(tasks.expire_clips, "apply_async") as again:
        tasks.expire_clips.run()
    again.assert_called_once_with(kwargs={"invocation": 1})
    assert Clip.objects.count() == 1


def test_changing_the_retention_period_moves_existing_expiries(world: World, client_for) -> None:  # type: ignore[no-untyped-def]
    clip = make_clip(world.camera_a1)
    account_services.update_organization(world.owner, world.org_a, clip_retention_days=1)
    clip.refresh_from_db()
    assert clip.expires_at == clip.created_at + timedelta(days=1)


def test_sweeper_fails_a_recording_whose_worker_died(world: World) -> None:
    clip = make_clip(world.camera_a1, status=ClipStatus.RECORDING, duration=10)
    started = timezone.now() - timedelta(seconds=11) - retention.RECORDING_MARGIN
    Clip.objects.filter(pk=clip.pk).update(started_at=started)
    partial = storage.clip_storage().save(storage.clip_name(clip.organization_id, clip.public_id),
                                          ContentFile(b"half"))
    busy = make_clip(world.camera_a1, status=ClipStatus.RECORDING, duration=600)

    assert cleanup.sweep_stuck(timezone.now(), batch_size=10) == 1

    clip.refresh_from_db()
    assert clip.status == ClipStatus.FAILED and "worker ended" in clip.reason
    assert not storage.clip_storage().exists(partial)
    busy.refresh_from_db()
    assert busy.status == ClipStatus.RECORDING


def test_sweeper_judges_each_clip_by_its_own_length_in_bounded_batches(world: World) -> None:
    now = timezone.now()
    lengths = {10: True, 30: True, 60: True, 1800: False}  # length: stuck 5 minutes after it started?
    clips = {}
    for duration in lengths:
        clips[duration] = make_clip(world.camera_a1, status=ClipStatus.RECORDING, duration=duration)
        Clip.objects.filter(pk=clips[duration].pk).update(started_at=now - timedelta(minutes=5))

    assert cleanup.sweep_stuck(now, batch_size=2) == 2
    assert cleanup.sweep_stuck(now, batch_size=2) == 1
    assert cleanup.sweep_stuck(now, batch_size=2) == 0

    statuses = {duration: Clip.objects.get(pk=clip.pk).status for duration, clip in clips.items()}
    assert statuses == {d: ClipStatus.FAILED if stuck else ClipStatus.RECORDING for d, stuck in lengths.items()}


def test_record_clip_leaves_a_clip_it_did_not_claim_alone(world: World) -> None:
    clip = make_clip(world.camera_a1)
    with mock.patch("recordings.clips.recorder.record", autospec=True) as record:
        exports.record_clip(clip.pk, task_id="another-task", last_try=False)
    record.assert_not_called()
    clip.refresh_from_db()
    assert clip.status == ClipStatus.READY


def test_record_clip_fails_with_a_reason_when_the_camera_has_no_gateway(world: World) -> None:
    clip = make_clip(world.camera_a1, status=ClipStatus.QUEUED)
    exports.record_clip(clip.pk, task_id=clip.task_id, last_try=False)
    clip.refresh_from_db()
    assert clip.status == ClipStatus.FAILED
    assert "no video gateway" in clip.reason
