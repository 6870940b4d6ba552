"""Changing where alerts go: webhook endpoints and notification rules.

Pages, the API and the admin call these with plain values. Endpoints need
``manage`` on the whole organization; their secret is made here and
returned once, on creation and on rotation. A personal rule is its owner's
(any member), e-mails them, and may name only sites and cameras they can
view; organization rules need ``manage``. Rights come from
``accounts.scoping``; every change is in the audit trail.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import Http404

from accounts import audit
from accounts.callers import Visitor, person_of
from accounts.models import Organization
from accounts.roles import Action
from accounts.scoping import access, can, require_visible
from cameras.models import Camera, Site
from portal.work import enqueue
from recordings import schedules
from recordings.models import (
    NotificationChannel,
    NotificationDelivery,
    NotificationEvent,
    NotificationRule,
    WebhookEndpoint,
)
from recordings.notifications import webhooks

RULE_FIELDS = frozenset({"name", "channel", "webhook", "email_to", "sites", "cameras", "schedule", "event_types",
                         "enabled"})
WEBHOOK_FIELDS = frozenset({"name", "url", "enabled"})


# --- webhook endpoints (manage on the organization) ------------------------------------------


def _clean_name(value: Any, noun: str) -> str:
    name = " ".join(str(value or "").split())
    if not name:
        raise ValidationError({"name": [f"Give the {noun} a name."]})
    if len(name) > 120:
        raise ValidationError({"name": ["Keep the name under 120 characters."]})
    return name


def _save_webhook(webhook: WebhookEndpoint) -> None:
    try:
        with transaction.atomic():
            webhook.save()
    except IntegrityError:
        raise ValidationError({"name": ["Another webhook endpoint of this organization has this name."]}) from None


def _organization_pk(organization: Any) -> Any:
    return getattr(organization, "pk", organization)


def _host(url: str) -> str:
    return urlsplit(url).hostname or ""


@transaction.atomic
def create_webhook(user: Visitor, organization: Any, *, name: Any, url: Any, enabled: bool = True,
                   ip: str | None = None) -> tuple[WebhookEndpoint, str]:
    """Add an endpoint; returns it with its new secret, shown this once. Audit: ``webhook.create``."""
    organization = access(Organization, user, _organization_pk(organization), Action.MANAGE)
    errors: dict[str, list[str]] = {}
    try:
        name = _clean_name(name, "endpoint")
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        url = webhooks.clean_url(url)
    except ValidationError as error:
        errors["url"] = error.messages
    if errors:
        raise ValidationError(errors)
    secret = webhooks.generate_secret()
    webhook = WebhookEndpoint(organization=organization, name=name, url=url, secret=secret, enabled=bool(enabled),
                              created_by=person_of(user))
    _save_webhook(webhook)
    audit.record(user, "webhook.create", organization=organization, target=webhook, ip=ip, host=_host(url))
    return webhook, secret


def _locked_webhook(user: Visitor, webhook: WebhookEndpoint) -> WebhookEndpoint:
    webhook = WebhookEndpoint.objects.select_for_update().select_related("organization").get(pk=webhook.pk)
    require_visible(user, webhook, Action.VIEW)
    if not can(user, Action.MANAGE, webhook):
        raise PermissionDenied("Only owners and admins of the organization can change webhooks.")
    return webhook


@transaction.atomic
def update_webhook(
    user: Visitor, webhook: WebhookEndpoint, *, ip: str | None = None, **changes: Any
) -> WebhookEndpoint:
    """Rename, re-point or switch an endpoint on or off. Audit: ``webhook.update``."""
    if set(changes) - WEBHOOK_FIELDS:
        raise ValidationError(f"Unknown webhook fields: {', '.join(sorted(set(changes) - WEBHOOK_FIELDS))}.")
    webhook = _locked_webhook(user, webhook)
    errors: dict[str, list[str]] = {}
    if "name" in changes:
        try:
            changes["name"] = _clean_name(changes["name"], "endpoint")
        except ValidationError as error:
            errors.update(error.message_dict)
    if "url" in changes:
        try:
            changes["url"] = webhooks.clean_url(changes["url"])
        except ValidationError as error:
            errors["url"] = error.messages
    if errors:
        raise ValidationError(errors)
    changed = sorted(field for field, value in changes.items() if getattr(webhook, field) != value)
    for field, value in changes.items():
        setattr(webhook, field, bool(value) if field == "enabled" else value)
    _save_webhook(webhook)
    audit.record(user, "webhook.update", organization=webhook.organization_id, target=webhook, ip=ip,
                 changed=changed, host=_host(webhook.url))
    return webhook


@transaction.atomic
def rotate_secret(user: Visitor, webhook: WebhookEndpoint, *, ip: str | None = None) -> tuple[WebhookEndpoint, str]:
    """Give an endpoint a new secret at once (pending retries sign with it). Audit: ``webhook.rotate_secret``."""
    webhook = _locked_webhook(user, webhook)
    secret = webhooks.generate_secret()
    webhook.secret = secret
    webhook.save(update_fields=["secret", "updated_at"])
    audit.record(user, "webhook.rotate_secret", organization=webhook.organization_id, target=webhook, ip=ip)
    return webhook, secret


@transaction.atomic
def delete_webhook(user: Visitor, webhook: WebhookEndpoint, *, ip: str | None = None) -> None:
    """Delete an endpoint and the rules that send to it (the log keeps its rows). Audit: ``webhook.delete``."""
    webhook = _locked_webhook(user, webhook)
    audit.record(user, "webhook.delete", organization=webhook.organization_id, target=webhook, ip=ip,
                 host=_host(webhook.url))
    webhook.delete()


@transaction.atomic
def send_test(user: Visitor, webhook: WebhookEndpoint, *, ip: str | None = None) -> NotificationDelivery:
    """Queue a ``webhook.test`` delivery after commit; returns its log row. Audit: ``webhook.test``."""
    webhook = _locked_webhook(user, webhook)
    if not webhook.enabled:
        raise ValidationError("This endpoint is switched off; switch it on to send a test.")
    delivery = NotificationDelivery.objects.create(
        organization_id=webhook.organization_id, webhook=webhook, channel=NotificationChannel.WEBHOOK,
        recipient=webhook.url, is_test=True,
    )
    audit.record(user, "webhook.test", organization=webhook.organization_id, target=webhook, ip=ip,
                 delivery=delivery.pk)
    enqueue("recordings.tasks.deliver_notification", delivery.pk)
    return delivery


# --- rules ------------------------------------------------------------------------------


def _public_ids(values: Iterable[Any] | None) -> set[str]:
    return {str(getattr(value, "public_id", value)) for value in values or []}


def _pick(queryset: QuerySet, values: Iterable[Any] | None, field: str, noun: str) -> list[Any]:
    wanted = _public_ids(values)
    try:
        found = list(queryset.filter(public_id__in=wanted)) if wanted else []
    except ValidationError:  # a malformed id
        found = []
    if len(found) != len(wanted):
        raise ValidationError({field: [f"No such {noun} among those you can choose."]})
    return found


def _choosable(user: Visitor, rule: NotificationRule) -> tuple[QuerySet, QuerySet]:
    """Sites and cameras the rule may name: those its owner can view, or the admin can manage."""
    who, action = (rule.user, Action.VIEW) if rule.user_id else (user, Action.MANAGE)
    sites = Site.objects.for_user(who, action).filter(organization_id=rule.organization_id)
    cameras = Camera.objects.for_user(who, action).filter(site__organization_id=rule.organization_id)
    return sites, cameras


def _apply_channel(user: Visitor, rule: NotificationRule, values: dict[str, Any]) -> None:
    if rule.user_id:
        if values.get("channel", NotificationChannel.EMAIL) != NotificationChannel.EMAIL:
            raise ValidationError({"channel": ["Personal rules send e-mail to you; webhooks are organization rules."]})
        rule.channel, rule.webhook, rule.email_to = NotificationChannel.EMAIL, None, ""
        return
    channel = values.get("channel", rule.channel)
    if channel not in NotificationChannel.values:
        raise ValidationError({"channel": ["Choose email or webhook."]})
    rule.channel = channel
    if channel == NotificationChannel.WEBHOOK:
        webhook = values.get("webhook", rule.webhook)
        endpoints = WebhookEndpoint.objects.for_user(user, Action.MANAGE).filter(organization_id=rule.organization_id)
        if webhook is None:
            raise ValidationError({"webhook": ["Choose the webhook endpoint to send to."]})
        rule.webhook, rule.email_to = _pick(endpoints, [webhook], "webhook", "webhook endpoint")[0], ""
        return
    email_to = str(values.get("email_to", rule.email_to) or "").strip()
    try:
        validate_email(email_to)
    except ValidationError:
        raise ValidationError({"email_to": ["Enter the e-mail address to write to."]}) from None
    rule.email_to, rule.webhook = email_to, None


def clean_event_types(value: Any) -> list[str]:
    """A rule's event types: a non-empty list of ``NotificationEvent`` values, in their order."""
    chosen = value if isinstance(value, list | tuple | set) else []
    if not chosen:
        raise ValidationError({"event_types": ["Choose at least one kind of alert to send."]})
    unknown = {str(item) for item in chosen} - set(NotificationEvent.values)
    if unknown:
        raise ValidationError({"event_types": [f"Unknown alert kinds: {', '.join(sorted(unknown))}. Choose from "
                                               f"{', '.join(NotificationEvent.values)}."]})
    return [kind for kind in NotificationEvent.values if kind in {str(item) for item in chosen}]


def _apply(user: Visitor, rule: NotificationRule, values: dict[str, Any]) -> dict[str, list[Any]]:
    """Check and set the rule's fields; returns the sites and cameras to set once it is saved."""
    unknown = set(values) - RULE_FIELDS
    if unknown:
        raise ValidationError(f"Unknown rule fields: {', '.join(sorted(unknown))}.")
    errors: dict[str, list[str]] = {}
    relations: dict[str, list[Any]] = {}
    sites, cameras = _choosable(user, rule)
    steps = {
        "name": lambda: setattr(rule, "name", _clean_name(values.get("name", rule.name), "rule")),
        "channel": lambda: _apply_channel(user, rule, values),
        "schedule": lambda: setattr(rule, "schedule", schedules.clean_schedule(values.get("schedule", rule.schedule))),
        "event_types": lambda: setattr(rule, "event_types", clean_event_types(values.get("event_types",
                                                                                         rule.event_types))),
        "sites": lambda: relations.update(sites=_pick(sites, values["sites"], "sites", "site")),
        "cameras": lambda: relations.update(cameras=_pick(cameras, values["cameras"], "cameras", "camera")),
    }
    for field, step in steps.items():
        if field in ("sites", "cameras") and field not in values:
            continue
        try:
            step()
        except ValidationError as error:
            errors.update(error.message_dict if hasattr(error, "error_dict") else {field: error.messages})
    if errors:
        raise ValidationError(errors)
    if "enabled" in values:
        rule.enabled = bool(values["enabled"])
    return relations


def _save_rule(rule: NotificationRule, relations: dict[str, list[Any]]) -> None:
    rule.save()
    for field, objects in relations.items():
        getattr(rule, field).set(objects)


@transaction.atomic
def create_rule(user: Visitor, organization: Any, *, personal: bool, ip: str | None = None,
                **values: Any) -> NotificationRule:
    """Add a rule. Personal: any member, e-mail to themselves. Organization: ``manage``. Audit: ``rule.create``."""
    if personal and person_of(user) is None:
        raise PermissionDenied("API tokens have no personal rules; create an organization rule instead.")
    organization = access(Organization, user, _organization_pk(organization),
                                       Action.VIEW if personal else Action.MANAGE)
    rule = NotificationRule(organization=organization, user=person_of(user) if personal else None,
                            channel=NotificationChannel.EMAIL)
    relations = _apply(user, rule, {"channel": NotificationChannel.EMAIL, **values})
    _save_rule(rule, relations)
    audit.record(user, "notification_rule.create", organization=organization, target=rule, ip=ip,
                 personal=personal, channel=rule.channel)
    return rule


def _locked_rule(user: Visitor, rule: NotificationRule, *, deleting: bool = False) -> NotificationRule:
    """The rule, locked, if the caller may change it; else the same 404 as for a missing rule."""
    locked = NotificationRule.objects.select_for_update().filter(pk=rule.pk).first()
    if locked is not None and NotificationRule.objects.visible_to(user).filter(pk=locked.pk).exists():
        return locked
    # Admins may remove anyone's rule (someone who left, say) but not read or change it.
    if locked is not None and deleting and can(user, Action.MANAGE, locked):
        return locked
    raise Http404("Not found.")


@transaction.atomic
def update_rule(user: Visitor, rule: NotificationRule, *, ip: str | None = None, **values: Any) -> NotificationRule:
    """Change a rule its caller may see (their own, or an organization rule with ``manage``). Audit: ``rule.update``."""
    rule = _locked_rule(user, rule)
    relations = _apply(user, rule, values)
    _save_rule(rule, relations)
    audit.record(user, "notification_rule.update", organization=rule.organization_id, target=rule, ip=ip,
                 changed=sorted(values))
    return rule


@transaction.atomic
def delete_rule(user: Visitor, rule: NotificationRule, *, ip: str | None = None) -> None:
    """Remove a rule (its delivery log rows stay). Audit: ``rule.delete``."""
    rule = _locked_rule(user, rule, deleting=True)
    audit.record(user, "notification_rule.delete", organization=rule.organization_id, target=rule, ip=ip,
                 personal=rule.is_personal)
    rule.delete()
