"""The clip admin: read-only rows of the admin's own organizations; deletes through the service."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from recordings.models import Clip, MotionSettings
from tests.conftest import World
from tests.recordings.helpers import make_clip

pytestmark = pytest.mark.django_db


def test_org_admin_lists_only_their_clips_and_cannot_add(world: World, client_for: Callable) -> None:
    own, foreign = make_clip(world.camera_a1), make_clip(world.camera_b)
    client = client_for(world.admin)

    response = client.get(reverse("admin:recordings_clip_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [own]
    assert client.get(reverse("admin:recordings_clip_change", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("admin:recordings_clip_add")).status_code == 403
    page = client.get(reverse("admin:recordings_clip_change", args=[own.pk])).content.decode()
    assert own.file.name in page and f'href="/media/{own.file.name}"' not in page  # no unaudited file link


def test_admin_delete_goes_through_the_service(world: World, client_for: Callable,
                                                django_capture_on_commit_callbacks) -> None:  # type: ignore[no-untyped-def]
    clip = make_clip(world.camera_a1)
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.admin).post(reverse("admin:recordings_clip_delete", args=[clip.pk]),
                                                {"post": "yes"})
    assert response.status_code == 302
    assert not Clip.objects.exists()
    assert AuditEvent.objects.filter(action="clip.delete").exists()


# --- motion settings ---------------------------------------------------------------------------

def _motion_post(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "enabled": "on", "sensitivity": "70", "min_area": "1.5", "analysis_fps": "4", "cooldown_seconds": "120",
        "masks": json.dumps([[[0, 0], [0.5, 0], [0.5, 0.5]]]),
        "schedule": json.dumps([{"days": [5, 6], "start": "08:00", "end": "20:00"}]),
    }
    data.update(overrides)
    return data


def test_motion_settings_admin_shows_only_the_admins_cameras(world: World, client_for: Callable) -> None:
    own = MotionSettings.objects.create(camera=world.camera_a1, enabled=True)
    foreign = MotionSettings.objects.create(camera=world.camera_b, enabled=True)
    client = client_for(world.admin)

    listing = client.get(reverse("admin:recordings_motionsettings_changelist"))

    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [own]
    assert client.get(reverse("admin:recordings_motionsettings_change", args=[foreign.pk])).status_code == 404
    assert client_for(world.viewer).get(reverse("admin:recordings_motionsettings_changelist")).status_code == 302


def test_motion_settings_admin_saves_through_the_service(world: World, client_for: Callable) -> None:
    add = reverse("admin:recordings_motionsettings_add")

    response = client_for(world.admin).post(add, _motion_post(camera=world.camera_a1.pk))

    assert response.status_code == 302
    saved = MotionSettings.objects.get(camera=world.camera_a1)
    assert (saved.enabled, saved.sensitivity, saved.min_area, saved.analysis_fps, saved.cooldown_seconds) == (
        True, 70, 1.5, 4, 120
    )
    assert saved.masks == [[[0.0, 0.0], [0.5, 0.0], [0.5, 0.5]]]
    assert saved.schedule == [{"days": [5, 6], "start": "08:00", "end": "20:00"}]
    assert AuditEvent.objects.filter(action="motion.settings", actor=world.admin).exists()


def test_motion_settings_admin_refuses_bad_values_and_keeps_the_row(world: World, client_for: Callable) -> None:
    stored = MotionSettings.objects.create(camera=world.camera_a1, enabled=True, sensitivity=40)
    change = reverse("admin:recordings_motionsettings_change", args=[stored.pk])
    client = client_for(world.admin)

    two_points = client.post(change, _motion_post(sensitivity="90", masks=json.dumps([[[0, 0], [1, 1]]])))
    bad_time = client.post(change, _motion_post(schedule=json.dumps([{"days": [0], "start": "25:00", "end": "07:00"}])))
    foreign_camera = client.post(reverse("admin:recordings_motionsettings_add"), _motion_post(camera=world.camera_b.pk))

    assert two_points.status_code == 200 and "polygon of 3 to" in two_points.content.decode()
    assert bad_time.status_code == 200 and bad_time.context["adminform"].form.errors.get("schedule")
    assert foreign_camera.status_code == 200 and foreign_camera.context["adminform"].form.errors.get("camera")
    stored.refresh_from_db()
    assert (stored.sensitivity, stored.masks) == (40, [])
    assert not MotionSettings.objects.filter(camera=world.camera_b).exists()
