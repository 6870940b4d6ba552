"""Org A's rows of every feature, for the isolation matrices (API, pages, admin).

``org_a_rows`` (a fixture in tests/conftest.py) adds to the ``world`` one row
of each feature resource in Org A; ``feature_state`` snapshots every row
a refused request could have changed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.utils import timezone

from accounts.models import Invitation, Organization, User
from cameras.models import Camera, PTZPreset, SavedView
from recordings.footage.models import LegalHold, RecordingSettings, StoragePolicy, StorageTier
from recordings.models import (
    Clip,
    ExportBundle,
    MotionEvent,
    MotionSettings,
    NotificationDelivery,
    NotificationRule,
    WebhookEndpoint,
)
from tests.api.conftest import tenant_state
from tests.conftest import World
from tests.recordings.helpers import make_clip
from tests.recordings.motion_helpers import make_event


@dataclass
class OrgARows:
    """One row of every feature resource, all of one organization."""

    invitation: Invitation
    clip: Clip
    bundle: ExportBundle
    event: MotionEvent
    hold: LegalHold
    webhook: WebhookEndpoint
    rule: NotificationRule
    delivery: NotificationDelivery
    preset: PTZPreset
    saved_view: SavedView
    motion_settings: MotionSettings
    recording_settings: RecordingSettings
    storage_policy: StoragePolicy


def make_org_a_rows(world: World) -> OrgARows:
    return make_feature_rows(world.org_a, world.camera_a1, world.admin, "A")


def make_feature_rows(organization: Organization, camera: Camera, user: User, label: str) -> OrgARows:
    """One row of every feature resource of ``organization`` (names start with ``label``)."""
    now = timezone.now()
    clip = make_clip(camera)
    bundle = ExportBundle.objects.create(organization=organization, range_start=now - timedelta(minutes=2),
                                         range_end=now - timedelta(minutes=1), stream="main",
                                         expires_at=now + timedelta(days=30))
    Clip.objects.filter(pk=clip.pk).update(bundle=bundle)
    webhook = WebhookEndpoint.objects.create(organization=organization, name=f"{label} hook",
                                             url=f"https://hooks.example.com/{label.lower()}", secret="a-secret")
    rule = NotificationRule.objects.create(organization=organization, name=f"{label} rule", channel="webhook",
                                           webhook=webhook)
    return OrgARows(
        invitation=Invitation.objects.create(organization=organization, email=f"invited@{label.lower()}.example.test",
                                             key_hash=label * 64, expires_at=now + timedelta(days=7)),
        clip=clip,
        bundle=bundle,
        event=make_event(camera),
        hold=LegalHold.objects.create(organization=organization, camera=camera, camera_public_id=camera.public_id,
                                      camera_name=camera.name, start=now - timedelta(hours=1), end=now,
                                      reason=f"Incident {label}"),
        webhook=webhook,
        rule=rule,
        delivery=NotificationDelivery.objects.create(organization=organization, channel="webhook", rule=rule,
                                                     webhook=webhook, recipient=webhook.url),
        preset=PTZPreset.objects.create(camera=camera, name="Door", token="1"),
        saved_view=SavedView.objects.create(user=user, organization=organization, name=f"{label} wall",
                                            layout="2x2", cameras=[str(camera.public_id)]),
        motion_settings=MotionSettings.objects.get_or_create(camera=camera)[0],
        recording_settings=RecordingSettings.objects.get_or_create(camera=camera)[0],
        storage_policy=StoragePolicy.objects.get_or_create(organization=organization)[0],
    )


FEATURE_MODELS = [Invitation, Clip, ExportBundle, MotionEvent, MotionSettings, LegalHold, WebhookEndpoint,
                  NotificationRule, NotificationDelivery, PTZPreset, RecordingSettings, StoragePolicy, StorageTier,
                  SavedView]


def feature_state() -> dict[str, list]:
    """Every feature row, field by field, besides ``tenant_state``."""
    state = {model.__name__: list(model._base_manager.order_by("pk").values()) for model in FEATURE_MODELS}
    return {**tenant_state(), **state}
