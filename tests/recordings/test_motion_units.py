"""Motion pieces on their own: the event tracker, schedules, Redis leases, the dispatcher's choice."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError

from recordings import schedules, storage
from recordings.models import MotionSettings
from recordings.motion import leases, watch
from recordings.motion.tracker import MotionTracker, Step

# --- tracker -------------------------------------------------------------------------------


def _run(frames: list[tuple[float, bool, float]], **options: float) -> list[Step]:
    tracker = MotionTracker(**options)
    return [tracker.update(at, moving, score) for at, moving, score in frames]


@pytest.mark.parametrize(
    ("frames", "expected"),
    [
        pytest.param([(0.0, True, 0.1)], [Step.NOTHING], id="one moving frame is not an event"),
        pytest.param([(0.0, True, 0.1), (0.2, True, 0.1)], [Step.NOTHING, Step.OPEN], id="two in a row open"),
        pytest.param(
            [(0.0, True, 0.1), (0.2, False, 0), (0.4, True, 0.1)], [Step.NOTHING] * 3, id="flicker is not an event"
        ),
        pytest.param(
            [(0.0, True, 0.1), (0.2, True, 0.1), (0.4, True, 0.3), (0.6, True, 0.2)],
            [Step.NOTHING, Step.OPEN, Step.PEAK, Step.NOTHING], id="a stronger frame is a new peak",
        ),
        pytest.param(
            [(0.0, True, 0.1), (0.2, True, 0.1), (1.0, False, 0), (2.0, False, 0), (3.2, False, 0)],
            [Step.NOTHING, Step.OPEN, Step.NOTHING, Step.NOTHING, Step.CLOSE], id="closes after the quiet time",
        ),
        pytest.param(
            [(0.0, True, 0.1), (0.2, True, 0.1), (2.0, False, 0), (2.2, True, 0.05), (4.0, False, 0)],
            [Step.NOTHING, Step.OPEN, Step.NOTHING, Step.NOTHING, Step.NOTHING], id="a pause mid-walk is one event",
        ),
    ],
)
def test_tracker_debounces_start_and_end(frames: list[tuple[float, bool, float]], expected: list[Step]) -> None:
    assert _run(frames, start_frames=2, end_seconds=3.0) == expected


def test_tracker_reset_closes_an_open_event_once() -> None:
    tracker = MotionTracker()
    tracker.update(0, True, 0.1)
    tracker.update(0.2, True, 0.1)
    assert tracker.reset() is Step.CLOSE
    assert tracker.reset() is Step.NOTHING


# --- schedules -----------------------------------------------------------------------------

WEEKNIGHTS = [{"days": [0, 1, 2, 3, 4], "start": "18:00", "end": "07:00"}]


@pytest.mark.parametrize(
    ("moment", "zone", "active"),
    [
        (datetime(2026, 12, 1, 18, 30, tzinfo=UTC), "UTC", True),  # Tuesday evening
        (datetime(2026, 12, 1, 12, 0, tzinfo=UTC), "UTC", False),  # Tuesday noon
        (datetime(2026, 12, 2, 6, 59, tzinfo=UTC), "UTC", True),  # Wednesday early: Tuesday's window
        (datetime(2026, 12, 5, 20, 0, tzinfo=UTC), "UTC", False),  # Saturday evening
        (datetime(2026, 12, 7, 6, 0, tzinfo=UTC), "UTC", False),  # Monday early: Sunday had no window
        (datetime(2026, 12, 5, 6, 0, tzinfo=UTC), "UTC", True),  # Saturday early: Friday's window runs on
        (datetime(2026, 12, 1, 17, 30, tzinfo=UTC), "Europe/Paris", True),  # 18:30 in Paris
        (datetime(2026, 12, 1, 17, 30, tzinfo=UTC), "America/New_York", False),  # 12:30 in New York
    ],
)
def test_schedule_windows_are_read_in_the_site_time_zone(moment: datetime, zone: str, active: bool) -> None:
    assert schedules.is_active(WEEKNIGHTS, zone, moment) is active


def test_an_empty_schedule_is_always_on() -> None:
    assert schedules.is_active([], "UTC", datetime(2026, 12, 5, 3, 0, tzinfo=UTC))
    assert schedules.describe([]) == "Always"
    assert schedules.describe(WEEKNIGHTS) == "Mon Tue Wed Thu Fri 18:00-07:00"


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("nightly", "list of time windows"),
        ([{"days": [7], "start": "18:00", "end": "07:00"}], "0 (Monday) to 6 (Sunday)"),
        ([{"days": [], "start": "18:00", "end": "07:00"}], "at least one"),
        ([{"days": [1], "start": "25:00", "end": "07:00"}], "HH:MM"),
        ([{"days": [1], "start": "18:00"}], "exactly days, start and end"),
        ([{"days": [1], "start": "18:00", "end": "07:00", "x": 1}], "exactly days, start and end"),
        ([{"days": [True], "start": "18:00", "end": "07:00"}], "0 (Monday)"),
    ],
)
def test_bad_schedules_are_refused_with_a_clear_message(value: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        schedules.clean_schedule(value)
    assert message in " ".join(caught.value.messages)


def test_schedules_are_stored_tidy() -> None:
    assert schedules.clean_schedule([{"days": [3, 1, 1], "start": "08:00", "end": "09:30"}]) == [
        {"days": [1, 3], "start": "08:00", "end": "09:30"}
    ]


# --- leases (real Redis) ------------------------------------------------------------------


@pytest.fixture
def free_lease_ids() -> list[int]:
    ids = [900001, 900002]
    for camera_id in ids:
        leases.client().delete(leases.lease_key(camera_id), leases.pending_key(camera_id))
    return ids


def test_one_lease_per_camera_and_only_its_owner_renews_or_releases(free_lease_ids: list[int]) -> None:
    camera_id = free_lease_ids[0]
    first, second = leases.Lease(camera_id, 5, owner="w1@host"), leases.Lease(camera_id, 5, owner="w2@host")
    assert first.acquire()
    assert not second.acquire()
    assert leases.holders([camera_id]) == {camera_id: "w1@host"}
    assert not second.renew()
    second.release()
    assert leases.holders([camera_id]) == {camera_id: "w1@host"}
    assert first.renew()
    first.release()
    assert leases.holders([camera_id]) == {camera_id: None}
    assert second.acquire()
    second.release()


def test_a_lease_nobody_renews_expires(free_lease_ids: list[int]) -> None:
    camera_id = free_lease_ids[0]
    assert leases.Lease(camera_id, 0.2, owner="dead@host").acquire()
    time.sleep(0.35)
    assert leases.holders([camera_id]) == {camera_id: None}
    assert leases.Lease(camera_id, 5, owner="alive@host").acquire()
    leases.client().delete(leases.lease_key(camera_id))


@pytest.mark.sqlite
@pytest.mark.django_db
def test_dispatch_queues_armed_unleased_cameras_once(world, free_lease_ids: list[int]) -> None:  # type: ignore[no-untyped-def]
    from cameras.models import Gateway

    gateway = Gateway.objects.create(name="g", api_url="http://127.0.0.1:1", rtsp_url="rtsp://127.0.0.1:2")
    cameras = [world.camera_a1, world.camera_a2, world.camera_b]
    for camera in cameras:
        camera.gateway = gateway
        camera.save()
        leases.client().delete(leases.lease_key(camera.pk), leases.pending_key(camera.pk))
    MotionSettings.objects.create(camera=world.camera_a1, enabled=True)
    MotionSettings.objects.create(camera=world.camera_a2, enabled=False)
    MotionSettings.objects.create(camera=world.camera_b, enabled=True, schedule=[
        {"days": [0, 1, 2, 3, 4, 5, 6], "start": "00:00", "end": "00:01"},
    ])
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    held = leases.Lease(world.camera_b.pk, 5, owner="x")

    assert watch.cameras_to_dispatch(now, 30) == [world.camera_a1.pk]  # a2 is off, b out of its schedule
    assert watch.cameras_to_dispatch(now, 30) == []  # already queued
    leases.clear_pending(world.camera_a1.pk)
    assert held.acquire()
    lease = leases.Lease(world.camera_a1.pk, 5, owner="w")
    assert lease.acquire()
    assert watch.cameras_to_dispatch(now, 30) == []  # watched already
    lease.release()
    held.release()


# --- retention -------------------------------------------------------------------------------


@pytest.mark.sqlite
@pytest.mark.django_db
def test_old_motion_events_go_with_their_snapshot_after_the_retention_days(world) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from recordings.clips import cleanup
    from recordings.models import MotionEvent
    from recordings.motion import services as motion

    world.org_a.clip_retention_days = 7
    world.org_a.save()
    world.org_b.clip_retention_days = 30
    world.org_b.save()
    now = timezone.now()

    def event(age_days: float, ended: bool = True, camera=world.camera_a1) -> MotionEvent:  # type: ignore[no-untyped-def]
        started = now - timedelta(days=age_days)
        organization = camera.site.organization
        row = MotionEvent(organization=organization, camera=camera, camera_name="A1", started_at=started,
                          ended_at=started + timedelta(seconds=5) if ended else None)
        name = motion.snapshot_name(organization.pk, row)
        row.snapshot.name = storage.clip_storage().save(name, ContentFile(b"\xff\xd8\xff"))
        row.save()
        return row

    old, recent, still_open = event(8), event(6), event(9, ended=False)
    old_b, kept_b = event(31, camera=world.camera_b), event(8, camera=world.camera_b)  # org B keeps 30 days

    cleanup.expire_motion_events(now, 100)

    assert set(MotionEvent.objects.values_list("pk", flat=True)) == {recent.pk, still_open.pk, kept_b.pk}
    assert not storage.clip_storage().exists(old_b.snapshot.name)
    assert not storage.clip_storage().exists(old.snapshot.name)
    assert storage.clip_storage().exists(recent.snapshot.name)


# --- event lifecycle ------------------------------------------------------------------------


@pytest.mark.sqlite
@pytest.mark.django_db
def test_events_in_the_cooldown_are_recorded_without_an_alert(world) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from recordings.motion import services as motion

    start = timezone.now()
    first = motion.open_event(world.camera_a1, at=start, score=0.1, boxes=[[0, 0, 0.1, 0.1]], snapshot=b"\xff\xd8\xff",
                              cooldown_seconds=60)
    motion.close_event(first, at=start + timedelta(seconds=4))
    second = motion.open_event(world.camera_a1, at=start + timedelta(seconds=30), score=0.1, boxes=[], snapshot=None,
                               cooldown_seconds=60)
    third = motion.open_event(world.camera_a1, at=start + timedelta(seconds=61), score=0.1, boxes=[], snapshot=None,
                              cooldown_seconds=60)
    other_camera = motion.open_event(world.camera_a2, at=start + timedelta(seconds=30), score=0.1, boxes=[],
                                     snapshot=None, cooldown_seconds=60)

    assert [first.alerted, second.alerted, third.alerted, other_camera.alerted] == [True, False, True, True]
    first.refresh_from_db()
    assert first.ended_at == start + timedelta(seconds=4)
    assert first.snapshot.name == f"motion/{world.org_a.pk}/{first.public_id.hex}.jpg"


@pytest.mark.sqlite
@pytest.mark.django_db
def test_the_peak_keeps_the_strongest_moment_and_abandoned_events_are_closed(world) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from django.utils import timezone

    from recordings.models import MotionEvent
    from recordings.motion import services as motion

    start = timezone.now()
    event = motion.open_event(world.camera_a1, at=start, score=0.1, boxes=[[0, 0, 0.1, 0.1]], snapshot=None,
                              cooldown_seconds=0)
    motion.raise_peak(event, at=start + timedelta(seconds=1), score=0.3, boxes=[[0.5, 0.5, 0.2, 0.2]],
                      snapshot=b"\xff\xd8\xffpeak")
    motion.raise_peak(event, at=start + timedelta(seconds=2), score=0.2, boxes=[[0, 0, 0.1, 0.1]], snapshot=None)

    assert motion.close_abandoned(world.camera_a1.pk) == 1  # as a new watch does after a worker died
    event = MotionEvent.objects.get(pk=event.pk)
    assert (event.peak_score, event.boxes) == (0.3, [[0.5, 0.5, 0.2, 0.2]])
    assert event.ended_at == start + timedelta(seconds=1)
    with storage.clip_storage().open(event.snapshot.name, "rb") as handle:
        assert handle.read() == b"\xff\xd8\xffpeak"
