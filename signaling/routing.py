"""WebSocket routes. Anything else is refused by the URL router."""

from django.urls import path, re_path

from signaling.consumers import EventStreamConsumer, LiveRelayConsumer

_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"

websocket_urlpatterns = [
    re_path(rf"^ws/cameras/(?P<public_id>{_UUID})/live/(?:(?P<variant>main|sub)/)?$", LiveRelayConsumer.as_asgi()),
    path("ws/events/", EventStreamConsumer.as_asgi()),
]
