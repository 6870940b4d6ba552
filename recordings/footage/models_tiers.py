"""Where an organization's closed footage goes after a while: its storage tier (local, S3 or Azure Blob).

One row per organization that configured one; no row means "keep it local".
Credentials are encrypted at rest (``EncryptedTextField``, like camera
credentials) and never shown back: forms and the API only say whether one
is set. Changes go through ``recordings.footage.tier_config`` (checked,
audited). The mover writes the ``move_*`` fields: how the last moves went,
and when it may try again after a failure (back-off).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from accounts.scoping import Scope, ScopedQuerySet
from portal.fields import EncryptedTextField
from recordings.footage.models import Tier  # defined before models.py imports this module

# A year in hours: the longest "move after".
MAX_MOVE_AFTER_HOURS = 24 * 365


class StorageTier(models.Model):
    """An organization's remote store for footage older than ``move_after_hours``.

    ``kind`` is a ``Tier`` value. S3: ``bucket``, optional ``endpoint_url``
    (empty means AWS) and ``region``, ``access_key`` (the key id) and
    ``secret_key``. Azure Blob: ``bucket`` is the container, ``access_key``
    the storage account's name, ``secret_key`` its key, ``endpoint_url`` the
    account's blob URL (empty means ``https://<account>.blob.core.windows.net``).
    """

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, primary_key=True, related_name="storage_tier"
    )
    kind = models.CharField(max_length=8, choices=Tier.choices, default=Tier.LOCAL,
                            help_text="Keep footage on local disk, or move it to S3 or Azure Blob.")
    move_after_hours = models.PositiveIntegerField(
        default=24, validators=[MinValueValidator(1), MaxValueValidator(MAX_MOVE_AFTER_HOURS)],
        help_text="Closed segments older than this many hours move to the remote store.",
    )
    endpoint_url = models.CharField(max_length=300, blank=True,
                                    help_text="https:// URL of the store; empty for AWS S3 or the Azure account URL.")
    region = models.CharField(max_length=40, blank=True, help_text="S3 region, e.g. eu-west-1.")
    bucket = models.CharField(max_length=63, blank=True, help_text="S3 bucket or Azure container.")
    access_key = EncryptedTextField(blank=True, help_text="S3 access key id, or the Azure storage account name.")
    secret_key = EncryptedTextField(blank=True, help_text="S3 secret access key, or the Azure account key.")
    # How moving goes: written by recordings.footage.mover, shown in the admin and the API.
    move_failures = models.PositiveIntegerField(default=0, editable=False)
    move_error = models.CharField(max_length=300, blank=True, editable=False)
    move_retry_at = models.DateTimeField(null=True, blank=True, editable=False)
    moved_at = models.DateTimeField(null=True, blank=True, editable=False)
    moved_segments = models.PositiveBigIntegerField(default=0, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="organization")

    class Meta:
        verbose_name = "storage tier"

    def __str__(self) -> str:
        return f"Storage tier of {self.organization}: {self.kind}"

    @property
    def is_remote(self) -> bool:
        return self.kind in (Tier.S3, Tier.AZURE)
