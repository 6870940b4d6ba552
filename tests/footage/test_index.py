"""The segment index on the database: counters that move with rows, range queries, motion marks, the buffer.

The tests marked ``sqlite`` prove SQL that could read differently on SQLite,
bin/start's database (``F()`` counters, the window and date arithmetic of
the coverage query, datetime ranges, ``Case`` updates): bin/test's SQLite pass
runs them again there.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from portal.work import captured
from recordings.footage import epochs, index, layout, services, settle, timeline
from recordings.footage.models import (
    CameraUsage,
    HealthState,
    OrganizationUsage,
    RecordingHealth,
    RecordingMode,
    RecordingSettings,
    Segment,
    SegmentKind,
    StoragePolicy,
    StreamChoice,
)
from recordings.models import MotionEvent
from recordings.motion import services as motion
from tests.conftest import World
from tests.footage.helpers import RUN, add, facts, place, run_of
from tests.support.factories import make_camera

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def usage(world: World, camera) -> tuple[tuple[int, int], tuple[int, int]]:  # type: ignore[no-untyped-def]
    cam = CameraUsage.objects.get(camera=camera)
    org = OrganizationUsage.objects.get(organization=world.org_a)
    return (cam.bytes, cam.segments), (org.bytes, org.segments)


@pytest.mark.sqlite
def test_adding_segments_moves_camera_and_organization_counters(world: World) -> None:
    add(world.camera_a1, at(0), size=1500)
    add(world.camera_a1, at(10), size=2500)
    add(world.camera_a2, at(0), size=700)

    assert usage(world, world.camera_a1) == ((4000, 2), (4700, 3))
    health = RecordingHealth.objects.get(camera=world.camera_a1)
    assert (health.last_segment_at, health.bytes_today) == (at(20), 4000)


@pytest.mark.sqlite
def test_the_same_segment_twice_is_indexed_once(world: World) -> None:
    add(world.camera_a1, at(0), size=1500)
    again = index.add_segment(index.NewSegment(
        organization_id=world.org_a.pk, camera_id=world.camera_a1.pk, stream="main", kind=SegmentKind.CONTINUOUS,
        start=at(0), facts=facts(10, 1500), run=RUN, key="other", sha256="1" * 64, local_day=T0.date(),
    ))  # fmt: skip

    assert again is None
    assert usage(world, world.camera_a1) == ((1500, 1), (1500, 1))


@pytest.mark.sqlite
def test_removing_rows_moves_the_counters_back(world: World) -> None:
    first, second = run_of(world.camera_a1, at(0), 2)

    assert index.remove_rows([first, first]) == 1  # a second removal of the same row changes nothing
    assert usage(world, world.camera_a1) == ((1000, 1), (1000, 1))
    assert list(Segment.objects.values_list("pk", flat=True)) == [second.pk]


@pytest.mark.sqlite
def test_deleting_a_camera_keeps_its_footage_counted_for_the_organization(world: World) -> None:
    add(world.camera_a2, at(0), size=900)
    world.camera_a2.delete()

    assert OrganizationUsage.objects.get(organization=world.org_a).bytes == 900
    assert Segment.objects.get().camera_id is None


@pytest.mark.sqlite
def test_bytes_today_start_again_on_a_new_day(world: World) -> None:
    add(world.camera_a1, at(0), size=100)
    add(world.camera_a1, at(86400), size=300)

    health = RecordingHealth.objects.get(camera=world.camera_a1)
    assert (health.day, health.bytes_today) == ((T0 + timedelta(days=1)).date(), 300)


# --- range queries ---------------------------------------------------------------------------


@pytest.mark.sqlite
def test_a_range_answers_segments_covered_time_and_gaps(world: World) -> None:
    run_of(world.camera_a1, at(0), 6)  # 0 .. 60
    run_of(world.camera_a1, at(75), 3)  # 75 .. 105 after a 15 s hole
    add(world.camera_a1, at(20), stream="sub")  # another stream: not counted
    add(world.camera_b, at(20))  # another camera

    answer = index.footage_in_range(world.camera_a1.pk, "main", at(5), at(100))

    assert [s["start"] for s in answer.segments] == [at(s) for s in (0, 10, 20, 30, 40, 50, 75, 85, 95)]
    assert [(i.start, i.end) for i in answer.covered] == [(at(5), at(60)), (at(75), at(100))]
    assert [(g.start, g.end) for g in answer.gaps] == [(at(60), at(75))]
    assert answer.covered_seconds == 80


def test_a_day_of_segments_is_answered_in_a_fixed_number_of_indexed_queries(world: World,
                                                                          django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    Segment.objects.bulk_create([
        Segment(organization=world.org_a, camera=world.camera_a1, stream="main", start=at(10 * i),
                end=at(10 * i + 10), duration=10, bytes=1, codec="h264", init_size=1, run=RUN, key=f"k{i}", sha256="")
        for i in range(8640)
    ])  # fmt: skip

    with django_assert_num_queries(2):  # where footage resumes, and the last end
        coverage = index.footage_in_range(world.camera_a1.pk, "main", at(0), at(86400), with_segments=False)
    assert coverage.covered == [timeline.Interval(at(0), at(86400))] and coverage.gaps == []
    with django_assert_num_queries(1):  # the segments, from which the coverage is merged
        answer = index.footage_in_range(world.camera_a1.pk, "main", at(0), at(86400))
    assert len(answer.segments) == 8640
    assert answer.covered == coverage.covered and answer.gaps == []
    rows = Segment.objects.of_stream(world.camera_a1.pk, "main").overlapping(at(0), at(86400))
    listed = rows.order_by("start_us").values_list(*index._LISTED_COLUMNS)
    with connection.cursor() as cursor:
        # One camera's day is the whole table here, where a table scan is cheapest; forbid it to see
        # that the range index serves the query's shape, and holds every column the API lists.
        cursor.execute("SET LOCAL enable_seqscan = off")
        plans = []
        for query in (rows.query, listed.query):
            sql, params = query.sql_with_params()
            cursor.execute(f"EXPLAIN {sql}", params)
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert "Index Scan using footage_seg_range_listed" in plans[0], plans[0]  # a range scan of the index
    assert "Index Only Scan using footage_seg_range_listed" in plans[1], plans[1]  # the table is not read


@pytest.mark.sqlite
def test_the_epoch_columns_are_the_same_instants_as_start_and_end(world: World) -> None:
    """``start_us``/``end_us`` are computed by the database (text on SQLite): whole seconds and fractions alike."""
    starts = [at(0), at(10.000001), at(20.5), at(30.999999), at(40.004)]
    for start in starts:
        add(world.camera_a1, start, 9.999999)
    add(world.camera_a1, datetime(1999, 12, 31, 23, 59, 59, 1, tzinfo=UTC), 10.0)

    rows = Segment.objects.order_by("start").values_list("start", "end", "start_us", "end_us")

    assert [(epochs.to_microseconds(start), epochs.to_microseconds(end)) for start, end, _, _ in rows] == [
        (start_us, end_us) for _, _, start_us, end_us in rows]
    assert [epochs.from_microseconds(start_us) for _, _, start_us, _ in rows][1:] == starts
    assert epochs.to_microseconds(at(0)) == int(at(0).timestamp()) * 1_000_000


@pytest.mark.sqlite
def test_the_databases_coverage_is_the_same_as_merging_in_python(world: World) -> None:
    rng = random.Random(12)
    cursor, spans = 0.0, []
    for _ in range(400):
        cursor += rng.choice([0, 0, 0, 0.004, -0.003, 0.4, 0.6, 3, 45])  # seams, jitter, small and real gaps
        length = rng.choice([2, 9.9, 10, 10.2, 13.3])
        if rng.random() < 0.05:
            length = rng.choice([0.3, 1])  # a short one, perhaps inside the one before
        spans.append((at(cursor), at(cursor + length)))
        add(world.camera_a1, at(cursor), length)
        cursor += length
    for start, end in [(at(0), at(cursor)), (at(100.1), at(1500.7)), (at(cursor / 2), at(cursor + 100))]:
        expected = timeline.merge(sorted(spans), start, end)
        assert index.covered_intervals(world.camera_a1.pk, "main", start, end) == expected
        # With the segments, the coverage is merged from the listed rows instead: the same answer.
        assert index.footage_in_range(world.camera_a1.pk, "main", start, end).covered == expected


@pytest.mark.sqlite
def test_seams_milliseconds_apart_are_one_stretch_and_a_real_hole_is_a_gap(world: World) -> None:
    """Every other segment 4 ms late (a seam, not a gap) and one 25 s hole: what bin/start's SQLite must read too."""
    spans = []
    for number in range(60):
        start = at(10 * number + (25 if number >= 30 else 0) + (0.004 if number % 2 else 0))
        add(world.camera_a1, start, 10.0, size=100)
        spans.append((start, start + timedelta(seconds=10)))

    covered = index.covered_intervals(world.camera_a1.pk, "main", at(5), at(700))
    answer = index.footage_in_range(world.camera_a1.pk, "main", at(0), at(700))

    assert covered == timeline.merge(spans, at(5), at(700))
    assert [(i.start, i.end) for i in covered] == [(at(5), at(300.004)), (at(325), at(625.004))]
    assert [(g.start, g.end) for g in answer.gaps] == [(at(300.004), at(325)), (at(625.004), at(700))]
    assert len(answer.segments) == 60
    assert usage(world, world.camera_a1) == ((6000, 60), (6000, 60))


# --- settings and what to record ----------------------------------------------------------------


def test_sub_stream_falls_back_to_main_on_cameras_without_one(world: World) -> None:
    services.update_settings(world.admin, world.camera_a1_sub.public_id, mode="continuous", stream="sub")
    services.update_settings(world.admin, world.camera_a1.public_id, mode="events", stream="both")

    assert services.variants(world.camera_a1_sub.recording_settings, world.camera_a1_sub) == ("sub",)
    world.camera_a1.refresh_from_db()
    assert services.variants(world.camera_a1.recording_settings, world.camera_a1) == ("main",)
    assert services.preferred_stream(world.camera_a1_sub) == "sub"


def test_switching_recording_on_and_off_sets_health_and_is_audited(world: World) -> None:
    services.update_settings(world.admin, world.camera_a1.public_id, mode=RecordingMode.CONTINUOUS)
    assert RecordingHealth.objects.get(camera=world.camera_a1).state == HealthState.WAITING

    services.update_settings(world.admin, world.camera_a1.public_id, mode=RecordingMode.OFF)
    assert RecordingHealth.objects.get(camera=world.camera_a1).state == HealthState.OFF
    assert world.org_a.audit_events.filter(action="recording.settings").count() == 2


@pytest.mark.parametrize(("values", "field"), [
    ({"mode": "always"}, "mode"),
    ({"stream": "third"}, "stream"),
    ({"pre_roll_seconds": 301}, "pre_roll_seconds"),
    ({"continuous_retention_days": 0}, "continuous_retention_days"),
])  # fmt: skip
def test_bad_settings_are_refused_and_nothing_is_saved(world: World, values: dict, field: str) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        services.update_settings(world.admin, world.camera_a1.public_id, **values)
    assert field in refused.value.message_dict
    assert not world.org_a.audit_events.filter(action="recording.settings").exists()
    assert not RecordingSettings.objects.exists()


def test_only_managers_change_settings_and_foreign_cameras_are_missing(world: World) -> None:
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        services.update_settings(world.viewer, world.camera_a1.public_id, mode="continuous")
    with pytest.raises(Http404):
        services.update_settings(world.admin_b, world.camera_a1.public_id, mode="continuous")
    with pytest.raises(Http404):
        services.update_policy(world.admin_b, world.org_a.pk, quota_bytes=1)
    assert not StoragePolicy.objects.exists()


def test_the_policy_gives_defaults_and_changes_are_audited(world: World) -> None:
    assert services.policy_for(world.org_a.pk).continuous_retention_days == 7
    services.update_policy(world.owner, world.org_a.pk, quota_bytes=10**9, event_retention_days=60)

    policy = StoragePolicy.objects.get(organization=world.org_a)
    assert (policy.quota_bytes, policy.continuous_retention_days, policy.event_retention_days) == (10**9, 7, 60)
    assert world.org_a.audit_events.filter(action="recording.policy").exists()


# --- motion marks and the events-mode buffer ---------------------------------------------------------


def _plan(world: World, camera, mode: str = RecordingMode.EVENTS) -> services.Plan:  # type: ignore[no-untyped-def]
    services.update_settings(world.admin, camera.public_id, mode=mode, stream=StreamChoice.MAIN,
                             pre_roll_seconds=5, post_roll_seconds=8)
    return services.Plan(camera.pk, camera.public_id, camera.site.organization_id, "UTC", mode, ("main",),
                         timedelta(seconds=5), timedelta(seconds=8))


def _event(camera, start: datetime, end: datetime | None) -> MotionEvent:  # type: ignore[no-untyped-def]
    """A motion event made as the motion workers make one: footage learns its span from the motion services."""
    with captured():  # its alert's notifications are not these tests' business
        event = motion.open_event(camera, at=start, score=0.5, boxes=[], snapshot=None, cooldown_seconds=0)
    if end is not None:
        motion.close_event(event, at=end)
    return event


@pytest.mark.sqlite
def test_events_mode_keeps_only_footage_around_events(world: World, footage_root: Path,
                                                      fmp4_files: list[Path]) -> None:
    camera = world.camera_a1
    plan = _plan(world, camera)
    now = timezone.now().replace(microsecond=0)
    base = now - timedelta(seconds=120)
    segments = []
    for i in range(11):  # 120 s ago .. 10 s ago, in 10 s segments, each with a real file
        start = base + timedelta(seconds=10 * i)
        place(fmp4_files[0], camera, start)
        segments.append(add(camera, start, kind=SegmentKind.BUFFER))
    event = _event(camera, base + timedelta(seconds=42), base + timedelta(seconds=44))  # claims 37 .. 52

    settle.settle(plan, now)

    kept = Segment.objects.filter(camera=camera).order_by("start")
    assert [(s.start - base).total_seconds() for s in kept] == [30, 40, 50, 100]  # 100 is still in the buffer
    assert [s.kind for s in kept] == [SegmentKind.EVENT] * 3 + [SegmentKind.BUFFER]
    assert all(s.motion_event_id == event.pk and s.has_motion for s in kept[:3])
    dropped = [s for s in segments if s.pk not in {k.pk for k in kept}]
    assert not any(layout.path_of(s.key).exists() for s in dropped)  # files first, then rows
    assert all(layout.path_of(s.key).exists() for s in kept)
    assert usage(world, camera) == ((4000, 4), (4000, 4))


@pytest.mark.sqlite
def test_an_event_still_open_keeps_the_buffer_growing(world: World, footage_root: Path) -> None:
    camera = world.camera_a1
    plan = _plan(world, camera)
    now = timezone.now().replace(microsecond=0)
    _event(camera, now - timedelta(seconds=65), None)
    for i in range(6):
        add(camera, now - timedelta(seconds=70 - 10 * i), kind=SegmentKind.BUFFER)

    settle.settle(plan, now)

    assert list(Segment.objects.values_list("kind", flat=True).distinct()) == [SegmentKind.EVENT]
    assert Segment.objects.count() == 6


@pytest.mark.sqlite
def test_continuous_footage_is_marked_with_motion_and_kept(world: World, footage_root: Path) -> None:
    camera = world.camera_a2
    plan = _plan(world, camera, RecordingMode.CONTINUOUS)
    now = timezone.now().replace(microsecond=0)
    for i in range(6):
        add(camera, now - timedelta(seconds=60 - 10 * i))
    event = _event(camera, now - timedelta(seconds=33), now - timedelta(seconds=31))

    settle.settle(plan, now)

    marked = Segment.objects.filter(has_motion=True).order_by("start")
    assert [(now - s.start).total_seconds() for s in marked] == [40, 30]  # 38 .. 23 with the rolls
    assert {s.motion_event_id for s in marked} == {event.pk}
    assert Segment.objects.filter(kind=SegmentKind.CONTINUOUS).count() == 6


def test_restricted_members_see_only_their_cameras_footage(world: World) -> None:
    add(world.camera_a1, at(0))
    add(world.camera_a2, at(0))
    add(world.camera_b, at(0))

    def visible(user) -> set[int]:  # type: ignore[no-untyped-def]
        return set(Segment.objects.for_user(user).values_list("camera_id", flat=True))

    assert visible(world.viewer) == {world.camera_a1.pk, world.camera_a2.pk}
    assert visible(world.restricted_viewer) == {world.camera_a1.pk}
    assert visible(world.admin_b) == {world.camera_b.pk}
    assert visible(world.outsider) == set()


def test_a_camera_in_another_site_is_not_in_a_restricted_range(world: World) -> None:
    camera = make_camera(world.site_a2, "Extra")
    add(camera, at(0))
    assert not Segment.objects.for_user(world.restricted_viewer).filter(camera=camera).exists()


@pytest.mark.sqlite
def test_a_recorders_cameras_are_settled_together_each_by_its_own_rolls(world: World, footage_root: Path,
                                                                         fmp4_files: list[Path]) -> None:
    now = timezone.now().replace(microsecond=0)
    short = _plan(world, world.camera_a1)  # pre-roll 5 s: buffer older than 15 s can go
    long = dataclasses.replace(_plan(world, world.camera_a2), pre_roll=timedelta(seconds=60))  # ... 70 s
    for camera in (world.camera_a1, world.camera_a2):
        start = now - timedelta(seconds=40)
        place(fmp4_files[0], camera, start)
        add(camera, start, kind=SegmentKind.BUFFER)  # ended 30 s ago
    event = _event(world.camera_a1_sub, now - timedelta(seconds=35), now - timedelta(seconds=34))
    add(world.camera_a1_sub, now - timedelta(seconds=40))
    marked = services.Plan(world.camera_a1_sub.pk, world.camera_a1_sub.public_id, world.org_a.pk, "UTC",
                           RecordingMode.CONTINUOUS, ("main",), timedelta(0), timedelta(0))

    settle.settle_all([short, long, marked], now)

    assert list(Segment.objects.filter(kind=SegmentKind.BUFFER).values_list("camera_id", flat=True)) == [
        world.camera_a2.pk]  # its pre-roll still needs it
    assert Segment.objects.get(camera=world.camera_a1_sub).motion_event_id == event.pk


@pytest.mark.sqlite
def test_settling_cameras_where_nothing_happens_costs_two_queries_however_many(
        world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now().replace(microsecond=0)
    plans = [services.Plan(camera.pk, camera.public_id, world.org_a.pk, "UTC", RecordingMode.CONTINUOUS, ("main",),
                           timedelta(seconds=10), timedelta(seconds=10)) for camera in world.cameras_a]
    for camera in world.cameras_a:
        run_of(camera, now - timedelta(seconds=60), 5)

    with django_assert_num_queries(2):  # recent events of all, stale buffer of all
        settle.settle_all(plans, now)
