"""Gateway assignment and the gateway URLs the portal builds."""

import uuid

import pytest
from django.http import Http404

from accounts.roles import Role
from cameras import services
from cameras.gateways import least_loaded_gateway, restream_url, websocket_url
from cameras.models import Gateway
from cameras.streams import stream_name
from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user

pytestmark = pytest.mark.django_db


def _gateway(name: str, **fields: object) -> Gateway:
    return Gateway.objects.create(name=name, api_url=f"http://{name}:1984", rtsp_url=f"rtsp://{name}:8554", **fields)


@pytest.mark.sqlite
def test_new_cameras_go_to_the_least_loaded_enabled_gateway() -> None:
    busy, idle, off = _gateway("busy"), _gateway("idle"), _gateway("off", enabled=False)
    site = make_site(make_organization())
    make_camera(site, gateway=busy)
    admin = make_user()
    make_member(admin, site.organization, Role.ADMIN)
    first = services.create_camera(admin, site, name="one", main_source="rtsp://10.0.0.1/a")
    second = services.create_camera(admin, site, name="two", main_source="rtsp://10.0.0.2/a")
    assert first.gateway == idle
    assert second.gateway in (busy, idle)
    assert off.cameras.count() == 0


def test_without_any_gateway_the_settings_gateway_is_registered(settings) -> None:  # type: ignore[no-untyped-def]
    settings.GO2RTC_API_URL = "http://gw.internal:1984"
    gateway = least_loaded_gateway()
    assert (gateway.name, gateway.api_url) == ("default", "http://gw.internal:1984")


def test_all_gateways_disabled_is_a_clear_error() -> None:
    _gateway("off", enabled=False)
    with pytest.raises(Gateway.DoesNotExist):
        least_loaded_gateway()


def test_only_superusers_move_cameras_between_gateways() -> None:
    first, second = _gateway("first"), _gateway("second")
    camera = make_camera(make_site(make_organization()), gateway=first)
    owner = make_user()
    make_member(owner, camera.site.organization, Role.OWNER)
    with pytest.raises(Http404):
        services.move_camera_to_gateway(owner, camera, second)
    services.move_camera_to_gateway(make_user(is_superuser=True), camera, second)
    camera.refresh_from_db()
    assert camera.gateway == second


def test_gateway_urls_are_built_from_the_stream_name_only() -> None:
    gateway = Gateway(name="g", api_url="https://gw.internal:1984/base/", rtsp_url="rtsp://gw.internal:8554/")
    stream = stream_name(uuid.UUID(int=1))
    assert websocket_url(gateway, stream) == f"wss://gw.internal:1984/base/api/ws?src={stream}"
    assert restream_url(gateway, stream) == f"rtsp://gw.internal:8554/{stream}"


def test_creating_a_camera_with_every_gateway_disabled_is_refused_clearly() -> None:
    from django.core.exceptions import ValidationError

    from cameras.models import Camera

    _gateway("off", enabled=False)
    site = make_site(make_organization())
    admin = make_user()
    make_member(admin, site.organization, Role.ADMIN)
    with pytest.raises(ValidationError, match="No video gateway"):
        services.create_camera(admin, site, name="x", main_source="rtsp://10.0.0.1/a")
    assert not Camera.objects.exists()
