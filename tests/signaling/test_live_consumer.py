"""The live relay's refusals that need no gateway, driven in process."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from accounts.models import AuditEvent
from accounts.roles import Role
from signaling import limits
from signaling.protocol import CloseCode
from signaling.routing import websocket_urlpatterns
from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user
from tests.support.services import free_port

pytestmark = pytest.mark.django_db(transaction=True)

application = URLRouter(websocket_urlpatterns)


async def test_a_live_view_is_refused_with_a_message_while_the_session_store_is_down(monkeypatch, settings) -> None:  # type: ignore[no-untyped-def]
    # The cap lives in Redis; with Redis gone, a viewer must hear "try again"
    # rather than get a dead socket, and nothing is half-recorded.
    settings.CCTV_LIVE_SESSIONS_PER_USER = 4
    unreachable = limits.LiveSessionLimiter(f"redis://127.0.0.1:{free_port()}/0", limit=4)
    monkeypatch.setattr(limits, "_limiter", unreachable)
    user, camera = await sync_to_async(_viewer_with_camera)()

    communicator = WebsocketCommunicator(application, f"/ws/cameras/{camera.public_id}/live/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    frame = await communicator.receive_json_from(timeout=15)
    assert frame["type"] == "error"
    assert frame["value"].startswith("live_unavailable: ")
    closed = await communicator.receive_output(timeout=5)
    assert (closed["type"], closed["code"]) == ("websocket.close", CloseCode.TRY_LATER)
    assert not await sync_to_async(AuditEvent.objects.filter(action__startswith="live.").exists)()
    await communicator.wait()


def _viewer_with_camera():  # type: ignore[no-untyped-def]
    organization = make_organization("Store down")
    site = make_site(organization, "Main")
    user = make_user()
    make_member(user, organization, Role.VIEWER)
    return user, make_camera(site, "Gate")
