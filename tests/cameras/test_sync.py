"""What the push and the reconcile do with a gateway's stream listing (a stand-in at the go2rtc client boundary).

tests/live/test_stream_isolation.py proves the same against a real go2rtc.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any
from unittest import mock

import httpx
import pytest

from accounts.models import AuditEvent
from cameras import sync
from cameras.go2rtc import Go2RTCClient, StreamState
from cameras.models import Camera, Gateway
from cameras.streams import legacy_stream_name, stream_name
from tests.conftest import World

pytestmark = pytest.mark.django_db

SOURCE_A = "rtsp://admin:Secr3tPass@192.168.1.64:554/Streaming/Channels/101"
SOURCE_B = "rtsp://admin:Gate-B-pass@10.20.0.5:554/live"


@pytest.fixture
def gateway() -> Gateway:
    return Gateway.objects.create(name="gw", api_url="http://10.99.0.1:1984")


@pytest.fixture
def client() -> Iterator[Any]:
    client = mock.create_autospec(Go2RTCClient, instance=True)
    client.__enter__.return_value = client
    client.streams.return_value = {}
    with mock.patch("cameras.sync.client_for", return_value=client):
        yield client


def on_gateway(camera: Camera, gateway: Gateway, source: str) -> Camera:
    camera.gateway, camera.main_source = gateway, source
    camera.save()
    return camera


def state(name: str, *sources: str, connections: tuple[int, ...] = ()) -> StreamState:
    return StreamState(name, sources, bool(connections), 0, frozenset(connections))


def listing(*states: StreamState) -> dict[str, StreamState]:
    return {s.name: s for s in states}


def conflicts() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="gateway.stream_conflict"))


def test_replacing_a_stream_deletes_the_name_before_creating_it() -> None:
    """A PATCH on an existing name would change its object in place, and another name may share that object."""
    seen: list[tuple[str, dict[str, str]]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append((request.method, dict(request.url.params)))
        return httpx.Response(200)

    go2rtc = Go2RTCClient("http://gw")
    go2rtc._http = httpx.Client(base_url="http://gw", transport=httpx.MockTransport(answer))
    go2rtc.replace_stream("cam-x-main", "rtsp://10.0.0.5/live")

    assert seen == [("DELETE", {"src": "cam-x-main"}), ("PATCH", {"name": "cam-x-main", "src": "rtsp://10.0.0.5/live"})]


def test_a_source_naming_one_of_the_gateways_own_streams_is_not_pushed(
    world: World, gateway: Gateway, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """An operator's stream "live" on the gateway: go2rtc would alias rtsp://<any host>/live to it."""
    camera = on_gateway(world.camera_a1, gateway, "rtsp://192.168.1.64/live")
    name = stream_name(camera.public_id)
    client.streams.return_value = listing(state("live", "ffmpeg:virtual?video"), state(name, "rtsp://old/x"))

    with caplog.at_level(logging.WARNING, logger="cameras.sync"):
        report = sync.push_camera(camera)

    client.replace_stream.assert_not_called()
    client.delete_stream.assert_any_call(name)
    assert report.refused == [name]
    assert "would alias its source to stream live" in caplog.text


def test_the_reconcile_heals_two_names_sharing_one_stream_and_alerts(
    world: World, gateway: Gateway, client: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """Same source on both (so no source mismatch), but the listing shows one connection under two names."""
    victim = on_gateway(world.camera_b, gateway, SOURCE_B)
    attacker = on_gateway(world.camera_a1, gateway, SOURCE_B)
    victim_name, attacker_name = stream_name(victim.public_id), stream_name(attacker.public_id)
    client.streams.return_value = listing(
        state(victim_name, SOURCE_B, connections=(6, 5)), state(attacker_name, SOURCE_B, connections=(6, 5))
    )

    with caplog.at_level(logging.WARNING, logger="cameras.sync"):
        report = sync.reconcile(gateway)

    assert report.shared == [sorted([victim_name, attacker_name])]
    assert sorted(c.args for c in client.replace_stream.call_args_list) == sorted(
        [(victim_name, SOURCE_B), (attacker_name, SOURCE_B)]
    )
    [event] = conflicts()
    assert event.organization_id is None and event.actor_label == "gateway stream check"
    assert sorted(event.detail["cameras"]) == sorted([str(victim.public_id), str(attacker.public_id)])
    assert "Gate-B-pass" not in str(event.detail)
    assert "were not their own" in caplog.text and "Gate-B-pass" not in caplog.text


def test_the_reconcile_heals_a_name_carrying_another_streams_source_and_alerts(
    world: World, gateway: Gateway, client: Any
) -> None:
    """An idle alias: the attacker's name lists the victim's source (idle producers carry no connection id)."""
    victim = on_gateway(world.camera_b, gateway, SOURCE_B)
    attacker = on_gateway(world.camera_a1, gateway, SOURCE_A)
    victim_name, attacker_name = stream_name(victim.public_id), stream_name(attacker.public_id)
    client.streams.return_value = listing(state(victim_name, SOURCE_B), state(attacker_name, SOURCE_B))

    report = sync.reconcile(gateway)

    assert report.foreign == [attacker_name]
    client.replace_stream.assert_called_once_with(attacker_name, SOURCE_A)
    assert conflicts()[0].detail["foreign_source"] == [attacker_name]


def test_a_changed_source_is_replaced_without_an_alert(world: World, gateway: Gateway, client: Any) -> None:
    camera = on_gateway(world.camera_a1, gateway, SOURCE_A)
    name = stream_name(camera.public_id)
    client.streams.return_value = listing(state(name, "rtsp://192.168.1.64/old"))

    report = sync.reconcile(gateway)

    client.replace_stream.assert_called_once_with(name, SOURCE_A)
    assert report.updated == [name] and conflicts() == []


def test_a_stale_source_that_a_camera_of_the_same_organization_shares_is_drift(
    world: World, gateway: Gateway, client: Any
) -> None:
    """Two cameras of Org A on one source (the demo's video wall); one moves on, its push is lost: no alert."""
    moved = on_gateway(world.camera_a1, gateway, SOURCE_A)
    twin = on_gateway(world.camera_a2, gateway, SOURCE_B)
    name = stream_name(moved.public_id)
    client.streams.return_value = listing(state(name, SOURCE_B), state(stream_name(twin.public_id), SOURCE_B))

    report = sync.reconcile(gateway)

    client.replace_stream.assert_called_once_with(name, SOURCE_A)
    assert report.foreign == [] and conflicts() == []


def test_a_stream_already_right_is_left_alone(world: World, gateway: Gateway, client: Any) -> None:
    camera = on_gateway(world.camera_a1, gateway, SOURCE_A)
    client.streams.return_value = listing(state(stream_name(camera.public_id), SOURCE_A, connections=(3,)))

    report = sync.reconcile(gateway)

    client.replace_stream.assert_not_called()
    client.delete_stream.assert_not_called()
    assert not report.changed


def test_old_style_names_make_way_for_the_new_ones(world: World, gateway: Gateway, client: Any) -> None:
    """An existing deployment heals by itself: derivable names go, keyed names come, the operator's stay."""
    camera = on_gateway(world.camera_a1, gateway, SOURCE_A)
    old_main, old_sub = legacy_stream_name(camera.public_id), legacy_stream_name(camera.public_id, "sub")
    client.streams.return_value = listing(state(old_main, SOURCE_A), state(old_sub, SOURCE_A), state("lobby", "x"))

    report = sync.reconcile(gateway)

    assert report.added == [stream_name(camera.public_id)]
    assert sorted(report.removed) == sorted([old_main, old_sub])
    assert mock.call("lobby") not in client.delete_stream.call_args_list


def test_pushing_one_camera_touches_only_its_own_names(world: World, gateway: Gateway, client: Any) -> None:
    camera = on_gateway(world.camera_a1, gateway, SOURCE_A)
    other = on_gateway(world.camera_b, gateway, SOURCE_B)
    client.streams.return_value = listing(
        state(legacy_stream_name(camera.public_id), SOURCE_A), state(stream_name(other.public_id), "rtsp://stale/x")
    )

    sync.push_camera(camera)

    client.replace_stream.assert_called_once_with(stream_name(camera.public_id), SOURCE_A)
    client.delete_stream.assert_called_once_with(legacy_stream_name(camera.public_id))


def test_stream_names_cannot_be_derived_from_the_public_id(settings: Any, world: World) -> None:
    public_id = world.camera_a1.public_id
    name = stream_name(public_id)

    assert public_id.hex not in name and name.startswith("cam-") and name.endswith("-main")
    settings.CCTV_STREAM_NAME_KEY = "another key"
    assert stream_name(public_id) != name
