"""Both sockets apply the organization's two-factor rule (in process, real Redis channel layer).

Regression (issue 10): with "require two-factor" on, a member without MFA
who signed in with a password was refused on pages and the API, but the live
socket accepted them and the event socket delivered motion alerts.
tests/live/test_mfa_sockets.py repeats this against Daphne and go2rtc.
"""

from __future__ import annotations

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from accounts.models import AuditEvent
from accounts.roles import Role
from cameras.health import set_status
from cameras.models import CameraStatus
from signaling.protocol import CloseCode
from signaling.routing import websocket_urlpatterns
from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user

pytestmark = pytest.mark.django_db(transaction=True)

application = URLRouter(websocket_urlpatterns)


@pytest.fixture
def scene() -> dict:
    organization = make_organization("Strict", require_mfa=True)
    camera = make_camera(make_site(organization, "Yard"), "Gate")
    member = make_user()
    make_member(member, organization, Role.OWNER)
    return {"member": member, "camera": camera}


async def _connect(path: str, user) -> tuple[WebsocketCommunicator, bool, int | None]:  # type: ignore[no-untyped-def]
    communicator = WebsocketCommunicator(application, path)
    communicator.scope["user"] = user
    connected, code = await communicator.connect(timeout=5)
    return communicator, connected, code


async def test_the_event_stream_is_refused_and_joins_no_group(scene: dict) -> None:
    communicator, connected, code = await _connect("/ws/events/", scene["member"])

    assert (connected, code) == (False, CloseCode.MFA_REQUIRED)
    await sync_to_async(set_status)(scene["camera"].pk, CameraStatus.ONLINE)
    assert await communicator.receive_nothing(timeout=0.5)


async def test_the_event_stream_opens_once_the_app_is_set_up(scene: dict) -> None:
    await sync_to_async(TOTP.activate)(scene["member"], generate_totp_secret())
    communicator, connected, _ = await _connect("/ws/events/", scene["member"])
    assert connected

    await sync_to_async(set_status)(scene["camera"].pk, CameraStatus.ONLINE)

    event = await communicator.receive_json_from(timeout=3)
    assert (event["type"], event["camera"]) == ("camera.status", str(scene["camera"].public_id))
    await communicator.disconnect()


async def test_the_live_relay_is_refused_before_anything_is_opened_or_recorded(scene: dict) -> None:
    path = f"/ws/cameras/{scene['camera'].public_id}/live/"

    communicator, connected, _ = await _connect(path, scene["member"])

    # Accepted at once (browsers open sockets one at a time), then closed with the rule's code
    # before a single frame is relayed.
    assert connected
    closed = await communicator.receive_output(timeout=5)
    assert (closed["type"], closed["code"]) == ("websocket.close", CloseCode.MFA_REQUIRED)
    assert not await sync_to_async(AuditEvent.objects.filter(action__startswith="live.").exists)()
