"""One motion alert, two channels: the live event stream and the public webhook carry the same facts.

The socket message is received from the real event-stream consumer over the
Redis channel layer after ``publish_alert``; the webhook body is the one a
delivery sends (``webhooks.alert_body``). The field orders are the public
formats, written out here so a change to either is a visible decision.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator

from accounts.roles import Role
from recordings.models import MotionEvent
from recordings.motion import payload
from recordings.motion import services as motion
from recordings.notifications import webhooks
from signaling.routing import websocket_urlpatterns
from tests.recordings.motion_helpers import make_event
from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user

pytestmark = pytest.mark.django_db(transaction=True)

STREAM_ORDER = ["type", "event", "camera", "camera_name", "site_name", "started_at", "peak_score", "boxes",
                "snapshot_url", "url", "play_url", "camera_url", "site_timezone"]
WEBHOOK_ORDER = ["type", "delivery", "event", "camera", "camera_name", "site_name", "started_at", "peak_score",
                 "boxes", "url"]


def _scene() -> tuple[Any, MotionEvent]:
    organization = make_organization("A")
    owner = make_user()
    make_member(owner, organization, Role.OWNER)
    camera = make_camera(make_site(organization, "Head Office", timezone="Europe/Paris"), "Entrance")
    return owner, make_event(camera)


async def _socket_message(user: Any, event: MotionEvent) -> dict[str, Any]:
    communicator = WebsocketCommunicator(URLRouter(websocket_urlpatterns), "/ws/events/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    try:
        await sync_to_async(motion.publish_alert)(event)
        return await communicator.receive_json_from(timeout=3)
    finally:
        await communicator.disconnect()


async def test_the_socket_message_and_the_webhook_body_carry_the_same_alert(settings: Any) -> None:
    settings.CCTV_PUBLIC_URL = "https://cctv.example.test/"
    user, event = await sync_to_async(_scene)()
    event = await sync_to_async(MotionEvent.objects.select_related("camera__site").get)(pk=event.pk)

    live = await _socket_message(user, event)
    body = await sync_to_async(webhooks.alert_body)(event, 42)
    hook = json.loads(body)

    assert list(live) == STREAM_ORDER and list(hook) == WEBHOOK_ORDER
    assert {name: hook[name] for name in payload.ALERT_FIELDS} == {name: live[name] for name in payload.ALERT_FIELDS}
    assert hook["type"] == "motion.alert" and hook["delivery"] == "42"
    assert hook["url"] == "https://cctv.example.test" + live["url"]
    assert (live["camera_name"], live["site_name"], live["site_timezone"]) == ("Entrance", "Head Office",
                                                                                "Europe/Paris")
    # The webhook is compact JSON in exactly this order: receivers check signatures over these bytes.
    assert body == json.dumps(hook, separators=(",", ":"), ensure_ascii=False).encode()
