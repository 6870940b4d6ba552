"""Template helpers for clips: the export right, duration choices, status badges."""

from __future__ import annotations

import json
from typing import Any

from django import template

from accounts.roles import Action
from accounts.scoping import can
from recordings.exports import duration_choices

register = template.Library()

STATUS_BADGES = {"queued": "badge-muted", "recording": "badge-unknown", "ready": "badge-online",
                 "failed": "badge-offline"}


@register.filter
def can_export(user: Any, camera: Any) -> bool:
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
    from recordings.views import client_config

    return json.dumps(client_config())
