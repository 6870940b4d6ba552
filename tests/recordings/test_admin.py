"""The clip admin: read-only rows of the admin's own organizations; deletes through the service."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from recordings.models import Clip
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
