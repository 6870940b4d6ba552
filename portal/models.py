"""Abstract model pieces shared by the apps (and, on import, the range-checked integer lookups)."""

from django.db import models

from portal import lookups  # noqa: F401  (registers the lookups for every app's models)


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True
