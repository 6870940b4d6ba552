"""Footage's motion spans follow the motion events: written by the motion services, filled once by a migration.

The recorder's motion marks and events-mode buffer read only these spans
(``recordings.footage.settle``; their behaviour is tested in test_index.py),
so a span that did not follow its event would lose or keep the wrong footage.
"""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from django.apps import apps
from django.utils import timezone

from portal.work import captured
from recordings.footage.models import MotionSpan
from recordings.models import MotionEvent
from recordings.motion import services as motion
from tests.conftest import World
from tests.support.factories import make_camera

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


def spans() -> list[tuple[int, int, object, object]]:
    return list(MotionSpan.objects.order_by("event_id").values_list("event_id", "camera_id", "started_at", "ended_at"))


def opened(camera, at):  # type: ignore[no-untyped-def]
    with captured():  # the alert's notifications are not these tests' business
        return motion.open_event(camera, at=at, score=0.2, boxes=[], snapshot=None, cooldown_seconds=0)


def test_footage_is_told_each_events_span_as_motion_opens_and_closes_it(world: World) -> None:
    start = timezone.now().replace(microsecond=0)

    event = opened(world.camera_a1, start)
    assert spans() == [(event.pk, world.camera_a1.pk, start, None)]

    motion.close_event(event, at=start + timedelta(seconds=7))
    motion.close_event(event, at=start + timedelta(seconds=30))  # a late second close changes neither

    event.refresh_from_db()
    assert event.ended_at == start + timedelta(seconds=7)
    assert spans() == [(event.pk, world.camera_a1.pk, start, start + timedelta(seconds=7))]


def test_abandoned_events_end_their_span_where_the_event_ends(world: World) -> None:
    start = timezone.now().replace(microsecond=0)
    event = opened(world.camera_a1, start)
    other = opened(world.camera_a2, start)
    motion.raise_peak(event, at=start + timedelta(seconds=3), score=0.9, boxes=[], snapshot=None)

    assert motion.close_abandoned(world.camera_a1.pk) == 1

    assert spans() == [(event.pk, world.camera_a1.pk, start, start + timedelta(seconds=3)),
                       (other.pk, world.camera_a2.pk, start, None)]


def test_a_span_goes_with_its_event_or_its_camera(world: World) -> None:
    start = timezone.now().replace(microsecond=0)
    camera = make_camera(world.site_a1, "Doomed")
    expired, doomed, kept = opened(world.camera_a1, start), opened(camera, start), opened(world.camera_a2, start)

    MotionEvent.objects.filter(pk=expired.pk).delete()  # as retention deletes old events
    with captured():
        camera.delete()

    assert [row[0] for row in spans()] == [kept.pk]
    assert MotionEvent.objects.get(pk=doomed.pk).camera_id is None  # the event itself outlives its camera


def test_the_migration_gives_every_existing_event_with_a_camera_its_span(world: World) -> None:
    migration = importlib.import_module("recordings.footage.migrations.0007_motion_spans")
    start = timezone.now().replace(microsecond=0)

    def event(camera, ended: bool):  # type: ignore[no-untyped-def]  # a row from before spans: none is written
        return MotionEvent.objects.create(
            organization_id=world.org_a.pk, camera=camera, camera_name="A", started_at=start,
            ended_at=start + timedelta(seconds=5) if ended else None)

    closed, still_open, cameraless = event(world.camera_a1, True), event(world.camera_a2, False), event(None, True)
    assert spans() == []

    migration.copy_spans(apps, None)

    assert spans() == [(closed.pk, world.camera_a1.pk, start, start + timedelta(seconds=5)),
                       (still_open.pk, world.camera_a2.pk, start, None)]
    assert cameraless.pk not in {row[0] for row in spans()}
