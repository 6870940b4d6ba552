"""What a notice says: the event-stream message and the signed webhook body.

Like motion alerts, they name the camera, site and organization and link to
the portal (``CCTV_PUBLIC_URL``); never a camera source, a gateway address
or a credential. The e-mail, which needs the notification rules and
deliveries, is ``recordings.notifications.notice_emails``.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.urls import reverse

from recordings.footage.models import Notice, NoticeKind


def url_of(notice: Notice) -> str:
    """The portal page to look at: the camera, or the organization (its storage)."""
    base = settings.CCTV_PUBLIC_URL.rstrip("/")
    if notice.kind == NoticeKind.RECORDING_STOPPED and notice.camera is not None:
        return base + reverse("camera_detail", args=[notice.camera.public_id])
    return base + reverse("organization_settings")


def _site_name(notice: Notice) -> str:
    return notice.camera.site.name if notice.camera is not None else ""


def stream_event(notice: Notice) -> dict[str, Any]:
    """The facts of a notice: the event-stream message, and the webhook body with its delivery id."""
    common = {"type": notice.kind, "notice": str(notice.public_id), "organization": notice.organization_id,
              "created_at": notice.created_at.isoformat(), "url": url_of(notice)}
    if notice.kind == NoticeKind.RECORDING_STOPPED:
        return {**common, "camera": str(notice.camera.public_id) if notice.camera else None,
                "camera_name": notice.camera_name, "site_name": _site_name(notice),
                "since": notice.since.isoformat() if notice.since else None,
                "minutes": notice.detail.get("minutes"), "reason": notice.detail.get("reason", "")}
    return {**common, "organization_name": notice.detail.get("organization_name", ""),
            "used_bytes": notice.detail.get("used_bytes"), "quota_bytes": notice.detail.get("quota_bytes"),
            "used_share": notice.detail.get("used_share")}


def webhook_body(notice: Notice, delivery_id: int) -> bytes:
    body = {"type": notice.kind, "delivery": str(delivery_id), **stream_event(notice)}
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
