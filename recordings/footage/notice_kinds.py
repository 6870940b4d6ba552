"""What a notice about recording is about: its kinds, which are notification event types too.

Kept apart from footage's models: ``recordings.models.notifications`` lists
these kinds among the events a notification rule can send
(``NotificationEvent``), so the notifications build on the recording engine
and the engine's models need not import the notifications.
"""

from __future__ import annotations

from django.db import models


class NoticeKind(models.TextChoices):
    """What a notice is about; the values are the notification event types (and webhook events)."""

    RECORDING_STOPPED = "recording.stopped", "Recording stopped"
    STORAGE_QUOTA = "storage.quota", "Footage storage over 90 % of its quota"
