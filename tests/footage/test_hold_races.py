"""A hold set while footage is being deleted (PostgreSQL, real concurrent transactions).

Setting a hold and deleting footage both take the camera's indexing lock
first, so one waits for the other: held footage is never deleted, and no
held row is left without its file. Each test pauses one side inside its
transaction, waits until PostgreSQL shows the other side blocked on a lock,
then lets the first finish. (SQLite runs one write transaction at a time.)
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from recordings.footage import holds, index, layout, removal
from recordings.footage.models import LegalHold, Segment
from tests.conftest import World
from tests.footage.helpers import ended_ago
from tests.support.concurrency import run_at_once
from tests.support.waiting import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def someone_waits_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


def paused(original: Callable[..., Any], inside: threading.Event, go: threading.Event) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        inside.set()
        assert go.wait(timeout=60), "the test never let the paused transaction go on"
        return original(*args, **kwargs)

    return wrapper


def race(first: Callable[[], Any], second: Callable[[], Any], inside: threading.Event,
         go: threading.Event) -> list[Any]:
    """Run ``first`` until it pauses, then ``second`` until it waits for a lock, then let both finish."""

    def start_second() -> Any:
        assert inside.wait(timeout=60)
        return second()

    def release() -> None:
        assert inside.wait(timeout=60)
        try:
            wait_until(someone_waits_for_a_lock, timeout=30, interval=0.05,
                       what="the second transaction waiting for the first one's lock")
        finally:
            go.set()  # let the first transaction finish either way

    return run_at_once([first, start_second, release])


def test_footage_being_held_is_not_deleted_by_a_deletion_that_started_meanwhile(
    world: World, footage_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    segment = ended_ago(world.camera_a1, timezone.now(), days=9)
    inside, go = threading.Event(), threading.Event()
    monkeypatch.setattr(holds.audit, "record", paused(holds.audit.record, inside, go))  # after flagging, uncommitted

    def set_hold() -> LegalHold:
        return holds.create_hold(world.admin, world.camera_a1.public_id, start=segment.start, end=segment.end,
                                 reason="Case 99")

    _, removed, _ = race(set_hold, lambda: removal.delete_segments([segment.pk]), inside, go)

    assert (removed.segments, removed.held) == (0, 1)
    assert Segment.objects.get(pk=segment.pk).held and layout.path_of(segment.key).exists()


def test_a_hold_set_while_footage_is_deleted_finds_it_gone_and_leaves_nothing_half_done(
    world: World, footage_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    segment = ended_ago(world.camera_a1, timezone.now(), days=9)
    inside, go = threading.Event(), threading.Event()
    monkeypatch.setattr(index, "remove_rows", paused(index.remove_rows, inside, go))  # file gone, row not yet

    def set_hold() -> LegalHold:
        return holds.create_hold(world.admin, world.camera_a1.public_id, start=segment.start, end=segment.end,
                                 reason="Case 100")

    removed, created, _ = race(lambda: removal.delete_segments([segment.pk]), set_hold, inside, go)

    assert removed.segments == 1
    assert not Segment.objects.filter(pk=segment.pk).exists() and not layout.path_of(segment.key).exists()
    assert LegalHold.objects.filter(pk=created.pk).exists()  # the hold stands; it came after the footage went
