"""PTZ presets in the Django admin: scoped to the organizations one manages, read-only, removed via the service."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from cameras.models import PTZPreset
from tests.conftest import World
from tests.ptz.conftest import give_capabilities

pytestmark = pytest.mark.django_db


@pytest.fixture
def presets(world: World) -> tuple[PTZPreset, PTZPreset]:
    for camera in (world.camera_a1, world.camera_b):
        give_capabilities(camera)
    return (PTZPreset.objects.create(camera=world.camera_a1, name="Door", token="preset_1"),
            PTZPreset.objects.create(camera=world.camera_b, name="Their gate", token="preset_1"))


def test_admins_see_only_their_presets_read_only(world: World, presets: tuple, client_for: Callable) -> None:
    mine, theirs = presets
    client = client_for(world.admin)

    listing = client.get(reverse("admin:cameras_ptzpreset_changelist"))
    change = client.get(reverse("admin:cameras_ptzpreset_change", args=[mine.pk]))
    foreign = client.get(reverse("admin:cameras_ptzpreset_change", args=[theirs.pk]))

    assert [p.name for p in listing.context["cl"].result_list] == ["Door"]
    assert change.status_code == 200 and not change.context["has_change_permission"]
    assert foreign.status_code == 404
    assert client.get(reverse("admin:cameras_ptzpreset_add")).status_code == 403


def test_deleting_goes_through_the_service(world: World, presets: tuple, client_for: Callable) -> None:
    """The camera is asked; the preset stays, marked, until it has (and the admin is not told "deleted")."""
    mine, _ = presets

    response = client_for(world.admin).post(reverse("admin:cameras_ptzpreset_delete", args=[mine.pk]),
                                            {"post": "yes"}, follow=True)

    mine.refresh_from_db()
    assert mine.removing
    assert [str(m) for m in response.context["messages"]] == [
        "Asked the camera to delete the preset “Door”. It leaves this list once the camera has; if the camera "
        "refuses, the live view says why."
    ]
    event = AuditEvent.objects.get(action="ptz.preset.delete")
    assert (event.actor, event.detail["preset"]) == (world.admin, "Door")
