"""Recording stopped: told once per stop, through the rules that chose it (webhook, e-mail), and on the event stream.

Deliveries go to a real HTTP receiver on 127.0.0.1 and to Django's locmem
outbox; services are called directly (a real worker runs the beat tasks in
``tests/footage/live/test_housekeeping_worker.py``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from asgiref.sync import sync_to_async
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cameras.models import Camera
from portal.work import CapturedWork, captured
from recordings.footage import notices
from recordings.footage.models import Notice, NoticeKind, RecordingHealth, RecordingSettings, StoragePolicy
from recordings.models import NotificationDelivery, NotificationRule, WebhookEndpoint
from recordings.notifications import notice_deliveries, webhooks
from recordings.notifications.delivery import deliver, rules_for
from signaling.routing import websocket_urlpatterns
from tests.api.conftest import API
from tests.conftest import World
from tests.footage.helpers import add
from tests.recordings.motion_helpers import schedule_rows
from tests.recordings.test_notifications import Receiver, allow_private, receiver  # noqa: F401  (fixtures)
from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user

pytestmark = pytest.mark.django_db
MINUTES = 10
SECRET = "notice-signing-secret-0123456789abcdefghij"


@pytest.fixture
def dispatch(queued_work: CapturedWork) -> CapturedWork:
    """Deliveries are queued, not sent; tests deliver them by calling the service."""
    return queued_work


def recording(camera: Camera, *, switched_on_ago: timedelta = timedelta(hours=1), mode: str = "continuous") -> None:
    RecordingSettings.objects.create(camera=camera, mode=mode)
    RecordingSettings.objects.filter(camera=camera).update(updated_at=timezone.now() - switched_on_ago)


def last_footage(camera: Camera, ago: timedelta) -> None:
    add(camera, timezone.now() - ago - timedelta(seconds=10))


# --- when -----------------------------------------------------------------------------------


@pytest.mark.sqlite
def test_a_camera_that_recorded_nothing_for_n_minutes_is_told_once(world: World) -> None:
    recording(world.camera_a1)
    last_footage(world.camera_a1, timedelta(minutes=11))
    recording(world.camera_a2)
    last_footage(world.camera_a2, timedelta(minutes=2))  # still recording
    recording(world.camera_b, mode="off")  # recording off: nothing to tell
    now = timezone.now()

    (notice,) = notices.notice_stopped_recordings(now, MINUTES)

    assert (notice.kind, notice.camera, notice.organization_id) == (NoticeKind.RECORDING_STOPPED, world.camera_a1,
                                                                    world.org_a.pk)
    assert notice.since == RecordingHealth.objects.get(camera=world.camera_a1).last_segment_at
    assert notice.detail["minutes"] == 11
    assert notices.notice_stopped_recordings(now + timedelta(minutes=5), MINUTES) == []  # once per stop


@pytest.mark.sqlite
def test_recording_that_resumed_and_stopped_again_is_told_again(world: World) -> None:
    recording(world.camera_a1)
    last_footage(world.camera_a1, timedelta(minutes=30))
    assert len(notices.notice_stopped_recordings(timezone.now(), MINUTES)) == 1

    last_footage(world.camera_a1, timedelta(seconds=-5))  # it records again (footage newer than the notice)...
    assert notices.notice_stopped_recordings(timezone.now(), MINUTES) == []
    later = timezone.now() + timedelta(minutes=MINUTES + 1)  # ...and stops

    assert len(notices.notice_stopped_recordings(later, MINUTES)) == 1
    assert Notice.objects.filter(camera=world.camera_a1).count() == 2


@pytest.mark.sqlite
def test_cameras_just_switched_on_or_disabled_are_not_told_about(world: World) -> None:
    recording(world.camera_a1, switched_on_ago=timedelta(minutes=3))  # never recorded, but only just switched on
    last_footage(world.camera_a1, timedelta(days=7))
    recording(world.camera_a2)  # never recorded at all for an hour: told
    disabled = make_camera(world.site_a1, "Disabled", enabled=False)
    recording(disabled)

    told = notices.notice_stopped_recordings(timezone.now(), MINUTES)

    assert [notice.camera for notice in told] == [world.camera_a2]
    assert told[0].since is not None and told[0].detail["minutes"] >= 59


# --- who ------------------------------------------------------------------------------------


def make_webhook(world: World, url: str) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(organization=world.org_a, name="Alarm centre", url=url, secret=SECRET)


def rule(world: World, name: str, **fields: Any) -> NotificationRule:
    channel = "webhook" if fields.get("webhook") else "email"
    email_to = "" if fields.get("user") or fields.get("webhook") else "guard@example.test"
    return NotificationRule.objects.create(organization=world.org_a, name=name, channel=channel, email_to=email_to,
                                           **fields)


def stopped(world: World, camera: Camera) -> Notice:
    recording(camera)
    last_footage(camera, timedelta(minutes=20))
    (notice,) = notices.notice_stopped_recordings(timezone.now(), MINUTES)
    return notice


def test_each_rule_gets_the_alerts_it_chose(world: World, dispatch: CapturedWork) -> None:
    webhook = make_webhook(world, "https://93.184.216.34/hook")
    stopped_only = rule(world, "Recording watch", webhook=webhook, event_types=["recording.stopped"])
    motion_only = rule(world, "Guard desk")  # made as before event types existed: motion alerts
    viewer_both = rule(world, "Mine", user=world.viewer, event_types=["motion.alert", "recording.stopped"])
    rule(world, "Restricted", user=world.restricted_viewer, event_types=["recording.stopped"])  # cannot view A2

    notice = stopped(world, world.camera_a2)
    deliveries = notice_deliveries.queue_deliveries(notice.pk)

    assert {(d.rule_id, d.recipient) for d in deliveries} == {(stopped_only.pk, webhook.url),
                                                              (viewer_both.pk, world.viewer.email)}
    assert len(dispatch.named("recordings.tasks.deliver_notification")) == 2
    assert motion_only.event_types == ["motion.alert"]
    motion = rules_for(world.org_a.pk, "motion.alert", world.camera_a2, timezone.now())
    assert {r.pk for r in motion} == {motion_only.pk, viewer_both.pk}


@pytest.mark.sqlite
def test_the_recording_stopped_webhook_is_signed_and_says_what_stopped(world: World, receiver: Receiver,  # noqa: F811
                                                                      settings: Any) -> None:
    settings.CCTV_PUBLIC_URL = "https://cctv.example.test/"
    rule(world, "Recording watch", webhook=make_webhook(world, receiver.url), event_types=["recording.stopped"])
    notice = stopped(world, world.camera_a1)
    (delivery,) = notice_deliveries.queue_deliveries(notice.pk)

    deliver(delivery.pk, last_try=False)

    (headers, raw), = receiver.requests
    assert webhooks.verify(SECRET, headers["X-CCTV-Timestamp"], raw, headers["X-CCTV-Signature"])
    assert (headers["X-CCTV-Event"], headers["X-CCTV-Delivery"]) == ("recording.stopped", str(delivery.pk))
    payload = json.loads(raw)
    assert payload["type"] == "recording.stopped" and payload["delivery"] == str(delivery.pk)
    assert (payload["notice"], payload["camera"]) == (str(notice.public_id), str(world.camera_a1.public_id))
    assert (payload["camera_name"], payload["site_name"], payload["minutes"]) == ("A1 Entrance", "A Head Office", 20)
    assert payload["since"] == notice.since.isoformat()
    assert payload["url"] == f"https://cctv.example.test/cameras/{world.camera_a1.public_id}/"
    assert b"rtsp" not in raw and b"Secr3tPass" not in raw
    delivery.refresh_from_db()
    assert delivery.status == "delivered"


def test_the_recording_stopped_email(world: World, dispatch: CapturedWork, settings: Any) -> None:
    settings.CCTV_PUBLIC_URL = "https://cctv.example.test"
    rule(world, "Mine", user=world.viewer, event_types=["recording.stopped"])
    (delivery,) = notice_deliveries.queue_deliveries(stopped(world, world.camera_a1).pk)

    deliver(delivery.pk, last_try=False)

    (message,) = mail.outbox
    assert message.to == [world.viewer.email]
    assert message.subject == "Recording stopped on A1 Entrance at A Head Office"
    assert "has recorded nothing for 20 minutes" in message.body and "(Europe/Paris)" in message.body
    assert f"https://cctv.example.test/cameras/{world.camera_a1.public_id}/" in message.body
    assert "notification rule “Mine”" in message.body


def test_no_mail_to_someone_who_lost_the_camera_meanwhile(world: World, dispatch: CapturedWork) -> None:
    rule(world, "Mine", user=world.viewer, event_types=["recording.stopped"])
    (delivery,) = notice_deliveries.queue_deliveries(stopped(world, world.camera_a1).pk)
    world.membership(world.viewer).delete()

    deliver(delivery.pk, last_try=False)

    assert mail.outbox == []
    assert NotificationDelivery.objects.get(pk=delivery.pk).status == "failed"


# --- choosing event types: API and page ---------------------------------------------------------


def test_rules_made_through_the_api_send_motion_alerts_unless_they_say_otherwise(world: World, api_as) -> None:  # type: ignore[no-untyped-def]
    client = api_as("viewer")
    plain = client.post(f"{API}/notification-rules/", {"organization": world.org_a.pk, "name": "Plain"},
                        format="json")
    chosen = client.post(f"{API}/notification-rules/", {"organization": world.org_a.pk, "name": "Stops",
                                                        "event_types": ["recording.stopped"]}, format="json")
    bad = client.post(f"{API}/notification-rules/", {"organization": world.org_a.pk, "name": "Bad",
                                                     "event_types": ["everything"]}, format="json")
    empty = client.post(f"{API}/notification-rules/", {"organization": world.org_a.pk, "name": "None",
                                                       "event_types": []}, format="json")

    assert (plain.status_code, plain.json()["event_types"]) == (201, ["motion.alert"])
    assert (chosen.status_code, chosen.json()["event_types"]) == (201, ["recording.stopped"])
    assert bad.status_code == 400 and "event_types" in bad.json()
    assert empty.status_code == 400 and "event_types" in empty.json()
    assert NotificationRule.objects.count() == 2


def test_the_rule_page_offers_the_alert_kinds(world: World, client_for: Callable[..., Client]) -> None:
    client = client_for(world.viewer)
    page = client.get(reverse("notification_rule_create")).content.decode()
    assert 'value="recording.stopped"' in page and 'value="motion.alert"' in page

    response = client.post(reverse("notification_rule_create"), {"name": "Stops", "enabled": "on",
                                                                 "event_types": ["recording.stopped"],
                                                                 **schedule_rows({})})
    refused = client.post(reverse("notification_rule_create"), {"name": "Nothing", "enabled": "on",
                                                                **schedule_rows({})})

    assert response.status_code == 302
    assert NotificationRule.objects.get().event_types == ["recording.stopped"]
    assert refused.status_code == 200 and "event_types" in refused.context["form"].errors


# --- the event stream ---------------------------------------------------------------------------

application = URLRouter(websocket_urlpatterns)


async def _open(user) -> WebsocketCommunicator:  # type: ignore[no-untyped-def]
    communicator = WebsocketCommunicator(application, "/ws/events/")
    communicator.scope["user"] = user
    connected, _ = await communicator.connect()
    assert connected
    return communicator


@pytest.fixture
def people() -> dict:
    org, other = make_organization("Notice Org"), make_organization("Other Org")
    site = make_site(org, "Yard")
    people = {role: make_user() for role in ("owner", "admin", "viewer", "outsider")}
    make_member(people["owner"], org, Role.OWNER)
    make_member(people["admin"], org, Role.ADMIN)
    make_member(people["viewer"], org, Role.VIEWER)
    make_member(people["outsider"], other, Role.OWNER)
    camera = make_camera(site, "Gate")
    return {**people, "org": org, "camera": camera}


async def _next_of(communicator: WebsocketCommunicator, kind: str) -> dict:
    while True:
        event = await communicator.receive_json_from(timeout=5)
        if event["type"] == kind:
            return event


@pytest.mark.django_db(transaction=True)
async def test_recording_stopped_reaches_the_cameras_viewers_only(people: dict, footage_root) -> None:  # type: ignore[no-untyped-def]
    viewer, outsider = await _open(people["viewer"]), await _open(people["outsider"])
    camera = people["camera"]

    @sync_to_async
    def stop() -> Notice:
        recording(camera)
        last_footage(camera, timedelta(minutes=15))
        with captured():
            (notice,) = notices.notice_stopped_recordings(timezone.now(), MINUTES)
        return notice

    notice = await stop()
    event = await _next_of(viewer, "recording.stopped")

    assert (event["notice"], event["camera"], event["camera_name"]) == (str(notice.public_id),
                                                                        str(camera.public_id), "Gate")
    assert event["minutes"] == 15 and event["since"] == notice.since.isoformat()
    assert await outsider.receive_nothing(timeout=0.5)
    for communicator in (viewer, outsider):
        await communicator.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_the_quota_notice_reaches_owners_and_admins_only(people: dict, footage_root) -> None:  # type: ignore[no-untyped-def]
    streams = {who: await _open(people[who]) for who in ("owner", "admin", "viewer", "outsider")}

    @sync_to_async
    def fill() -> None:
        add(people["camera"], timezone.now() - timedelta(minutes=1), size=950)
        StoragePolicy.objects.create(organization=people["org"], quota_bytes=1000)
        with captured():
            notices.note_quota_levels(timezone.now())

    await fill()

    for who in ("owner", "admin"):
        event = await _next_of(streams[who], "storage.quota")
        assert (event["organization"], event["used_bytes"], event["quota_bytes"]) == (people["org"].pk, 950, 1000)
        assert event["used_share"] == 0.95 and event["organization_name"] == "Notice Org"
    for who in ("viewer", "outsider"):
        assert await streams[who].receive_nothing(timeout=0.5), who
    for communicator in streams.values():
        await communicator.disconnect()
