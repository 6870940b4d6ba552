"""The motion alert payload: one builder for the live event stream, webhooks and the consumer's field list.

Every channel carries the same facts of an alert (``ALERT_FIELDS``: ids,
names, time, score and moving boxes; never a source, a gateway or a
credential), built here once. Each channel then picks its fields, in order:

- the event stream (``STREAM_FIELDS``): links inside the portal, relative,
  and the site's time zone; ``signaling.consumers`` forwards exactly these;
- webhooks (``WEBHOOK_FIELDS``, the public format): the delivery id after
  the type, and an absolute link to the alert (``CCTV_PUBLIC_URL``).

So a fact added to an alert reaches both, and the public webhook format
cannot drift from the live one. The two lists of the live message are
``signaling.protocol``'s (the consumer below this app reads them there).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.urls import reverse

from recordings.models import MotionEvent
from signaling.protocol import MOTION_ALERT_FACTS, MOTION_ALERT_FIELDS

EVENT_TYPE = "motion.alert"

ALERT_FIELDS = MOTION_ALERT_FACTS
STREAM_FIELDS = MOTION_ALERT_FIELDS
WEBHOOK_FIELDS = (ALERT_FIELDS[0], "delivery", *ALERT_FIELDS[1:], "url")


def public_base_url() -> str:
    """Where the portal is reached from outside, without a trailing slash (for links in webhooks and e-mails)."""
    return settings.CCTV_PUBLIC_URL.rstrip("/")


def camera_page_url(event: MotionEvent) -> str:
    """Where an alert's camera link leads: the camera's page, with this event beside the picture ("" once
    deleted). No #fragment: jumping down to the event list would scroll the live picture away."""
    if event.camera is None:
        return ""
    return reverse("camera_detail", args=[event.camera.public_id]) + f"?event={event.public_id}"


def _facts(event: MotionEvent) -> dict[str, Any]:
    camera = event.camera
    return {
        "type": EVENT_TYPE,
        "event": str(event.public_id),
        "camera": str(camera.public_id) if camera else None,
        "camera_name": event.camera_name,
        "site_name": camera.site.name if camera else "",
        "started_at": event.started_at.isoformat(),
        "peak_score": round(event.peak_score, 4),
        "boxes": event.boxes,
    }


def links(event: MotionEvent, base_url: str = "") -> dict[str, str]:
    """The alert's links, each prefixed with ``base_url`` ("" keeps them relative); "" where there is none."""
    camera = event.camera
    paths = {
        "snapshot_url": reverse("motion_snapshot", args=[event.public_id]) if event.snapshot else "",
        "url": reverse("alert_list") + f"?event={event.public_id}",
        # The recording from the event's pre-roll (the timeline page resolves the event through the gate).
        "play_url": (reverse("camera_timeline", args=[camera.public_id]) + f"?event={event.public_id}"
                     if camera else ""),
        # The camera page, the event shown on it.
        "camera_url": camera_page_url(event),
    }
    return {name: f"{base_url}{path}" if path else "" for name, path in paths.items()}


def alert_payload(event: MotionEvent, fields: tuple[str, ...] = STREAM_FIELDS, *, base_url: str = "",
                  delivery: str | None = None) -> dict[str, Any]:
    """The alert as ``fields`` name it, in that order: the event stream's by default.

    ``base_url`` prefixes the links (webhooks pass ``public_base_url()``);
    ``delivery`` is the webhook delivery id.
    """
    camera = event.camera
    values = {
        **_facts(event), **links(event, base_url), "delivery": delivery,
        # The zone the event's times are read in (the camera's site).
        "site_timezone": camera.site.timezone if camera else "",
    }
    return {name: values[name] for name in fields}
