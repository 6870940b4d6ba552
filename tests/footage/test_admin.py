"""The recording admin: segments read-only and scoped, settings and policy through the services, recorders."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEvent
from cameras.models import Gateway
from recordings.footage import recorders
from recordings.footage.models import Recorder, RecordingHealth, RecordingSettings, StoragePolicy
from tests.conftest import World
from tests.footage.helpers import add
from tests.support.factories import make_user

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)


def test_segments_are_listed_only_for_the_admins_organization_and_read_only(world: World,
                                                                            client_for: Callable) -> None:
    own, foreign = add(world.camera_a1, T0), add(world.camera_b, T0)
    client = client_for(world.admin)

    response = client.get(reverse("admin:footage_segment_changelist"))

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [own]
    assert client.get(reverse("admin:footage_segment_change", args=[foreign.pk])).status_code == 404
    assert client.get(reverse("admin:footage_segment_add")).status_code == 403
    assert client.post(reverse("admin:footage_segment_delete", args=[own.pk]), {"post": "yes"}).status_code == 403
    page = client.get(reverse("admin:footage_segment_change", args=[own.pk])).content.decode()
    assert own.key in page


def test_recording_settings_are_saved_through_the_service(world: World, client_for: Callable) -> None:
    client = client_for(world.admin)
    data = {"camera": world.camera_a1.pk, "mode": "events", "stream": "main", "pre_roll_seconds": "7",
            "post_roll_seconds": "9", "continuous_retention_days": "", "event_retention_days": "14"}

    response = client.post(reverse("admin:footage_recordingsettings_add"), data)

    assert response.status_code == 302, response.content.decode()[-2000:]
    row = RecordingSettings.objects.get(camera=world.camera_a1)
    assert (row.mode, row.pre_roll_seconds, row.event_retention_days) == ("events", 7, 14)
    assert AuditEvent.objects.filter(action="recording.settings").exists()
    assert RecordingHealth.objects.get(camera=world.camera_a1).state == "waiting"


def test_a_foreign_camera_cannot_be_picked_for_recording_settings(world: World, client_for: Callable) -> None:
    data = {"camera": world.camera_b.pk, "mode": "continuous", "stream": "main", "pre_roll_seconds": "5",
            "post_roll_seconds": "5"}

    response = client_for(world.admin).post(reverse("admin:footage_recordingsettings_add"), data)

    assert response.status_code == 200  # the form again, with the error
    assert "camera" in response.context["adminform"].form.errors
    assert not RecordingSettings.objects.exists()


def test_storage_policy_is_saved_through_the_service_and_scoped(world: World, client_for: Callable) -> None:
    foreign = StoragePolicy.objects.create(organization=world.org_b, quota_bytes=5)
    client = client_for(world.admin)

    response = client.post(reverse("admin:footage_storagepolicy_add"), {
        "organization": world.org_a.pk, "quota_bytes": "1000000", "continuous_retention_days": "3",
        "event_retention_days": "9"})

    assert response.status_code == 302
    assert StoragePolicy.objects.get(organization=world.org_a).quota_bytes == 1_000_000
    assert AuditEvent.objects.filter(action="recording.policy", organization=world.org_a).exists()
    assert client.get(reverse("admin:footage_storagepolicy_change", args=[foreign.pk])).status_code == 404


def test_recorders_and_their_cameras_are_for_superusers_only(world: World, client_for: Callable) -> None:
    gateway = Gateway.objects.create(name="gw", api_url="http://127.0.0.1:1")
    row = recorders.register("host-1/gw", gateway)
    RecordingHealth.objects.create(camera=world.camera_a1, state="recording", recorder=row)
    superuser = make_user(is_staff=True, is_superuser=True)

    assert client_for(world.admin).get(reverse("admin:footage_recorder_changelist")).status_code == 403
    listing = client_for(superuser).get(reverse("admin:footage_recorder_changelist"))
    assert listing.status_code == 200 and "host-1/gw" in listing.content.decode()
    page = client_for(superuser).get(reverse("admin:footage_recorder_change", args=[row.pk])).content.decode()
    assert "cameras held" in page.lower() and world.camera_a1.name in page


def test_a_second_live_recorder_cannot_take_a_name_in_use(world: World) -> None:
    gateway = Gateway.objects.create(name="gw", api_url="http://127.0.0.1:1")
    Recorder.objects.create(name="host-1/gw", host="elsewhere", pid=1, gateway=gateway, heartbeat_at=timezone.now())

    with pytest.raises(recorders.AlreadyRunning, match="another --name"):
        recorders.register("host-1/gw", gateway)
    Recorder.objects.update(stopped_at=timezone.now())
    assert recorders.register("host-1/gw", gateway).stopped_at is None  # a stopped one's name is free again
