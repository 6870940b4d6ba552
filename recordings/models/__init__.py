"""The recordings app's models: clips, motion detection and notifications."""

from recordings.models.bundles import ExportBundle
from recordings.models.clips import Clip, ClipLifecycleQuerySet, ClipStatus
from recordings.models.motion import MotionEvent, MotionSettings
from recordings.models.notifications import (
    DeliveryStatus,
    NotificationChannel,
    NotificationDelivery,
    NotificationEvent,
    NotificationRule,
    WebhookEndpoint,
)

__all__ = [
    "Clip",
    "ClipLifecycleQuerySet",
    "ClipStatus",
    "DeliveryStatus",
    "ExportBundle",
    "MotionEvent",
    "MotionSettings",
    "NotificationChannel",
    "NotificationDelivery",
    "NotificationEvent",
    "NotificationRule",
    "WebhookEndpoint",
]
