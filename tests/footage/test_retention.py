"""Retention of footage on the database (both passes): each camera's days, each kind's days, holds, batches."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.db.models import Count, Sum
from django.utils import timezone

from recordings.footage import holds, housekeeping, layout, tasks
from recordings.footage.models import (
    CameraUsage,
    Notice,
    NoticeKind,
    OrganizationUsage,
    RecordingSettings,
    Segment,
    SegmentKind,
    StoragePolicy,
)
from recordings.models import NotificationDelivery
from tests.conftest import World
from tests.footage.helpers import ended_ago

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def now(footage_root: Path) -> datetime:
    return timezone.now()


def kept(*segments: Segment) -> list[bool]:
    """For each segment: whether its row and its file are still there (both, or neither: never one)."""
    result = []
    for segment in segments:
        row, file = Segment.objects.filter(pk=segment.pk).exists(), layout.path_of(segment.key).exists()
        assert row == file, f"segment {segment.pk}: row {row}, file {file}"
        result.append(row)
    return result


def counters_match_the_rows() -> None:
    for usage in CameraUsage.objects.all():
        totals = Segment.objects.filter(camera_id=usage.camera_id).aggregate(bytes=Sum("bytes"), count=Count("pk"))
        assert (usage.bytes, usage.segments) == (totals["bytes"] or 0, totals["count"])
    for usage in OrganizationUsage.objects.all():
        totals = Segment.objects.filter(organization_id=usage.organization_id).aggregate(bytes=Sum("bytes"),
                                                                                          count=Count("pk"))
        assert (usage.bytes, usage.segments) == (totals["bytes"] or 0, totals["count"])


def test_continuous_and_event_footage_go_by_their_own_days(world: World, now: datetime) -> None:
    camera = world.camera_a1  # no settings, no policy: 7 days continuous, 30 days events
    old_continuous = ended_ago(camera, now, days=7.01)
    recent_continuous = ended_ago(camera, now, days=6.9)
    old_buffer = ended_ago(camera, now, days=7.02, kind=SegmentKind.BUFFER)
    event = ended_ago(camera, now, days=29, kind=SegmentKind.EVENT)
    old_event = ended_ago(camera, now, days=30.01, kind=SegmentKind.EVENT)
    motion_in_continuous = ended_ago(camera, now, days=8, has_motion=True)

    handled = housekeeping.expire_footage(now, batch_size=100)

    assert handled == 3
    assert kept(old_continuous, recent_continuous, old_buffer, event, old_event, motion_in_continuous) == [
        False, True, False, True, False, True]
    counters_match_the_rows()


def test_a_cameras_own_days_win_over_the_organizations(world: World, now: datetime) -> None:
    StoragePolicy.objects.create(organization=world.org_a, continuous_retention_days=3, event_retention_days=4)
    RecordingSettings.objects.create(camera=world.camera_a1, mode="continuous", continuous_retention_days=10,
                                     event_retention_days=2)
    own_days = ended_ago(world.camera_a1, now, days=5)
    own_event_days = ended_ago(world.camera_a1, now, days=2.5, kind=SegmentKind.EVENT)
    policy_days = ended_ago(world.camera_a2, now, days=5)
    policy_event_days = ended_ago(world.camera_a2, now, days=3.5, kind=SegmentKind.EVENT)
    other_organization = ended_ago(world.camera_b, now, days=5)  # Org B: the defaults (7 days)

    housekeeping.expire_footage(now, batch_size=100)

    assert kept(own_days, own_event_days, policy_days, policy_event_days, other_organization) == [
        True, False, False, True, True]


def test_a_deleted_cameras_footage_goes_by_its_organizations_days(world: World, now: datetime) -> None:
    StoragePolicy.objects.create(organization=world.org_a, continuous_retention_days=2)
    old, recent = ended_ago(world.camera_a2, now, days=2.5), ended_ago(world.camera_a2, now, days=1)
    world.camera_a2.delete()

    housekeeping.expire_footage(now, batch_size=100)

    assert kept(old, recent) == [False, True]
    counters_match_the_rows()


def test_held_footage_outlives_its_retention(world: World, now: datetime) -> None:
    held = ended_ago(world.camera_a1, now, days=9)
    neighbour = ended_ago(world.camera_a1, now, days=9.5)
    holds.create_hold(world.admin, world.camera_a1.public_id, start=held.start, end=held.end, reason="Case 7")

    housekeeping.expire_footage(now, batch_size=100)

    assert kept(held, neighbour) == [True, False]


def test_a_hold_protects_footage_even_when_its_flag_lags_behind(world: World, now: datetime) -> None:
    """Deletion checks the holds themselves, not only ``Segment.held`` (a flag missed by a race)."""
    segment = ended_ago(world.camera_a1, now, days=9)
    holds.create_hold(world.admin, world.camera_a1.public_id, start=segment.start, end=segment.end, reason="Case 8")
    Segment.objects.filter(pk=segment.pk).update(held=False)

    housekeeping.expire_footage(now, batch_size=100)

    assert kept(segment) == [True]
    assert Segment.objects.get(pk=segment.pk).held  # and the flag is right again


def test_expiry_works_in_bounded_batches_and_the_task_goes_on_while_they_are_full(world: World, now: datetime,
                                                                                 monkeypatch) -> None:  # type: ignore[no-untyped-def]
    old = [ended_ago(world.camera_a1, now, days=8 + i / 100) for i in range(5)]
    monkeypatch.setattr(tasks, "BATCH_SIZE", 2)

    with mock.patch.object(tasks.expire_footage, "apply_async") as again:
        assert tasks.expire_footage() == 2
        again.assert_called_once_with(kwargs={"invocation": 1})
    assert kept(*old) == [True, True, True, False, False]  # the oldest first

    with mock.patch.object(tasks.expire_footage, "apply_async") as again:
        assert tasks.expire_footage(invocation=1) == 2
        again.assert_called_once_with(kwargs={"invocation": 2})
        assert tasks.expire_footage(invocation=2) == 1
        again.assert_called_once()  # a batch that is not full ends the chain
    assert kept(*old) == [False] * 5
    counters_match_the_rows()


def test_the_chain_stops_at_its_cap(world: World, now: datetime, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for i in range(3):
        ended_ago(world.camera_a1, now, days=8 + i / 100)
    monkeypatch.setattr(tasks, "BATCH_SIZE", 1)

    with mock.patch.object(tasks.expire_footage, "apply_async") as again:
        tasks.expire_footage(invocation=tasks.MAX_INVOCATIONS - 1)

    again.assert_not_called()


def test_notices_go_after_90_days_with_their_deliveries(world: World, now: datetime) -> None:
    old, recent = (Notice.objects.create(organization=world.org_a, kind=NoticeKind.STORAGE_QUOTA) for _ in range(2))
    Notice.objects.filter(pk=old.pk).update(created_at=now - housekeeping.NOTICE_KEEP - timedelta(minutes=1))
    delivery = NotificationDelivery.objects.create(organization=world.org_a, notice=old, channel="email",
                                                   recipient="owner@a.example.test")

    assert housekeeping.expire_notices(now, 100) == 1

    assert list(Notice.objects.values_list("pk", flat=True)) == [recent.pk]
    assert not NotificationDelivery.objects.filter(pk=delivery.pk).exists()
