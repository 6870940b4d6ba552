from typing import Any

from django.apps import AppConfig


def _follow_retention(sender: Any, *, organization: Any, changed: list[str], **kwargs: Any) -> None:
    """A new clip retention period applies to the clips already stored too."""
    if "clip_retention_days" in changed:
        from recordings.clips.cleanup import reapply_retention

        reapply_retention(organization.pk, organization.clip_retention_days)


class RecordingsConfig(AppConfig):
    name = "recordings"

    def ready(self) -> None:
        from accounts.changes import organization_updated

        organization_updated.connect(_follow_retention, dispatch_uid="recordings.retention")
