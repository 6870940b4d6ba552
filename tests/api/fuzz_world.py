"""The data the schema fuzzer works on: its own organization, and a bystander it must never touch.

The fuzz organization holds a row of every kind the API serves (sites,
cameras with and without PTZ, presets, clips in every state, motion events,
webhooks, personal and organization rules, deliveries with and without an
event, rule or endpoint, members, tokens, recording settings, footage with
its counters and health, a storage quota), so responses carry real data.
The bystander organization holds the same kinds; its ids are handed to the
fuzzer too, and its rows must come out of the run exactly as they went in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from accounts import services as accounts
from accounts.models import APIToken, AuditEvent, Membership, Organization
from accounts.roles import Role
from cameras.models import Camera, PTZCapabilities, PTZPreset, Site
from recordings.footage.models import RecordingMode, RecordingSettings, SegmentKind, StoragePolicy
from recordings.models import (
    Clip,
    ClipStatus,
    DeliveryStatus,
    MotionEvent,
    NotificationChannel,
    NotificationDelivery,
    NotificationRule,
    WebhookEndpoint,
)
from tests.footage.helpers import add as add_segment
from tests.recordings.helpers import make_clip
from tests.recordings.motion_helpers import acknowledged, make_event
from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user

PUBLIC_URL = "https://93.184.216.34/cctv-hook"  # a public literal address: no DNS needed
RANGES = {"pan": [-1.0, 1.0], "tilt": [-1.0, 1.0], "zoom": [0.0, 1.0]}


@dataclass
class FuzzWorld:
    organization: Organization
    bystander: Organization
    token: APIToken
    key: str
    # Ids the fuzzer may use, by kind: the fuzz organization's first, then the bystander's.
    ids: dict[str, list[Any]] = field(default_factory=dict)


def _ptz_camera(site: Site) -> Camera:
    camera = make_camera(site, "PTZ Dome", onvif_host="10.0.9.9", onvif_port=80, onvif_username="admin",
                         onvif_password="onvif-pass")  # fmt: skip
    PTZCapabilities.objects.create(
        camera=camera, continuous_pan_tilt=True, continuous_zoom=True, relative_pan_tilt=True, relative_zoom=True,
        absolute_pan_tilt=True, absolute_zoom=True, presets=True, home=True, max_presets=10,
        ranges={"continuous": RANGES, "relative": RANGES, "absolute": RANGES}, checked_at=timezone.now(),
        profile_token="profile_1", device={"manufacturer": "Test", "model": "Dome"},
    )  # fmt: skip
    return camera


def _notifications(organization: Organization, owner: Any, event: MotionEvent) -> dict[str, list[Any]]:
    webhook = WebhookEndpoint.objects.create(organization=organization, name="Alarm centre", url=PUBLIC_URL,
                                             secret="fuzz-signing-secret-0123456789abcdef", created_by=owner)
    org_rule = NotificationRule.objects.create(organization=organization, name="To the alarm centre",
                                               channel=NotificationChannel.WEBHOOK, webhook=webhook)
    mail_rule = NotificationRule.objects.create(organization=organization, name="Guards", email_to="guard@example.test",
                                                channel=NotificationChannel.EMAIL, schedule=[
                                                    {"days": [0, 1, 2, 3, 4], "start": "18:00", "end": "07:00"}])
    personal = NotificationRule.objects.create(organization=organization, user=owner, name="Mine",
                                               channel=NotificationChannel.EMAIL)
    common = {"organization": organization, "attempts": 1}
    deliveries = [
        # A test delivery has no event and no rule; a delivery whose rule and endpoint were deleted keeps neither.
        NotificationDelivery.objects.create(**common, webhook=webhook, channel=NotificationChannel.WEBHOOK,
                                            recipient=PUBLIC_URL, is_test=True, status=DeliveryStatus.DELIVERED,
                                            response_code=204, delivered_at=timezone.now()),
        NotificationDelivery.objects.create(**common, event=event, rule=org_rule, webhook=webhook,
                                            channel=NotificationChannel.WEBHOOK, recipient=PUBLIC_URL,
                                            status=DeliveryStatus.FAILED, response_code=500, last_error="HTTP 500"),
        NotificationDelivery.objects.create(**common, event=event, rule=None, webhook=None,
                                            channel=NotificationChannel.EMAIL, recipient="guard@example.test",
                                            status=DeliveryStatus.PENDING),
    ]  # fmt: skip
    return {
        "webhook": [webhook.public_id],
        "rule": [org_rule.public_id, mail_rule.public_id, personal.public_id],
        "delivery": [delivery.pk for delivery in deliveries],
    }


def _footage(organization: Organization, recorded: Camera, unrecorded: Camera) -> None:
    """One camera recording continuously with an hour of footage, another off with event footage kept; a quota."""
    RecordingSettings.objects.create(camera=recorded, mode=RecordingMode.CONTINUOUS, continuous_retention_days=14)
    StoragePolicy.objects.create(organization=organization, quota_bytes=10**9)
    hour_ago = timezone.now().replace(microsecond=0) - timedelta(hours=1)
    for number in range(6):
        add_segment(recorded, hour_ago + timedelta(seconds=10 * number))
    add_segment(unrecorded, hour_ago, kind=SegmentKind.EVENT)


def _populate(organization: Organization, owner: Any) -> dict[str, list[Any]]:
    """One of every kind of row in ``organization``; returns their API ids by kind."""
    head_office, depot = make_site(organization, "Head Office"), make_site(organization, "Depot")
    ptz, plain = _ptz_camera(head_office), make_camera(depot, "Loading Bay")
    preset = PTZPreset.objects.create(camera=ptz, name="Gate", token="preset_1", created_by=owner)
    viewer, operator = make_user(), make_user()
    members = [
        make_member(viewer, organization, Role.VIEWER, sites=[head_office]),
        make_member(operator, organization, Role.OPERATOR),
    ]
    events = [
        make_event(ptz),
        acknowledged(make_event(plain), by=owner.email, note="Checked"),
        make_event(ptz, seconds=None, snapshot=None),  # still open, no snapshot yet
    ]
    clips = [make_clip(ptz), make_clip(plain, status=ClipStatus.QUEUED), make_clip(plain, status=ClipStatus.FAILED)]
    spare, _ = accounts.create_token(owner, organization, name="Spare", role=Role.VIEWER)
    _footage(organization, ptz, plain)
    return {
        "site": [head_office.public_id, depot.public_id],
        "camera": [ptz.public_id, plain.public_id],
        "preset": [preset.public_id],
        "member": [membership.pk for membership in members],
        "event": [event.public_id for event in events],
        "clip": [clip.public_id for clip in clips],
        "token": [spare.pk],
        **_notifications(organization, owner, events[0]),
    }


def build_fuzz_world() -> FuzzWorld:
    """The fuzz organization (an owner, an admin token of theirs) and a bystander organization."""
    organization, bystander = make_organization("Fuzz Org"), make_organization("Bystander Org")
    owner, other_owner = make_user(), make_user()
    make_member(owner, organization, Role.OWNER)
    make_member(other_owner, bystander, Role.OWNER)
    ours, theirs = _populate(organization, owner), _populate(bystander, other_owner)
    token, key = accounts.create_token(owner, organization, name="Schema fuzzer", role=Role.ADMIN)
    ids = {kind: [*values, *theirs[kind]] for kind, values in ours.items()}
    ids["organization"] = [organization.pk, bystander.pk]
    return FuzzWorld(organization=organization, bystander=bystander, token=token, key=key, ids=ids)


def organization_state(organization: Organization) -> dict[str, list]:
    """Every row of ``organization`` the API could write, with the fields that say whether it changed."""
    sites = Site.objects.filter(organization=organization)
    cameras = Camera.objects.filter(site__organization=organization)
    return {
        "organization": list(Organization.objects.filter(pk=organization.pk).values_list("name", "require_mfa")),
        "sites": list(sites.order_by("pk").values_list("pk", "name", "address", "timezone", "updated_at")),
        "cameras": list(cameras.order_by("pk").values_list("pk", "site_id", "name", "enabled", "updated_at")),
        "presets": list(PTZPreset.objects.filter(camera__in=cameras).order_by("pk").values_list("pk", "name")),
        "members": list(Membership.objects.filter(organization=organization).order_by("pk")
                        .values_list("pk", "user_id", "role", "updated_at")),
        "tokens": list(APIToken.objects.filter(organization=organization).order_by("pk")
                       .values_list("pk", "name", "role", "revoked_at")),
        "clips": list(Clip.objects.filter(organization=organization).order_by("pk").values_list("pk", "status")),
        "events": list(MotionEvent.objects.filter(organization=organization).order_by("pk")
                       .values_list("pk", "acknowledged_at")),
        "webhooks": list(WebhookEndpoint.objects.filter(organization=organization).order_by("pk")
                         .values_list("pk", "name", "url", "secret", "enabled", "updated_at")),
        "rules": list(NotificationRule.objects.filter(organization=organization).order_by("pk")
                      .values_list("pk", "name", "enabled", "updated_at")),
        "deliveries": list(NotificationDelivery.objects.filter(organization=organization).order_by("pk")
                           .values_list("pk", "status")),
        "audit": list(AuditEvent.objects.filter(organization=organization).order_by("pk").values_list("pk")),
        "recording": list(RecordingSettings.objects.filter(camera__in=cameras).order_by("pk")
                          .values_list("pk", "mode", "updated_at")),
        "storage": list(StoragePolicy.objects.filter(organization=organization).values_list("pk", "updated_at")),
    }  # fmt: skip
