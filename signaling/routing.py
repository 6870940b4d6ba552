"""WebSocket routes. Anything else is refused by the URL router."""

from django.urls import path, re_path

from signaling.consumers import EventStreamConsumer, LiveRelayConsumer
from signaling.protocol import EVENTS_PATH, LIVE_PATH

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

websocket_urlpatterns = [
    re_path(
        "^" + LIVE_PATH.format(camera=f"(?P<public_id>{_UUID})") + "(?:(?P<variant>main|sub)/)?$",
        LiveRelayConsumer.as_asgi(),
    ),
    path(EVENTS_PATH, EventStreamConsumer.as_asgi()),
]
