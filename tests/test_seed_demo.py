"""manage.py seed_demo: the demo organization bin/start shows a newcomer."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from accounts.models import AuditEvent, Membership, Organization, User
from accounts.roles import Role
from cameras.models import Camera, Site
from recordings.footage.models import RecordingSettings, StoragePolicy

SIMULATOR = "127.0.0.1:18554"


def seed(*args: str) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def allow_simulator(settings) -> None:
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = [SIMULATOR]


def logins(output: str) -> dict[str, str]:
    rows = [line.split() for line in output.splitlines() if "@demo.local" in line]
    return {row[0]: row[1] for row in rows}


def test_seed_demo_creates_the_demo_organization(db, allow_simulator) -> None:
    output = seed("--url", "http://127.0.0.1:8123/")

    organization = Organization.objects.get(name="Demo Org")
    assert sorted(Site.objects.filter(organization=organization).values_list("name", flat=True)) == [
        "Head Office",
        "Video Wall",
        "Warehouse",
    ]
    cameras = Camera.objects.filter(site__organization=organization)
    assert cameras.count() == 100  # a full 10x10 grid
    back_yard = cameras.get(name="Back Yard")
    assert back_yard.main_source == f"rtsp://{SIMULATOR}/motion"
    assert back_yard.motion_settings.enabled  # the motion demo
    entrance = cameras.get(name="Entrance")  # the PTZ demo: its picture follows the simulated device
    assert (entrance.main_source, entrance.sub_source) == (f"rtsp://{SIMULATOR}/ptz", f"rtsp://{SIMULATOR}/ptz-sub")
    others = cameras.exclude(pk__in=[back_yard.pk, entrance.pk])
    assert {camera.main_source for camera in others} == {f"rtsp://{SIMULATOR}/demo{i}" for i in range(1, 5)}
    assert {camera.sub_source for camera in others} == {f"rtsp://{SIMULATOR}/demo{i}-sub" for i in range(1, 5)}
    roles = dict(Membership.objects.filter(organization=organization).values_list("user__email", "role"))
    assert roles == {
        "owner@demo.local": Role.OWNER,
        "admin@demo.local": Role.ADMIN,
        "operator@demo.local": Role.OPERATOR,
        "viewer@demo.local": Role.VIEWER,
    }
    assert User.objects.get(email="admin@demo.local").is_staff
    assert not User.objects.get(email="viewer@demo.local").is_staff
    recorded = RecordingSettings.objects.filter(camera__site__organization=organization)
    assert sorted(recorded.values_list("camera__name", flat=True)) == [
        "Aisle 3", "Back Yard", "Entrance", "Loading Dock", "Reception"]  # Head Office and Warehouse
    assert set(recorded.values_list("mode", "stream", "continuous_retention_days")) == {("continuous", "sub", 1)}
    assert StoragePolicy.objects.get(organization=organization).continuous_retention_days == 1
    assert "http://127.0.0.1:8123/" in output

    printed = logins(output)
    assert set(printed) == set(roles)
    for email, password in printed.items():
        assert User.objects.get(email=email).check_password(password)


def test_seed_demo_is_idempotent_and_passwords_log_in(db, allow_simulator) -> None:
    seed()
    second = seed("--camera-base", f"rtsp://{SIMULATOR}/")
    assert Organization.objects.filter(name="Demo Org").count() == 1
    assert Site.objects.filter(organization__name="Demo Org").count() == 3
    assert Camera.objects.filter(site__organization__name="Demo Org").count() == 100
    assert Membership.objects.filter(organization__name="Demo Org").count() == 4
    assert AuditEvent.objects.filter(action="recording.settings").count() == 5  # once per camera, not per run
    client = Client()
    password = logins(second)["viewer@demo.local"]
    response = client.post("/accounts/login/", {"login": "viewer@demo.local", "password": password})
    assert response.status_code == 302
    assert client.session.get("_auth_user_id") == str(User.objects.get(email="viewer@demo.local").pk)


def test_seed_demo_explains_a_refused_simulator(db) -> None:
    with pytest.raises(CommandError, match="CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS=127.0.0.1:18554"):
        seed()
