"""ONVIF host validation in ``cameras.services.clean_camera_changes``, and the capabilities read it triggers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from cameras import services
from cameras.models import PTZCapabilities
from portal.work import CapturedWork
from tests.conftest import World
from tests.ptz.conftest import give_capabilities

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("host", "expected"),
    [("192.168.1.64", "192.168.1.64"), ("Cam-7.Site.example", "cam-7.site.example"), ("cam7", "cam7"),
     ("fd00::64", "fd00::64"), ("[2001:db8::5]", "2001:db8::5"), ("cam7.", "cam7")],
)
def test_host_names_and_addresses_are_accepted(host: str, expected: str, fake_dns: Callable) -> None:
    fake_dns({"cam-7.site.example": ["192.168.7.7"], "cam7": ["10.7.0.7"]})

    assert services.clean_camera_changes({"onvif_host": host, "onvif_port": 80})["onvif_host"] == expected


@pytest.mark.parametrize(
    ("host", "message"),
    [
        ("http://192.168.1.64", "without http:// or a path"),
        ("192.168.1.64/onvif/device_service", "without http:// or a path"),
        ("admin@192.168.1.64", "without http:// or a path"),
        ("192.168.1.64:8080", "Put the port in the ONVIF port field."),
        ("cam 7", "without spaces"),
        ("999.1.1.1", "not a valid host name or IP address"),
        ("-cam", "not a valid host name or IP address"),
        ("127.0.0.1", "cannot be this portal's own machines"),
        ("localhost", "cannot be this portal's own machines"),
        ("0.0.0.0", "cannot be this portal's own machines"),  # noqa: S104  (refused, which is the point)
        ("::ffff:127.0.0.1", "cannot be this portal's own machines"),
        ("fe80::1", "link-local"),
        ("239.1.1.1", "multicast"),
        ("no-such-camera.lan", "could not be found"),
    ],
)
def test_bad_hosts_are_refused_with_a_reason(host: str, message: str) -> None:
    with pytest.raises(ValidationError) as raised:
        services.clean_camera_changes({"onvif_host": host, "onvif_port": 80})

    assert message in " ".join(raised.value.message_dict["onvif_host"])


def test_gateway_hosts_are_refused(settings: Any) -> None:
    settings.GO2RTC_API_URL = "http://go2rtc:1984"

    with pytest.raises(ValidationError, match="video gateways"):
        services.clean_camera_changes({"onvif_host": "go2rtc", "onvif_port": 80})


def test_the_operator_may_allow_loopback_by_host_or_host_and_port(settings: Any) -> None:
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = ["127.0.0.1:18080", "localhost"]

    assert services.clean_camera_changes({"onvif_host": "127.0.0.1", "onvif_port": 18080})["onvif_host"] == "127.0.0.1"
    assert services.clean_camera_changes({"onvif_host": "localhost", "onvif_port": 6379})["onvif_host"] == "localhost"
    with pytest.raises(ValidationError):
        services.clean_camera_changes({"onvif_host": "127.0.0.1", "onvif_port": 6379})


def test_a_new_port_is_checked_with_the_host_already_stored(world: World, settings: Any) -> None:
    """Allowed as 127.0.0.1:18080 must not become 127.0.0.1:6379 by changing the port alone."""
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = ["127.0.0.1:18080"]
    camera = services.update_camera(world.admin, world.camera_a1, onvif_host="127.0.0.1", onvif_port=18080)

    with pytest.raises(ValidationError) as raised:
        services.update_camera(world.admin, camera, onvif_port=6379)

    assert "onvif_host" in raised.value.message_dict
    camera.refresh_from_db()
    assert camera.onvif_port == 18080


def test_changing_onvif_settings_forgets_that_presets_could_not_be_deleted(world: World) -> None:
    """Another device (or firmware) may answer there now: deleting is offered again."""
    give_capabilities(world.camera_a1, remove_presets=False, remove_presets_refusal="Optional Action Not Implemented")

    services.update_camera(world.admin, world.camera_a1, name="Renamed")
    kept = PTZCapabilities.objects.get(camera=world.camera_a1).remove_presets
    services.update_camera(world.admin, world.camera_a1, onvif_host="192.168.1.70")

    assert kept is False
    assert PTZCapabilities.objects.get(camera=world.camera_a1).remove_presets is True


def test_changing_onvif_settings_reads_capabilities_again(world: World, queued_work: CapturedWork) -> None:
    services.update_camera(world.admin, world.camera_a1, name="Renamed")
    services.update_camera(world.admin, world.camera_a1, onvif_host="192.168.1.70")
    services.update_camera(world.admin, world.camera_a1, onvif_password="new-secret")

    assert [work.args for work in queued_work.named("cameras.tasks.refresh_ptz_capabilities")] == [
        (world.camera_a1.pk,), (world.camera_a1.pk,)]
