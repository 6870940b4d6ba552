"""Footage quotas on the database (both passes): oldest unprotected footage first, and the 90 % notice."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.utils import timezone

from portal.work import CapturedWork
from recordings.footage import holds, housekeeping, notices, removal, tasks
from recordings.footage.models import Notice, NoticeKind, OrganizationUsage, StoragePolicy
from recordings.models import NotificationChannel, NotificationDelivery, NotificationRule, WebhookEndpoint
from recordings.notifications import notice_deliveries
from recordings.notifications.delivery import deliver
from tests.conftest import World
from tests.footage.helpers import ended_ago
from tests.footage.test_retention import counters_match_the_rows, kept

pytestmark = [pytest.mark.django_db, pytest.mark.sqlite]


@pytest.fixture
def now(footage_root: Path) -> datetime:
    return timezone.now()


@pytest.fixture
def dispatch(queued_work: CapturedWork) -> CapturedWork:
    """Deliveries are queued, not sent; tests deliver them by calling the service."""
    return queued_work


def used(world: World) -> int:
    return OrganizationUsage.objects.get(organization=world.org_a).bytes


def test_over_quota_the_oldest_unprotected_footage_goes_until_it_fits(world: World, now: datetime) -> None:
    oldest = ended_ago(world.camera_a1, now, minutes=50)
    held = ended_ago(world.camera_a1, now, minutes=40)
    older = ended_ago(world.camera_a2, now, minutes=30)
    newer = ended_ago(world.camera_a1, now, minutes=20)
    newest = ended_ago(world.camera_a2, now, minutes=10)
    other_organization = ended_ago(world.camera_b, now, minutes=60)
    holds.create_hold(world.admin, world.camera_a1.public_id, start=held.start, end=held.end, reason="Insurance")
    StoragePolicy.objects.create(organization=world.org_a, quota_bytes=3500)

    assert housekeeping.enforce_quotas(batch_size=100) == 2

    assert kept(oldest, held, older, newer, newest, other_organization) == [False, True, False, True, True, True]
    assert used(world) == 3000
    counters_match_the_rows()
    assert housekeeping.enforce_quotas(batch_size=100) == 0  # it fits now


def test_an_organization_whose_footage_is_all_held_loses_nothing(world: World, now: datetime) -> None:
    segments = [ended_ago(world.camera_a1, now, minutes=m) for m in (30, 20)]
    holds.create_hold(world.admin, world.camera_a1.public_id, start=segments[0].start, end=segments[1].end,
                      reason="Court order 12")
    StoragePolicy.objects.create(organization=world.org_a, quota_bytes=500)

    assert housekeeping.enforce_quotas(batch_size=100) == 0
    assert kept(*segments) == [True, True]


def test_the_quota_task_works_in_batches(world: World, now: datetime, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    segments = [ended_ago(world.camera_a1, now, minutes=60 - m) for m in range(5)]
    StoragePolicy.objects.create(organization=world.org_a, quota_bytes=1000)
    monkeypatch.setattr(tasks, "BATCH_SIZE", 2)

    with mock.patch.object(tasks.enforce_footage_quotas, "apply_async") as again:
        assert tasks.enforce_footage_quotas() == 2
    again.assert_called_once_with(kwargs={"invocation": 1})
    assert kept(*segments) == [False, False, True, True, True]


# --- the 90 % notice ------------------------------------------------------------------------


def test_owners_and_admins_are_told_once_when_usage_passes_90_percent(world: World, now: datetime,
                                                                      dispatch: CapturedWork) -> None:
    segments = [ended_ago(world.camera_a1, now, minutes=60 - m, size=1000) for m in range(8)]
    StoragePolicy.objects.create(organization=world.org_a, quota_bytes=10_000)
    assert notices.note_quota_levels(now) == []  # 90 % is 9000: not yet

    ended_ago(world.camera_a2, now, minutes=1, size=1500)
    (notice,) = notices.note_quota_levels(now)
    assert notices.note_quota_levels(now) == []  # once per crossing, not every minute

    assert (notice.kind, notice.organization_id, notice.camera_id) == (NoticeKind.STORAGE_QUOTA, world.org_a.pk, None)
    assert notice.detail["used_bytes"] == 9500 and notice.detail["quota_bytes"] == 10_000
    deliveries = notice_deliveries.queue_deliveries(notice.pk)
    assert sorted(d.recipient for d in deliveries) == sorted([world.owner.email, world.admin.email])
    for delivery in deliveries:
        deliver(delivery.pk, last_try=False)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([world.owner.email, world.admin.email])
    assert "95%" in mail.outbox[0].subject and "9.5 KB of its 10.0 KB quota" in mail.outbox[0].body

    removal.delete_segments(segment.pk for segment in segments[:3])  # 6500 bytes: below 85 %, armed again
    assert notices.note_quota_levels(now) == []
    ended_ago(world.camera_a2, now, minutes=2, size=3000)  # 9500 again: a new crossing
    assert len(notices.note_quota_levels(now)) == 1
    assert Notice.objects.filter(kind=NoticeKind.STORAGE_QUOTA).count() == 2


def test_quota_notice_goes_to_webhooks_that_chose_it_and_not_to_others(world: World, now: datetime,
                                                                      dispatch: CapturedWork) -> None:
    hook = WebhookEndpoint.objects.create(organization=world.org_a, name="NOC", url="https://93.184.216.34/hook",
                                          secret="s" * 40)
    wants = NotificationRule.objects.create(organization=world.org_a, name="Storage", channel="webhook",
                                            webhook=hook, event_types=["storage.quota"])
    NotificationRule.objects.create(organization=world.org_a, name="Motion only", channel="email",
                                    email_to="guard@example.test")
    ended_ago(world.camera_a1, now, minutes=5, size=950)
    StoragePolicy.objects.create(organization=world.org_a, quota_bytes=1000)

    (notice,) = notices.note_quota_levels(now)
    deliveries = notice_deliveries.queue_deliveries(notice.pk)

    webhook_rows = [d for d in deliveries if d.channel == NotificationChannel.WEBHOOK]
    assert [(d.rule_id, d.recipient) for d in webhook_rows] == [(wants.pk, hook.url)]
    assert "guard@example.test" not in {d.recipient for d in deliveries}
    assert notice_deliveries.queue_deliveries(notice.pk) == []  # idempotent
    assert NotificationDelivery.objects.filter(notice=notice).count() == 3  # the webhook, the owner, the admin


def test_a_recipient_who_is_no_longer_an_admin_gets_no_quota_mail(world: World, now: datetime,
                                                                 dispatch: CapturedWork) -> None:
    ended_ago(world.camera_a1, now, minutes=5, size=950)
    StoragePolicy.objects.create(organization=world.org_a, quota_bytes=1000)
    (notice,) = notices.note_quota_levels(now)
    deliveries = {d.recipient: d for d in notice_deliveries.queue_deliveries(notice.pk)}
    world.membership(world.admin).delete()

    deliver(deliveries[world.admin.email].pk, last_try=False)

    failed = NotificationDelivery.objects.get(pk=deliveries[world.admin.email].pk)
    assert (failed.status, failed.last_error) == ("failed", "The recipient is no longer an owner or admin of the "
                                                  "organization.")
    assert mail.outbox == []
