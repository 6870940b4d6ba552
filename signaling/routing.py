"""WebSocket routes. The live relay and the event stream arrive with the live-view work."""

websocket_urlpatterns: list = []
