"""Camera sources and ONVIF hosts may not lead to this machine, a gateway or a loopback/link-local address.

Every spelling of such a host is refused when a camera is saved (pages, API
and admin all come through ``cameras.services``) and again when the work is
done, since DNS may answer differently by then. Name resolution goes through
``cameras.hosts.lookup``: the real resolver for this machine's own names
(/etc/hosts), ``fake_dns`` for the rest (there is no DNS here).
"""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from cameras import hosts, services, sync
from cameras.go2rtc import Go2RTCClient, StreamState
from cameras.models import Camera, Gateway
from cameras.streams import stream_name
from tests.conftest import World

pytestmark = pytest.mark.django_db

# Each of these spells this machine (or a link-local address) in a way an
# earlier check let through: trailing dot, other names, encodings, numbers.
THIS_MACHINE = [
    "localhost.", "LOCALHOST", "localhost.localdomain", "%6cocalhost", "%31%32%37.0.0.1", "0x7f000001",
    "2130706433", "127.1", "0177.0.0.1", "0.0.0.0", "[::1]", "[::ffff:127.0.0.1]", "[fe80::1%25lo]",  # noqa: S104
    "[fe80::1]", "169.254.169.254", "224.0.0.251", "evil-rebind.example", "half-evil.example",
]
FAKE_DNS = {
    "evil-rebind.example": ["127.0.0.1"],
    "half-evil.example": ["192.168.1.50", "127.0.0.1"],  # one bad address is enough
    "cam.lan": ["192.168.1.20"],
    "ptz.lan": ["192.168.1.30"],
}


def etc_hosts_names_of_this_machine() -> list[str]:
    """Names /etc/hosts gives to loopback or to this machine's interfaces, and the machine's own host name."""
    own = {str(address) for address in hosts.interface_addresses()}
    names = {socket.gethostname()}
    for line in Path("/etc/hosts").read_text().splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) >= 2 and (fields[0].startswith("127.") or fields[0] in own or fields[0] == "::1"):
            names.update(fields[1:])
    return sorted(names)


def source_with(host: str) -> str:
    return f"rtsp://admin:Hunter2@{host}:554/Streaming/Channels/101"


def refused_source_code(source: str) -> str:
    with pytest.raises(ValidationError) as refused:
        services.clean_camera_changes({"main_source": source})
    messages = " ".join(refused.value.message_dict["main_source"])
    assert "Hunter2" not in messages and "admin" not in messages
    return refused.value.error_dict["main_source"][0].code


def refused_onvif_code(host: str, port: int = 80) -> str:
    with pytest.raises(ValidationError) as refused:
        services.clean_camera_changes({"onvif_host": host, "onvif_port": port})
    return refused.value.error_dict["onvif_host"][0].code


@pytest.fixture(autouse=True)
def _dns(fake_dns: Callable[[dict[str, list[str]]], None]) -> None:
    fake_dns(FAKE_DNS)


@pytest.mark.parametrize("host", THIS_MACHINE)
def test_sources_leading_to_this_machine_are_refused(host: str) -> None:
    assert refused_source_code(source_with(host)) in {
        "loopback", "unspecified", "link_local", "multicast", "own_address", "gateway"
    }


@pytest.mark.parametrize("host", [h for h in THIS_MACHINE if h.startswith("[")])
def test_onvif_hosts_leading_to_this_machine_are_refused_with_or_without_brackets(host: str) -> None:
    assert refused_onvif_code(host).startswith("onvif_")
    assert refused_onvif_code(host.strip("[]").replace("%25", "%")).startswith("onvif_")


@pytest.mark.parametrize("host", [h for h in THIS_MACHINE if not h.startswith("[")])
def test_onvif_hosts_leading_to_this_machine_are_refused(host: str) -> None:
    assert refused_onvif_code(host) in {
        "onvif_loopback", "onvif_unspecified", "onvif_link_local", "onvif_multicast", "onvif_own_address",
        "onvif_gateway", "onvif_host",
    }


def test_this_machines_own_names_from_etc_hosts_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(hosts, "lookup", hosts._system_lookup)  # the real resolver reads /etc/hosts
    names = etc_hosts_names_of_this_machine()
    assert names

    for name in names:
        assert refused_source_code(source_with(name)) in {"loopback", "own_address", "gateway"}, name
        assert refused_onvif_code(name).startswith("onvif_"), name


def test_a_name_for_one_of_this_machines_interface_addresses_is_refused(fake_dns: Callable) -> None:
    address = next((a for a in hosts.interface_addresses() if hosts.address_refusal(a) is None), None)
    if address is None:
        pytest.skip("this machine has no interface address besides loopback and link-local")
    fake_dns({"portal-box.lan": [str(address)]})

    assert refused_source_code(source_with("portal-box.lan")) == "own_address"
    assert refused_onvif_code("portal-box.lan") == "onvif_own_address"
    assert refused_source_code(source_with(str(address) if address.version == 4 else f"[{address}]")) == "own_address"


def test_every_gateways_hosts_are_refused_by_name_and_by_address(fake_dns: Callable) -> None:
    Gateway.objects.create(name="gw-2", api_url="http://gw2.internal:1984", rtsp_url="rtsp://10.8.0.3:8554",
                           webrtc_address="203.0.113.7:8555")
    fake_dns({"gw2.internal": ["10.8.0.2"], "sneaky.lan": ["10.8.0.2"], "sneaky2.lan": ["203.0.113.7"]})

    for host in ("gw2.internal", "GW2.internal.", "10.8.0.2", "10.8.0.3", "sneaky.lan", "sneaky2.lan"):
        assert refused_source_code(source_with(host)) in {"gateway", "own_address"}, host
        assert refused_onvif_code(host) in {"onvif_gateway", "onvif_own_address"}, host


def test_the_portals_own_services_are_refused(settings: Any, fake_dns: Callable) -> None:
    """The database, Redis, the broker and the mail server usually sit on the same private network as cameras."""
    settings.REDIS_URL = "redis://redis.internal:6379/0"
    settings.CELERY_BROKER_URL = "redis://10.8.1.6:6379/1"
    settings.EMAIL_HOST = "smtp.internal"
    fake_dns({"redis.internal": ["10.8.1.5"], "smtp.internal": ["10.8.1.7"], "sneaky.lan": ["10.8.1.5"]})

    for host in ("redis.internal", "10.8.1.5", "10.8.1.6", "smtp.internal", "sneaky.lan"):
        assert refused_source_code(source_with(host)) in {"gateway", "own_address"}, host
        assert refused_onvif_code(host) in {"onvif_gateway", "onvif_own_address"}, host


def test_the_database_hosts_count_among_the_portals_services(monkeypatch: pytest.MonkeyPatch) -> None:
    """Read from the settings the check sees (overriding the live DATABASES setting would disturb the test run)."""
    fake = SimpleNamespace(DATABASES={"default": {"HOST": "DB.internal."}, "socket": {"HOST": "/run/postgresql"}},
                           REDIS_URL="", CELERY_BROKER_URL="", EMAIL_HOST="")
    monkeypatch.setattr(hosts, "settings", fake)

    assert hosts.service_hosts() == {"db.internal"}


def test_a_name_that_does_not_resolve_is_refused_with_a_clear_message() -> None:
    with pytest.raises(ValidationError) as refused:
        services.clean_camera_changes({"main_source": source_with("typo.lan")})

    assert "could not be found" in refused.value.message_dict["main_source"][0]


def test_lan_cameras_by_name_and_address_are_accepted_and_normalised() -> None:
    cleaned = services.clean_camera_changes(
        {"main_source": source_with("Cam.LAN."), "sub_source": source_with("[FD00::12]"), "onvif_host": "PTZ.lan.",
         "onvif_port": 8080}
    )

    assert cleaned["main_source"] == source_with("cam.lan")
    assert cleaned["sub_source"] == source_with("[fd00::12]")
    assert cleaned["onvif_host"] == "ptz.lan"


def test_the_operator_allow_list_still_opens_a_loopback_simulator(settings: Any) -> None:
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = ["127.0.0.1:18554", "127.0.0.1:18080"]

    cleaned = services.clean_camera_changes(
        {"main_source": "rtsp://127.0.0.1:18554/demo1", "onvif_host": "127.0.0.1", "onvif_port": 18080}
    )

    assert cleaned["main_source"] == "rtsp://127.0.0.1:18554/demo1"
    assert refused_source_code("rtsp://127.0.0.1:18555/demo1") in {"loopback", "gateway"}
    assert refused_source_code("rtsp://localhost:18554/demo1") == "loopback"


# --- again when the work is done -----------------------------------------------------------


@pytest.fixture
def gateway_client() -> Any:
    """The gateway as the sync service sees it: a stand-in at the go2rtc client boundary."""
    client = mock.create_autospec(Go2RTCClient, instance=True)
    client.streams.return_value = {}
    client.__enter__.return_value = client
    with mock.patch("cameras.sync.client_for", return_value=client):
        yield client


def lan_camera(world: World, source: str = source_with("cam.lan")) -> Camera:
    camera = services.update_camera(world.admin, world.camera_a1, main_source=source, onvif_host="ptz.lan")
    camera.gateway = Gateway.objects.create(name="gw", api_url="http://10.99.0.1:1984")
    camera.save(update_fields=["gateway"])
    camera.refresh_from_db()
    return camera


def test_a_source_goes_to_the_gateway_with_the_address_that_was_checked(world: World, gateway_client: Any) -> None:
    camera = lan_camera(world)

    sync.push_camera(camera)

    gateway_client.replace_stream.assert_called_once_with(
        stream_name(camera.public_id), "rtsp://admin:Hunter2@192.168.1.20:554/Streaming/Channels/101"
    )


def test_an_rtsps_source_keeps_its_name_for_the_certificate_check(world: World, gateway_client: Any) -> None:
    camera = lan_camera(world, "rtsps://cam.lan/live")

    sync.push_camera(camera)

    gateway_client.replace_stream.assert_called_once_with(stream_name(camera.public_id), "rtsps://cam.lan/live")


@pytest.mark.parametrize("now", [["127.0.0.1"], ["192.168.1.20", "::1"], ["169.254.1.1"], []])
def test_a_source_whose_name_moved_to_a_refused_address_is_taken_off_the_gateway(
    now: list[str], world: World, gateway_client: Any, fake_dns: Callable
) -> None:
    camera = lan_camera(world)
    name = stream_name(camera.public_id)
    pushed = "rtsp://admin:Hunter2@192.168.1.20:554/Streaming/Channels/101"
    gateway_client.streams.return_value = {name: StreamState(name, (pushed,), False, 0)}
    fake_dns({"cam.lan": now})

    pushed_report = sync.push_camera(camera)
    reconciled = sync.reconcile(camera.gateway)

    gateway_client.replace_stream.assert_not_called()
    gateway_client.delete_stream.assert_any_call(name)
    assert name in pushed_report.refused and name in reconciled.refused


@pytest.mark.parametrize("host", THIS_MACHINE)
def test_a_row_saved_under_older_rules_is_refused_when_pushed(host: str, world: World, gateway_client: Any) -> None:
    """Sources stored before these checks (straight in the database here) never reach a gateway."""
    camera = world.camera_a1
    camera.main_source = source_with(host)
    camera.gateway = Gateway.objects.create(name="gw", api_url="http://10.99.0.1:1984")
    camera.save()

    report = sync.push_camera(camera)

    gateway_client.replace_stream.assert_not_called()
    assert report.refused == [stream_name(camera.public_id)]


def test_an_address_that_became_a_gateways_is_refused_at_work_time(world: World, gateway_client: Any) -> None:
    camera = lan_camera(world)
    Gateway.objects.create(name="gw-new", api_url="http://192.168.1.20:1984")

    report = sync.push_camera(camera)

    gateway_client.replace_stream.assert_not_called()
    assert report.refused == [stream_name(camera.public_id)]
