"""Publishing events to the per-user event stream, after the transaction commits.

Group names are built here from ids only. A camera event goes to that
camera's group; only event-stream consumers whose user the gate lets view
the camera join it, so an event reaches nobody else.

The publishing side lives in ``portal``, below every app: ``cameras`` and
``recordings`` publish, ``signaling`` (whose consumers use ``cameras``)
subscribes to the same group names, and no arrow points back.
"""

from __future__ import annotations

import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction


def camera_group(public_id: uuid.UUID) -> str:
    return f"cam.{public_id.hex}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def organization_group(organization_id: int) -> str:
    return f"org.{organization_id}"


def send_to_group(group: str, event: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, event)


def send_on_commit(group: str, event: dict[str, Any]) -> None:
    transaction.on_commit(lambda: send_to_group(group, event))


def camera_status_event(public_id: uuid.UUID, status: str, changed_at: str | None) -> dict[str, Any]:
    return {"type": "camera.status", "camera": str(public_id), "status": status, "changed_at": changed_at}


def publish_camera_status(public_id: uuid.UUID, status: str, changed_at: str | None) -> None:
    send_on_commit(camera_group(public_id), camera_status_event(public_id, status, changed_at))


def publish_scope_changed(*, user_id: int | None = None, organization_id: int | None = None) -> None:
    """Tell open event streams (of one user, or of a whole organization) to
    recompute which cameras they follow: a camera or membership changed."""
    group = user_group(user_id) if user_id is not None else organization_group(organization_id or 0)
    send_on_commit(group, {"type": "scope.changed"})
