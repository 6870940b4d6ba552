"""manage.py seed_demo --onvif: the demo's PTZ camera."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from cameras.models import Camera
from portal.work import CapturedWork

pytestmark = pytest.mark.django_db
SIMULATOR, DEVICE = "127.0.0.1:18554", "127.0.0.1:18080"


def seed(*args: str) -> None:
    call_command("seed_demo", *args, stdout=StringIO())


def test_the_entrance_camera_gets_the_onvif_device(settings: Any, queued_work: CapturedWork) -> None:
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = [SIMULATOR, DEVICE]

    seed("--onvif", DEVICE, "--onvif-password", "demo-pass")
    seed("--onvif", DEVICE, "--onvif-password", "demo-pass")  # a restart reads the device again

    camera = Camera.objects.get(name="Entrance", site__name="Head Office")
    assert (camera.onvif_host, camera.onvif_port, camera.onvif_username, camera.onvif_password) == (
        "127.0.0.1", 18080, "admin", "demo-pass",
    )
    assert len(queued_work.named("cameras.tasks.refresh_ptz_capabilities")) == 2
    assert Camera.objects.exclude(onvif_host="").count() == 1


def test_a_refused_device_is_explained(settings: Any) -> None:
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = [SIMULATOR]

    with pytest.raises(CommandError, match=f"CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS={DEVICE}"):
        seed("--onvif", DEVICE)
