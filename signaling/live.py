"""Opening and closing a live session: the only database work of the relay.

It runs once when the browser connects and once when it leaves; no frame in
between touches the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404
from django.utils import timezone

from accounts import audit
from accounts.callers import Visitor, person_of
from accounts.roles import Action
from accounts.scoping import access, check_mfa
from cameras.gateways import websocket_url
from cameras.models import Camera
from cameras.streams import stream_name


@dataclass(frozen=True)
class LiveTarget:
    camera_public_id: str
    camera_name: str
    organization_id: int
    upstream_url: str
    upstream_auth: tuple[str, str] | None


class CameraNotLive(Exception):
    """The camera is visible but cannot be played (disabled, no gateway)."""


def open_live_target(user: Visitor, public_id: str, variant: str) -> LiveTarget:
    """Resolve what the user may watch; raises Http404 through the gate otherwise."""
    camera = access(Camera, user, public_id, Action.VIEW, related=("gateway",))
    if not camera.enabled or camera.gateway is None:
        raise CameraNotLive("This camera is disabled." if not camera.enabled else "This camera has no gateway.")
    if variant == "sub" and not camera.sub_source:
        variant = "main"
    gateway = camera.gateway
    auth = (gateway.api_username, gateway.api_password) if gateway.api_username else None
    return LiveTarget(
        camera_public_id=str(camera.public_id),
        camera_name=camera.name,
        organization_id=camera.site.organization_id,
        upstream_url=websocket_url(gateway, stream_name(camera.public_id, variant)),
        upstream_auth=auth,
    )


def begin_session(user: Visitor, public_id: str, variant: str, ip: str | None) -> LiveTarget:
    """The gate, then the audit log's "start": one trip to the database per session.

    A session the gateway then refuses is still recorded, and its "end"
    carries the close code. A person stopped by the two-factor rule gets
    ``MFAEnrolmentRequired`` instead of the gate's 404 (asked only on refusal,
    so an allowed viewer pays nothing for it).
    """
    try:
        target = open_live_target(user, public_id, variant)
    except Http404:
        check_mfa(user)
        raise
    record_session(user, target, "start", ip)
    return target


def still_allowed(user: Visitor, camera_public_id: str) -> bool:
    """Whether an open session may go on: the user is still active and still may view the enabled camera.

    Asked on the session's heartbeat (not per frame), so removing a member or
    a restriction, deactivating a user or disabling a camera ends live views
    within one heartbeat.
    """
    from accounts.models import User

    person = person_of(user)
    if person is None or not User.objects.filter(pk=person.pk, is_active=True).exists():
        return False
    visible = Camera.objects.for_user(user, Action.VIEW)
    return visible.filter(public_id=camera_public_id, enabled=True).exists()


def record_session(user: Visitor, target: LiveTarget, event: str, ip: str | None, **detail: Any) -> None:
    audit.record(
        user, f"live.{event}", organization=target.organization_id, ip=ip,
        camera=target.camera_public_id, camera_name=target.camera_name, at=timezone.now().isoformat(), **detail,
    )
