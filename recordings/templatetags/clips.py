"""Template helpers for clips: the export right, duration choices, status badges, a camera's newest clips."""

from __future__ import annotations

import json
from typing import Any

from django import template
from django.urls import reverse

from accounts.callers import Visitor
from accounts.roles import Action
from accounts.scoping import can
from recordings.clips.services import duration_choices
from recordings.models import Clip

register = template.Library()

STATUS_BADGES = {"queued": "badge-muted", "recording": "badge-unknown", "ready": "badge-online",
                 "failed": "badge-offline"}


@register.filter
def can_export(user: Visitor, camera: Any) -> bool:
    return bool(camera is not None and can(user, Action.EXPORT, camera))


@register.simple_tag
def clip_durations() -> list[tuple[int, str]]:
    return duration_choices()


@register.filter
def clip_badge(status: str) -> str:
    return STATUS_BADGES.get(status, "badge-muted")


@register.simple_tag
def clips_config() -> str:
    """URL patterns clips.js needs, as JSON for a data attribute (autoescaped there)."""
    from recordings.clips.views import client_config

    return json.dumps(client_config())


@register.inclusion_tag("recordings/_camera_clips.html", takes_context=True)
def camera_clips(context: dict[str, Any], camera: Any, limit: int = 5) -> dict[str, Any]:
    """The camera page's newest clips of this camera (through the gate), with the link to all of them."""
    request = context.get("request")
    user = getattr(request, "user", None)
    clips = Clip.objects.for_user(user, Action.VIEW).filter(camera=camera).select_related("camera__site")[:limit]
    return {
        "camera": camera,
        "clips": list(clips),
        "user": user,
        "more_url": reverse("clip_list") + f"?camera={camera.public_id}",
    }
