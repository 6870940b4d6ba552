"""Notifications of motion alerts: signatures, webhook targets, rule matching, deliveries, API and pages.

Deliveries go to a real HTTP receiver on 127.0.0.1 (so these tests allow
private targets) and e-mail to Django's locmem outbox. Tasks are not run by
a worker here: services are called directly, and ``deliver_notification``
is applied eagerly where its retries matter.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import AuditEvent, Membership
from cameras.models import Camera
from portal.work import CapturedWork, QueuedWork
from recordings.models import (
    DeliveryStatus,
    MotionEvent,
    NotificationChannel,
    NotificationDelivery,
    NotificationRule,
    WebhookEndpoint,
)
from recordings.notifications import delivery as deliveries
from recordings.notifications import rules, webhooks
from recordings.notifications.tasks import deliver_notification, notify_motion_event
from tests.api.conftest import API, rows
from tests.conftest import World
from tests.recordings.motion_helpers import schedule_rows

pytestmark = pytest.mark.django_db

SECRET = "test-signing-secret-0123456789abcdefghijkl"
PUBLIC_URL = "https://93.184.216.34/cctv-hook"  # a public literal address: no DNS needed
DELIVER = "recordings.tasks.deliver_notification"
WEBHOOKS, RULES, DELIVERIES = f"{API}/webhooks/", f"{API}/notification-rules/", f"{API}/notification-deliveries/"


@pytest.fixture(autouse=True)
def dispatch(queued_work: CapturedWork) -> CapturedWork:
    """Deliveries are queued, not sent; tests deliver them by calling the service."""
    return queued_work


@pytest.fixture
def allow_private(settings: Any) -> None:
    settings.CCTV_WEBHOOK_ALLOW_PRIVATE_TARGETS = True


@dataclass
class Receiver:
    """A webhook receiver on 127.0.0.1 that answers ``status`` and keeps what it got."""

    url: str = ""
    status: int = 200
    requests: list[tuple[Message, bytes]] = field(default_factory=list)


@pytest.fixture
def receiver(allow_private: None) -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802  (http.server's naming)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            state.requests.append((self.headers, body))
            self.send_response(state.status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook?source=cctv"
    yield state
    server.shutdown()
    server.server_close()


def make_event(camera: Camera, *, at: datetime | None = None, alerted: bool = True) -> MotionEvent:
    return MotionEvent.objects.create(
        organization_id=camera.site.organization_id, camera=camera, camera_name=camera.name,
        started_at=at or timezone.now(), peak_score=0.1234, boxes=[[0.1, 0.2, 0.3, 0.4]], alerted=alerted,
    )


def make_webhook(world: World, url: str = PUBLIC_URL, **fields: Any) -> WebhookEndpoint:
    return WebhookEndpoint.objects.create(organization=world.org_a, name=fields.pop("name", "Alarm centre"), url=url,
                                          secret=SECRET, **fields)


def make_rule(world: World, *, user: Any = None, webhook: WebhookEndpoint | None = None, sites: list = (),
              cameras: list = (), **fields: Any) -> NotificationRule:
    channel = NotificationChannel.WEBHOOK if webhook else NotificationChannel.EMAIL
    email_to = "" if user or webhook else "guard@example.test"
    rule = NotificationRule.objects.create(
        organization=world.org_a, user=user, webhook=webhook, channel=channel, email_to=email_to,
        name=fields.pop("name", "Rule"), **fields,
    )
    rule.sites.set(sites)
    rule.cameras.set(cameras)
    return rule


# --- signatures ------------------------------------------------------------------------------


def test_signature_verifies_and_detects_tampering() -> None:
    body = b'{"type":"motion.alert","event":"abc"}'
    headers = webhooks.headers(SECRET, body, event=webhooks.EVENT_ALERT, delivery_id=7)
    timestamp, signature = headers["X-CCTV-Timestamp"], headers["X-CCTV-Signature"]

    assert signature.startswith("v1=") and len(signature) == 3 + 64
    assert (headers["X-CCTV-Event"], headers["X-CCTV-Delivery"]) == ("motion.alert", "7")
    assert webhooks.verify(SECRET, timestamp, body, signature)
    assert not webhooks.verify(SECRET, timestamp, body + b" ", signature)
    assert not webhooks.verify("another-secret", timestamp, body, signature)
    assert not webhooks.verify(SECRET, int(timestamp) + 1, body, signature)
    assert not webhooks.verify(SECRET, timestamp, body, "v1=" + "0" * 64)
    assert not webhooks.verify(SECRET, "yesterday", body, signature)


def test_signature_refuses_stale_timestamps() -> None:
    body, old = b"{}", int(time.time()) - 301
    signature = webhooks.sign(SECRET, old, body)

    assert not webhooks.verify(SECRET, old, body, signature)
    assert webhooks.verify(SECRET, old, body, signature, tolerance=600)


# --- webhook targets ------------------------------------------------------------------------


@pytest.mark.parametrize(("url", "message"), [
    ("http://127.0.0.1:8000/hook", "loopback"),
    ("http://localhost/hook", "loopback"),
    ("http://[::1]/hook", "loopback"),
    ("https://10.1.2.3/hook", "private network"),
    ("https://192.168.1.20/hook", "private network"),
    ("http://169.254.169.254/latest/meta-data", "link-local"),
    ("http://100.64.0.1/", "not a public internet one"),
])
def test_private_targets_are_refused_unless_allowed(settings: Any, url: str, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        webhooks.clean_url(url)
    assert message in refused.value.messages[0] and "public internet addresses" in refused.value.messages[0]

    settings.CCTV_WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    assert webhooks.clean_url(url).startswith(url.split("/")[0])


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://93.184.216.34/hook", "Use an http:// or https:// URL."),
    ("file:///etc/passwd", "Use an http:// or https:// URL."),
    ("javascript:alert(1)", "Use an http:// or https:// URL."),
    ("https://user:pass@93.184.216.34/hook", "Leave the user name and password out of the URL"),
    ("https://token@93.184.216.34/hook", "Leave the user name and password out of the URL"),
    ("https://93.184.216.34/" + "a" * 500, "under 500 characters"),
    ("https://93.184.216.34/a hook", "spaces or control characters"),
    ("https:///hook", "no host name"),
    ("https://93.184.216.34:99999/", "not a valid URL"),
    ("", "Enter the URL"),
    ("http://0.0.0.0/", "unspecified or multicast"),
    ("http://224.0.0.1/", "unspecified or multicast"),
])
def test_bad_urls_get_clear_messages_even_with_private_targets_allowed(
    allow_private: None, url: str, message: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        webhooks.clean_url(url)
    assert message in refused.value.messages[0]


def test_public_url_is_accepted_and_normalised() -> None:
    assert webhooks.clean_url("  HTTPS://93.184.216.34:8443/in?x=1#frag ") == "https://93.184.216.34:8443/in?x=1"


# --- rule matching --------------------------------------------------------------------------


def test_site_and_camera_filters_and_disabled_rules(world: World) -> None:
    everywhere = make_rule(world, name="everywhere")
    warehouse = make_rule(world, name="warehouse", sites=[world.site_a2])
    lobby = make_rule(world, name="lobby", cameras=[world.camera_a1_sub])
    make_rule(world, name="off", enabled=False)

    assert set(deliveries.rules_for_event(make_event(world.camera_a1))) == {everywhere}
    assert set(deliveries.rules_for_event(make_event(world.camera_a2))) == {everywhere, warehouse}
    assert set(deliveries.rules_for_event(make_event(world.camera_a1_sub))) == {everywhere, lobby}
    assert deliveries.rules_for_event(make_event(world.camera_b)) == []


def test_schedule_is_read_in_the_cameras_site_time_zone(world: World) -> None:
    # site_a1 is in Europe/Paris (UTC+1 in January); Monday 2024-01-15.
    rule = make_rule(world, schedule=[{"days": [0], "start": "08:00", "end": "09:00"}])

    assert deliveries.rules_for_event(make_event(world.camera_a1, at=datetime(2024, 1, 15, 7, 30, tzinfo=UTC)))
    assert not deliveries.rules_for_event(make_event(world.camera_a1, at=datetime(2024, 1, 15, 8, 30, tzinfo=UTC)))
    # camera_a2's site is in UTC: 08:30 UTC is inside the window there.
    assert deliveries.rules_for_event(make_event(world.camera_a2, at=datetime(2024, 1, 15, 8, 30, tzinfo=UTC))) == [
        rule
    ]


def test_personal_rule_matches_only_cameras_its_owner_may_still_view(world: World) -> None:
    rule = make_rule(world, user=world.restricted_viewer)  # limited to site_a1

    assert deliveries.rules_for_event(make_event(world.camera_a1)) == [rule]
    assert deliveries.rules_for_event(make_event(world.camera_a2)) == []

    Membership.objects.filter(user=world.restricted_viewer).delete()
    assert deliveries.rules_for_event(make_event(world.camera_a1)) == []


def test_webhook_rule_of_a_switched_off_endpoint_does_not_match(world: World) -> None:
    make_rule(world, webhook=make_webhook(world, enabled=False))

    assert deliveries.rules_for_event(make_event(world.camera_a1)) == []


# --- queueing ---------------------------------------------------------------------------


@pytest.mark.sqlite
def test_queue_deliveries_is_idempotent(world: World, dispatch: CapturedWork) -> None:
    webhook_rule = make_rule(world, webhook=make_webhook(world))
    mail_rule = make_rule(world, user=world.viewer)
    event = make_event(world.camera_a1)

    first = deliveries.queue_deliveries(event.pk)
    second = deliveries.queue_deliveries(event.pk)

    assert {delivery.rule for delivery in first} == {webhook_rule, mail_rule} and second == []
    assert NotificationDelivery.objects.filter(event=event).count() == 2
    assert sorted(work.args[0] for work in dispatch.named(DELIVER)) == sorted(d.pk for d in first)
    recipients = set(NotificationDelivery.objects.values_list("channel", "recipient"))
    assert recipients == {("webhook", PUBLIC_URL), ("email", world.viewer.email)}


def test_events_in_a_cooldown_notify_nobody(world: World) -> None:
    make_rule(world)

    assert notify_motion_event.apply(args=[make_event(world.camera_a1, alerted=False).pk]).get() == 0
    assert notify_motion_event.apply(args=[make_event(world.camera_a1).pk]).get() == 1


# --- delivering --------------------------------------------------------------------------------


def queued(world: World, receiver: Receiver, camera: Camera | None = None) -> NotificationDelivery:
    make_rule(world, webhook=make_webhook(world, url=receiver.url))
    (delivery,) = deliveries.queue_deliveries(make_event(camera or world.camera_a1).pk)
    return delivery


@pytest.mark.sqlite
def test_webhook_delivery_reaches_a_real_receiver_signed(world: World, receiver: Receiver, settings: Any) -> None:
    settings.CCTV_PUBLIC_URL = "https://cctv.example.test/"
    delivery = queued(world, receiver)

    deliveries.deliver(delivery.pk, last_try=False)

    (headers, body), = receiver.requests
    assert webhooks.verify(SECRET, headers["X-CCTV-Timestamp"], body, headers["X-CCTV-Signature"])
    assert (headers["X-CCTV-Event"], headers["X-CCTV-Delivery"]) == ("motion.alert", str(delivery.pk))
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    event = delivery.event
    assert payload["event"] == str(event.public_id) and payload["camera"] == str(world.camera_a1.public_id)
    assert (payload["camera_name"], payload["site_name"]) == ("A1 Entrance", "A Head Office")
    assert payload["url"] == f"https://cctv.example.test{reverse('alert_list')}?event={event.public_id}"
    assert payload["boxes"] == [[0.1, 0.2, 0.3, 0.4]] and payload["peak_score"] == 0.1234
    assert b"rtsp" not in body and b"Secr3tPass" not in body and SECRET.encode() not in body
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert delivery.delivered_at is not None and delivery.last_error == ""


def test_server_error_keeps_the_row_pending_for_a_retry(world: World, receiver: Receiver) -> None:
    receiver.status = 500
    delivery = queued(world, receiver)

    with pytest.raises(deliveries.RetryLater):
        deliveries.deliver(delivery.pk, last_try=False)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.PENDING, 1, 500)
    assert "HTTP 500" in delivery.last_error


@pytest.mark.parametrize("code", [400, 404, 301])
def test_client_errors_and_redirects_fail_at_once(world: World, receiver: Receiver, code: int) -> None:
    receiver.status = code
    delivery = queued(world, receiver)

    deliveries.deliver(delivery.pk, last_try=False)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.FAILED, 1, code)
    assert f"HTTP {code}" in delivery.last_error and len(receiver.requests) == 1


@pytest.mark.parametrize("code", [408, 429, 503])
def test_throttling_and_timeouts_are_retried(world: World, receiver: Receiver, code: int) -> None:
    receiver.status = code
    delivery = queued(world, receiver)

    with pytest.raises(deliveries.RetryLater):
        deliveries.deliver(delivery.pk, last_try=False)


@pytest.mark.sqlite
def test_task_retries_with_backoff_then_fails_the_row(world: World, receiver: Receiver) -> None:
    receiver.status = 502
    delivery = queued(world, receiver)

    with mock.patch.object(deliver_notification, "retry", wraps=deliver_notification.retry) as retry:
        deliver_notification.apply(args=[delivery.pk])

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.FAILED, 7, 502)
    assert len(receiver.requests) == 7
    assert [call.kwargs["countdown"] for call in retry.call_args_list] == [5, 10, 20, 40, 80, 160]
    assert deliver_notification.acks_late


def test_unreachable_receiver_is_retried(world: World, allow_private: None) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    make_rule(world, webhook=make_webhook(world, url=f"http://127.0.0.1:{port}/"))
    (delivery,) = deliveries.queue_deliveries(make_event(world.camera_a1).pk)

    with pytest.raises(deliveries.RetryLater, match="Could not connect"):
        deliveries.deliver(delivery.pk, last_try=False)
    deliveries.deliver(delivery.pk, last_try=True)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)


def test_target_is_checked_again_when_delivering(world: World, receiver: Receiver, settings: Any) -> None:
    """A URL accepted once (or a host whose DNS changed since) is refused if it now points inside."""
    delivery = queued(world, receiver)
    settings.CCTV_WEBHOOK_ALLOW_PRIVATE_TARGETS = False

    deliveries.deliver(delivery.pk, last_try=False)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and "loopback" in delivery.last_error
    assert receiver.requests == []


def _two_deliveries(world: World, receiver: Receiver) -> tuple[NotificationDelivery, NotificationDelivery]:
    make_rule(world, webhook=make_webhook(world, url=receiver.url))
    (first,) = deliveries.queue_deliveries(make_event(world.camera_a1).pk)
    (second,) = deliveries.queue_deliveries(make_event(world.camera_a2).pk)
    return first, second


def _age(delivery: NotificationDelivery, minutes: float, **fields: Any) -> None:
    """Pretend nobody has touched the row for ``minutes``."""
    NotificationDelivery.objects.filter(pk=delivery.pk).update(
        updated_at=timezone.now() - timedelta(minutes=minutes), **fields
    )


@pytest.mark.sqlite
def test_a_pending_delivery_whose_task_was_lost_is_queued_again_once(
    world: World, receiver: Receiver, dispatch: CapturedWork
) -> None:
    lost, busy = _two_deliveries(world, receiver)
    _age(lost, 20, attempts=2)
    _age(busy, 4, attempts=3)  # between two retries of a live series
    dispatch.clear()

    first = deliveries.requeue_stale_deliveries(timezone.now(), limit=100)
    second = deliveries.requeue_stale_deliveries(timezone.now(), limit=100)

    assert (first, second) == (1, 0)
    assert [work.args for work in dispatch.named(DELIVER)] == [(lost.pk,)]
    lost.refresh_from_db()
    assert lost.status == DeliveryStatus.PENDING and lost.attempts == 2
    # The requeued task then delivers it like any other.
    deliveries.deliver(lost.pk, last_try=False)
    lost.refresh_from_db()
    assert lost.status == DeliveryStatus.DELIVERED and len(receiver.requests) == 1


@pytest.mark.sqlite
def test_a_delivery_that_keeps_losing_its_task_is_failed_and_finished_ones_are_left_alone(
    world: World, receiver: Receiver, dispatch: CapturedWork
) -> None:
    hopeless, done = _two_deliveries(world, receiver)
    _age(hopeless, 60, attempts=deliveries.GIVE_UP_AFTER_ATTEMPTS)
    _age(done, 60, status=DeliveryStatus.DELIVERED)
    dispatch.clear()

    assert deliveries.requeue_stale_deliveries(timezone.now(), limit=100) == 1

    hopeless.refresh_from_db()
    assert hopeless.status == DeliveryStatus.FAILED and "kept being lost" in hopeless.last_error
    assert NotificationDelivery.objects.get(pk=done.pk).status == DeliveryStatus.DELIVERED
    assert dispatch.named(DELIVER) == []


@pytest.mark.sqlite
def test_delivered_rows_are_not_sent_twice(world: World, receiver: Receiver) -> None:
    delivery = queued(world, receiver)

    deliveries.deliver(delivery.pk, last_try=False)
    assert deliveries.deliver(delivery.pk, last_try=False) is None

    assert len(receiver.requests) == 1


def test_email_rule_sends_one_mail_with_the_alert_link(world: World) -> None:
    make_rule(world, user=world.viewer, name="Night watch")
    event = make_event(world.camera_a1, at=datetime(2024, 1, 15, 7, 30, tzinfo=UTC))
    (delivery,) = deliveries.queue_deliveries(event.pk)

    deliveries.deliver(delivery.pk, last_try=False)

    (message,) = mail.outbox
    assert message.subject == "Motion on A1 Entrance at A Head Office"
    assert message.to == [world.viewer.email]
    assert f"{reverse('alert_list')}?event={event.public_id}" in message.body
    assert f"/cameras/{world.camera_a1.public_id}/timeline/?event={event.public_id}" in message.body  # playback
    camera_page = reverse("camera_detail", args=[world.camera_a1.public_id])
    assert "See the camera: http" in message.body and f"{camera_page}?event={event.public_id}" in message.body
    assert "2024-01-15 08:30:00 (Europe/Paris)" in message.body and "Night watch" in message.body
    assert "rtsp" not in message.body
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)


def test_email_is_not_sent_to_someone_who_lost_access_meanwhile(world: World) -> None:
    make_rule(world, user=world.viewer)
    (delivery,) = deliveries.queue_deliveries(make_event(world.camera_a1).pk)
    Membership.objects.filter(user=world.viewer).delete()

    deliveries.deliver(delivery.pk, last_try=False)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and "no longer view" in delivery.last_error
    assert mail.outbox == []


# --- API -------------------------------------------------------------------------------------


def test_secret_is_shown_on_create_only(world: World, api_as: Callable[[str], APIClient]) -> None:
    client = api_as("admin")

    created = client.post(WEBHOOKS, {"organization": world.org_a.pk, "name": "VMS", "url": PUBLIC_URL},
                          format="json")

    assert created.status_code == 201, created.json()
    body = created.json()
    webhook = WebhookEndpoint.objects.get(public_id=body["id"])
    assert body["secret"] == webhook.secret and len(body["secret"]) >= 40
    listed = rows(client.get(WEBHOOKS))
    assert [row["id"] for row in listed] == [body["id"]] and "secret" not in listed[0]
    detail = client.get(f"{WEBHOOKS}{body['id']}/")
    assert "secret" not in detail.json() and body["secret"] not in detail.content.decode()
    assert AuditEvent.objects.filter(action="webhook.create", target_id=body["id"]).exists()
    assert body["secret"] not in json.dumps(list(AuditEvent.objects.values_list("detail", flat=True)))


def test_rotating_returns_a_new_secret_once(world: World, api_as: Callable[[str], APIClient]) -> None:
    webhook = make_webhook(world)

    response = api_as("admin").post(f"{WEBHOOKS}{webhook.public_id}/rotate-secret/")

    assert response.status_code == 200
    webhook.refresh_from_db()
    assert response.json()["secret"] == webhook.secret != SECRET


def test_bad_url_is_a_field_error(world: World, api_as: Callable[[str], APIClient]) -> None:
    response = api_as("admin").post(WEBHOOKS, {"organization": world.org_a.pk, "name": "x",
                                               "url": "http://192.168.1.1/"}, format="json")

    assert response.status_code == 400
    assert "private network" in response.json()["url"][0]
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize(("who", "code"), [("admin_b", 404), ("restricted_viewer", 404), ("viewer", 403),
                                           ("token_b", 404)])
def test_other_peoples_webhooks_are_hidden_or_refused(
    world: World, api_as: Callable[[str], APIClient], who: str, code: int
) -> None:
    webhook = make_webhook(world)
    client, url = api_as(who), f"{WEBHOOKS}{webhook.public_id}/"

    assert client.get(url).status_code == code
    assert client.patch(url, {"name": "mine"}, format="json").status_code == code
    assert client.post(f"{url}test/").status_code == code
    assert client.post(f"{url}rotate-secret/").status_code == code
    assert client.delete(url).status_code == code
    webhook.refresh_from_db()
    assert (webhook.name, webhook.secret) == ("Alarm centre", SECRET)
    assert not NotificationDelivery.objects.exists()


@pytest.mark.parametrize(("who", "code"), [("viewer", 403), ("operator", 403), ("admin_b", 404)])
def test_only_admins_of_the_organization_create_webhooks(
    world: World, api_as: Callable[[str], APIClient], who: str, code: int
) -> None:
    response = api_as(who).post(WEBHOOKS, {"organization": world.org_a.pk, "name": "x", "url": PUBLIC_URL},
                                format="json")

    assert response.status_code == code
    assert not WebhookEndpoint.objects.exists()


def test_test_action_queues_a_test_delivery(
    world: World, api_as: Callable[[str], APIClient], dispatch: CapturedWork
) -> None:
    webhook = make_webhook(world)

    response = api_as("token_admin").post(f"{WEBHOOKS}{webhook.public_id}/test/")

    assert response.status_code == 202
    delivery = NotificationDelivery.objects.get()
    assert response.json()["id"] == delivery.pk and delivery.is_test and delivery.webhook == webhook
    assert dispatch.named(DELIVER) == [QueuedWork(DELIVER, (delivery.pk,))]


def test_test_delivery_is_signed_as_a_test(world: World, receiver: Receiver) -> None:
    webhook = make_webhook(world, url=receiver.url)
    delivery = rules.send_test(world.admin, webhook)

    deliveries.deliver(delivery.pk, last_try=False)

    (headers, body), = receiver.requests
    assert headers["X-CCTV-Event"] == "webhook.test"
    assert webhooks.verify(SECRET, headers["X-CCTV-Timestamp"], body, headers["X-CCTV-Signature"])
    assert json.loads(body)["webhook"] == str(webhook.public_id)


def test_personal_rules_are_their_owners_alone(world: World, api_as: Callable[[str], APIClient]) -> None:
    body = {"organization": world.org_a.pk, "name": "Lobby at night", "cameras": [str(world.camera_a1.public_id)],
            "schedule": [{"days": [0, 1, 2, 3, 4], "start": "22:00", "end": "06:00"}]}

    created = api_as("viewer").post(RULES, body, format="json")

    assert created.status_code == 201, created.json()
    rule = NotificationRule.objects.get(public_id=created.json()["id"])
    assert (rule.user, rule.channel, created.json()["personal"]) == (world.viewer, "email", True)
    assert created.json()["schedule_description"] == "Mon Tue Wed Thu Fri 22:00-06:00"
    assert rows(api_as("admin").get(RULES)) == []
    assert api_as("admin").get(f"{RULES}{rule.public_id}/").status_code == 404
    assert api_as("operator").delete(f"{RULES}{rule.public_id}/").status_code == 404
    assert api_as("viewer").patch(f"{RULES}{rule.public_id}/", {"enabled": False}, format="json").status_code == 200


def test_personal_rule_names_only_cameras_its_owner_can_view(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    response = api_as("restricted_viewer").post(
        RULES, {"organization": world.org_a.pk, "name": "x", "sites": [str(world.site_a2.public_id)]}, format="json"
    )

    assert response.status_code == 400
    assert "No such site" in response.json()["sites"][0]


def test_organization_rules_need_manage(world: World, api_as: Callable[[str], APIClient]) -> None:
    webhook = make_webhook(world)
    body = {"organization": world.org_a.pk, "personal": False, "name": "To the VMS", "channel": "webhook",
            "webhook": str(webhook.public_id)}

    assert api_as("viewer").post(RULES, body, format="json").status_code == 403
    assert api_as("admin_b").post(RULES, body, format="json").status_code == 404
    created = api_as("admin").post(RULES, body, format="json")

    assert created.status_code == 201, created.json()
    assert created.json()["webhook"] == str(webhook.public_id) and created.json()["personal"] is False
    assert [row["id"] for row in rows(api_as("owner").get(RULES))] == [created.json()["id"]]
    assert rows(api_as("viewer").get(RULES)) == []


def test_api_tokens_have_no_personal_rules(world: World, api_as: Callable[[str], APIClient]) -> None:
    response = api_as("token_admin").post(RULES, {"organization": world.org_a.pk, "name": "x"}, format="json")

    assert response.status_code == 403
    assert not NotificationRule.objects.exists()


def test_delivery_log_is_for_admins_and_filters(world: World, api_as: Callable[[str], APIClient]) -> None:
    webhook, other = make_webhook(world), make_webhook(world, name="Other")
    first = rules.send_test(world.admin, webhook)
    rules.send_test(world.admin, other)
    NotificationDelivery.objects.filter(pk=first.pk).update(status=DeliveryStatus.FAILED, last_error="HTTP 400")

    by_webhook = rows(api_as("admin").get(DELIVERIES, {"webhook": str(webhook.public_id)}))
    failed = rows(api_as("admin").get(DELIVERIES, {"status": "failed"}))

    assert [row["id"] for row in by_webhook] == [first.pk] == [row["id"] for row in failed]
    assert failed[0]["last_error"] == "HTTP 400" and failed[0]["webhook"] == str(webhook.public_id)
    assert rows(api_as("viewer").get(DELIVERIES)) == [] and rows(api_as("admin_b").get(DELIVERIES)) == []
    assert api_as("admin_b").get(f"{DELIVERIES}{first.pk}/").status_code == 404


# --- pages ----------------------------------------------------------------------------------


def test_page_for_admins_shows_endpoints_rules_and_the_log(world: World, client_for: Callable[..., Client]) -> None:
    webhook = make_webhook(world)
    make_rule(world, webhook=webhook, name="VMS rule")
    rules.send_test(world.admin, webhook)

    page = client_for(world.admin).get(reverse("notification_list"))

    assert page.status_code == 200
    content = page.content.decode()
    assert "Alarm centre" in content and "VMS rule" in content and "data-delivery-log" in content
    assert SECRET not in content
    assert f'href="{reverse("notification_list")}"' in content  # in the navigation


def test_page_for_viewers_shows_only_their_own_rules(world: World, client_for: Callable[..., Client]) -> None:
    make_webhook(world)
    make_rule(world, user=world.viewer, name="Mine")
    make_rule(world, user=world.operator, name="Theirs")

    page = client_for(world.viewer).get(reverse("notification_list")).content.decode()

    assert "Mine" in page and "Theirs" not in page and "Alarm centre" not in page
    assert client_for(world.viewer).get(reverse("webhook_create")).status_code == 403


def test_creating_an_endpoint_on_the_page_shows_its_secret_once(
    world: World, client_for: Callable[..., Client]
) -> None:
    client = client_for(world.admin)

    response = client.post(reverse("webhook_create"), {"name": "VMS", "url": PUBLIC_URL, "enabled": "on"})

    webhook = WebhookEndpoint.objects.get()
    assert response.status_code == 200 and webhook.secret in response.content.decode()
    assert "no-store" in response["Cache-Control"] or "no-cache" in response["Cache-Control"]
    assert webhook.secret not in client.get(reverse("notification_list")).content.decode()
    rotated = client.post(reverse("webhook_rotate", args=[webhook.public_id]))
    webhook.refresh_from_db()
    assert webhook.secret in rotated.content.decode()


def test_page_refuses_a_private_url_with_a_message(world: World, client_for: Callable[..., Client]) -> None:
    response = client_for(world.admin).post(reverse("webhook_create"), {"name": "VMS", "url": "http://10.0.0.1/"})

    assert response.status_code == 200 and "private network address" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_member_adds_a_personal_rule_with_a_schedule(world: World, client_for: Callable[..., Client]) -> None:
    form = {"name": "Weekend", "sites": [str(world.site_a1.public_id)], "enabled": "on",
            "event_types": ["motion.alert"],
            **schedule_rows({"days": ["5", "6"], "start": "08:00", "end": "20:00"}, {})}

    response = client_for(world.restricted_viewer).post(reverse("notification_rule_create"), form)

    assert response.status_code == 302
    rule = NotificationRule.objects.get()
    assert (rule.user, rule.schedule) == (world.restricted_viewer, [{"days": [5, 6], "start": "08:00",
                                                                     "end": "20:00"}])
    assert list(rule.sites.all()) == [world.site_a1]
    edit = client_for(world.restricted_viewer).get(reverse("notification_rule_edit", args=[rule.public_id]))
    assert edit.status_code == 200 and "A Warehouse" not in edit.content.decode()
    assert 'value="20:00"' in edit.content.decode()
    assert client_for(world.admin).get(reverse("notification_rule_edit", args=[rule.public_id])).status_code == 404


def test_a_rule_with_several_windows_keeps_them_all_when_edited_on_the_page(
    world: World, client_for: Callable[..., Client]
) -> None:
    windows = [{"days": [0, 1, 2, 3, 4], "start": "18:00", "end": "07:00"},
               {"days": [5, 6], "start": "00:00", "end": "00:00"}]
    rule = make_rule(world, schedule=windows)
    url = reverse("notification_rule_edit", args=[rule.public_id])
    page = client_for(world.admin).get(url).content.decode()
    assert page.count("data-schedule-window") == 3

    rows = [{"days": [str(d) for d in w["days"]], "start": w["start"], "end": w["end"]} for w in windows]
    form = {"name": "Renamed", "channel": rule.channel, "email_to": rule.email_to, "enabled": "on",
            "event_types": ["motion.alert"], **schedule_rows(*rows, {}, saved=2)}
    response = client_for(world.admin).post(url, form)

    assert response.status_code == 302, response.context["form"].errors
    rule.refresh_from_db()
    assert (rule.name, rule.schedule) == ("Renamed", windows)


def test_webhook_secret_is_not_in_the_django_admin(world: World, client_for: Callable[..., Client]) -> None:
    webhook = make_webhook(world)
    client = client_for(world.admin)

    changelist = client.get(reverse("admin:recordings_webhookendpoint_changelist"))
    change = client.get(reverse("admin:recordings_webhookendpoint_change", args=[webhook.pk]))
    log = client.get(reverse("admin:recordings_notificationdelivery_changelist"))

    assert changelist.status_code == change.status_code == log.status_code == 200
    assert SECRET not in changelist.content.decode() and SECRET not in change.content.decode()


def test_admin_adds_an_endpoint_through_the_service(world: World, client_for: Callable[..., Client]) -> None:
    client = client_for(world.admin)
    add = reverse("admin:recordings_webhookendpoint_add")

    refused = client.post(add, {"organization": world.org_a.pk, "name": "VMS", "url": "https://10.0.0.9/"})
    added = client.post(add, {"organization": world.org_a.pk, "name": "VMS", "url": PUBLIC_URL, "enabled": "on"})

    assert refused.status_code == 200 and "private network address" in refused.content.decode()
    assert added.status_code == 302
    webhook = WebhookEndpoint.objects.get()
    assert len(webhook.secret) >= 40 and webhook.created_by == world.admin
    assert AuditEvent.objects.filter(action="webhook.create", target_id=str(webhook.public_id)).exists()


def test_changing_an_endpoint_checks_the_url_and_put_replaces_a_rule(
    world: World, api_as: Callable[[str], APIClient]
) -> None:
    webhook = make_webhook(world)
    rule = make_rule(world, webhook=webhook, sites=[world.site_a1])
    client = api_as("admin")

    bad = client.patch(f"{WEBHOOKS}{webhook.public_id}/", {"url": "http://127.0.0.1/"}, format="json")
    good = client.patch(f"{WEBHOOKS}{webhook.public_id}/", {"url": "https://93.184.216.35/new"}, format="json")
    replaced = client.put(f"{RULES}{rule.public_id}/", {"name": "All cameras", "channel": "email",
                                                         "email_to": "desk@example.test"}, format="json")

    assert bad.status_code == 400 and "loopback" in bad.json()["url"][0]
    assert good.status_code == 200 and good.json()["url"] == "https://93.184.216.35/new"
    assert replaced.status_code == 200, replaced.json()
    rule.refresh_from_db()
    assert (rule.channel, rule.webhook, rule.email_to, list(rule.sites.all())) == (
        "email", None, "desk@example.test", []
    )


def test_a_switched_off_endpoint_cannot_be_tested(
    world: World, api_as: Callable[[str], APIClient], client_for: Callable[..., Client]
) -> None:
    webhook = make_webhook(world, enabled=False)

    response = api_as("admin").post(f"{WEBHOOKS}{webhook.public_id}/test/")
    page = client_for(world.admin).post(reverse("webhook_test", args=[webhook.public_id]), follow=True)

    assert response.status_code == 400 and "switched off" in response.json()["detail"]
    assert page.status_code == 200 and "switched off" in page.content.decode()
    assert not NotificationDelivery.objects.exists()
