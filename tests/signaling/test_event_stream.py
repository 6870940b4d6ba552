"""The per-user event stream over the real Redis channel layer."""

from __future__ import annotations

import asyncio
import time

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from accounts import services as account_services
from accounts.roles import Role
from cameras.health import set_status
from cameras.models import CameraStatus
from signaling.routing import websocket_urlpatterns
from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user

pytestmark = pytest.mark.django_db(transaction=True)

application = URLRouter(websocket_urlpatterns)


async def _open(user) -> WebsocketCommunicator:  # type: ignore[no-untyped-def]
    communicator = WebsocketCommunicator(application, "/ws/events/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@pytest.fixture
def scene() -> dict:
    org_a, org_b = make_organization("A"), make_organization("B")
    site_1, site_2 = make_site(org_a, "One"), make_site(org_a, "Two")
    owner, restricted, outsider = make_user(), make_user(), make_user()
    make_member(owner, org_a, Role.OWNER)
    make_member(restricted, org_a, Role.VIEWER, sites=[site_1])
    make_member(outsider, org_b, Role.OWNER)
    return {
        "owner": owner,
        "restricted": restricted,
        "outsider": outsider,
        "cam_1": make_camera(site_1, "c1"),
        "cam_2": make_camera(site_2, "c2"),
    }


async def test_status_change_reaches_exactly_the_users_allowed(scene: dict) -> None:
    owner, restricted, outsider = [await _open(scene[k]) for k in ("owner", "restricted", "outsider")]
    await sync_to_async(set_status)(scene["cam_2"].pk, CameraStatus.ONLINE)

    event = await owner.receive_json_from(timeout=3)
    expected = ("camera.status", str(scene["cam_2"].public_id), "online")
    assert (event["type"], event["camera"], event["status"]) == expected
    assert await restricted.receive_nothing(timeout=0.5)
    assert await outsider.receive_nothing(timeout=0.2)
    for communicator in (owner, restricted, outsider):
        await communicator.disconnect()


async def test_restricted_viewer_gets_their_own_camera(scene: dict) -> None:
    restricted = await _open(scene["restricted"])
    await sync_to_async(set_status)(scene["cam_1"].pk, CameraStatus.OFFLINE)
    event = await restricted.receive_json_from(timeout=3)
    assert event["camera"] == str(scene["cam_1"].public_id)
    await restricted.disconnect()


async def test_an_event_right_after_the_socket_opens_is_delivered(scene: dict, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # A slow group lookup widens the window between connect and subscription:
    # the consumer must not report the socket open until it is subscribed.
    from signaling import consumers

    def slow_lookup(user):  # type: ignore[no-untyped-def]
        time.sleep(0.5)
        return real_lookup(user)

    real_lookup = consumers.followed_camera_groups
    monkeypatch.setattr(consumers, "followed_camera_groups", slow_lookup)
    restricted = await _open(scene["restricted"])
    await sync_to_async(set_status)(scene["cam_1"].pk, CameraStatus.OFFLINE)
    event = await restricted.receive_json_from(timeout=3)
    assert event["camera"] == str(scene["cam_1"].public_id)
    await restricted.disconnect()


async def test_widened_access_takes_effect_on_an_open_stream(scene: dict) -> None:
    restricted = await _open(scene["restricted"])
    membership = await sync_to_async(lambda: scene["restricted"].memberships.get())()
    await sync_to_async(account_services.change_member)(scene["owner"], membership, role=Role.VIEWER)
    await asyncio.sleep(0.3)  # the scope.changed event is handled before the next one
    await sync_to_async(set_status)(scene["cam_2"].pk, CameraStatus.ONLINE)
    event = await restricted.receive_json_from(timeout=3)
    assert event["camera"] == str(scene["cam_2"].public_id)
    await restricted.disconnect()


async def test_anonymous_event_stream_is_refused() -> None:
    from django.contrib.auth.models import AnonymousUser

    communicator = WebsocketCommunicator(application, "/ws/events/")
    communicator.scope["user"] = AnonymousUser()
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401
