"""Template helpers for recording health: one camera's card, and badges for a page of cameras.

The pages of other apps load this library and pass their cameras; the health
rows are read in one query per page, never per camera.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import template
from django.utils import timezone

from recordings.footage import health, usage
from recordings.footage.models import RecordingHealth

register = template.Library()


@register.inclusion_tag("footage/_health_card.html")
def recording_health_card(camera: Any, can_manage: bool = False) -> dict[str, Any]:
    return {"camera": camera, "health": health.view_for(camera), "can_manage": can_manage,
            "footage": usage.camera_footage(camera)}


@register.simple_tag
def recording_health_map(sites: Iterable[Any]) -> dict[int, health.HealthView]:
    """{camera id: health} for the ``visible_cameras`` of each site, in one query."""
    cameras = {camera.pk: camera for site in sites for camera in getattr(site, "visible_cameras", [])}
    rows = RecordingHealth.objects.filter(camera_id__in=cameras).select_related("recorder")
    now = timezone.now()
    return {row.camera_id: health.effective(row, now, cameras[row.camera_id].site.timezone) for row in rows}


@register.filter
def health_of(health_map: dict[int, health.HealthView], camera: Any) -> health.HealthView:
    return health_map.get(camera.pk, health.OFF)
