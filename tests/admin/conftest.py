"""Fixtures for the admin tests, on top of the suite's ``world`` (tests/conftest.py)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from accounts.models import User
from cameras.models import Camera
from tests.conftest import World
from tests.support.factories import make_camera, make_user

# Credentials of the cameras in ``world`` and of ``onvif_camera``: none may
# ever appear in an admin page.
CREDENTIALS = ("Secr3tPass", "Wareh0use", "Gate-B-pass", "onvif-user-Q7x", "OnvifPass-Z9k", "SubPass-4hq")


@pytest.fixture
def onvif_camera(world: World) -> Camera:
    """A camera of org A with every secret set, each one distinctive."""
    return make_camera(
        world.site_a2,
        "A2 PTZ Dome",
        main_source="rtsp://dome:Secr3tPass@10.0.2.30:554/main",
        sub_source="rtsp://dome:SubPass-4hq@10.0.2.30:554/sub?password=SubPass-4hq",
        onvif_host="10.0.2.30",
        onvif_username="onvif-user-Q7x",
        onvif_password="OnvifPass-Z9k",
    )


@pytest.fixture
def superuser(db: None) -> User:
    return make_user("root@platform.example.test", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_a(world: World, client_for: Callable[[User], Client]) -> Client:
    """Org A's admin (staff) in the admin site."""
    return client_for(world.admin)


def staff(user: User) -> User:
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user
