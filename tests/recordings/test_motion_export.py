"""A motion alert's "Export" button: the alert's footage from its start less the pre-roll to its end plus the
post-roll, as a range clip; only for people with the export right, 404 for anyone else's alert."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from recordings import storage
from recordings.clips import range_exports
from recordings.footage.models import RecordingSettings
from recordings.models import Clip, ClipStatus
from tests.conftest import World
from tests.recordings.motion_helpers import make_event
from tests.recordings.range_helpers import index_recording, make_recording, probe, set_recording

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite, pytest.mark.usefixtures("queued_work")]


@pytest.fixture(scope="module")
def recording(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return make_recording(tmp_path_factory.mktemp("event-footage"), count=4)


@pytest.fixture(autouse=True)
def _recordings_root(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    settings.CCTV_RECORDINGS_DIR = tmp_path / "recordings"


@pytest.fixture
def t0(world: World, recording: list[Path]) -> datetime:
    """Camera A1 recorded 40 s from t0, with 4 s of pre-roll and 6 s of post-roll set."""
    start = (timezone.now() - timedelta(hours=1)).replace(microsecond=0)
    index_recording(world.camera_a1, start, recording)
    set_recording(world.camera_a1)
    RecordingSettings.objects.filter(camera=world.camera_a1).update(pre_roll_seconds=4, post_roll_seconds=6)
    return start


def test_export_covers_the_alert_with_its_pre_and_post_roll(world: World, t0: datetime,
                                                            client_for: Callable) -> None:
    event = make_event(world.camera_a1, started_at=t0 + timedelta(seconds=10), seconds=12)

    response = client_for(world.operator).post(reverse("motion_export", args=[event.public_id]))

    assert response.status_code == 302 and response["Location"].startswith(reverse("clip_list"))
    clip = Clip.objects.get()
    assert (clip.range_start, clip.range_end) == (t0 + timedelta(seconds=6), t0 + timedelta(seconds=28))
    range_exports.cut_range_clip(clip.pk, task_id=clip.task_id, last_try=False)
    clip.refresh_from_db()
    assert clip.status == ClipStatus.READY, clip.reason
    duration = float(probe(Path(storage.clip_storage().path(clip.file.name)))["format"]["duration"])
    assert duration == pytest.approx(22, abs=0.15)  # +6 s is a keyframe (every 2 s) to +28 s


def test_the_alert_list_shows_export_only_to_those_who_may_export(world: World, t0: datetime,
                                                                   client_for: Callable) -> None:
    event = make_event(world.camera_a1, started_at=t0 + timedelta(seconds=10))
    action = reverse("motion_export", args=[event.public_id])

    assert action in client_for(world.operator).get(reverse("alert_list")).content.decode()
    assert action not in client_for(world.viewer).get(reverse("alert_list")).content.decode()


def test_a_viewer_cannot_export_and_another_organization_gets_404(world: World, t0: datetime,
                                                                  client_for: Callable) -> None:
    event = make_event(world.camera_a1, started_at=t0 + timedelta(seconds=10))
    url = reverse("motion_export", args=[event.public_id])

    assert client_for(world.viewer).post(url).status_code == 403
    assert client_for(world.admin_b).post(url).status_code == 404
    assert not Clip.objects.exists()


def test_an_alert_without_footage_says_so_and_writes_nothing(world: World, t0: datetime,
                                                            client_for: Callable) -> None:
    RecordingSettings.objects.filter(camera=world.camera_a1).update(mode="off")
    event = make_event(world.camera_a1, started_at=t0 - timedelta(hours=2))

    response = client_for(world.operator).post(reverse("motion_export", args=[event.public_id]), follow=True)

    assert "no recorded footage" in response.content.decode()
    assert not Clip.objects.exists()


def test_the_api_exports_an_event_and_refuses_others(world: World, t0: datetime,
                                                     api_as: Callable[[str], object]) -> None:
    event = make_event(world.camera_a1, started_at=t0 + timedelta(seconds=10), seconds=12)
    url = f"/api/v1/motion-events/{event.public_id}/export/"

    assert api_as("admin_b").post(url).status_code == 404
    assert api_as("viewer").post(url).status_code == 403
    response = api_as("token_admin").post(url)

    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["range_start"], body["range_end"]) == ((t0 + timedelta(seconds=6)).isoformat().replace("+00:00", "Z"),
                                                        (t0 + timedelta(seconds=28)).isoformat().replace("+00:00", "Z"))
    assert Clip.objects.count() == 1
