from typing import Any

from django.apps import AppConfig

from portal.events import publish_scope_changed


def _tell_event_streams(sender: Any, *, user_id: int, **kwargs: Any) -> None:
    """Someone's rights changed (``accounts.changes``): their open event streams recompute their cameras."""
    publish_scope_changed(user_id=user_id)


class SignalingConfig(AppConfig):
    name = "signaling"

    def ready(self) -> None:
        from accounts.changes import access_changed

        access_changed.connect(_tell_event_streams, dispatch_uid="signaling.scope_changed")
