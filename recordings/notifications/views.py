"""The notifications page: a member's own e-mail rules and, for admins, the organization's
webhook endpoints, organization rules and delivery log.

Rules, endpoints and the log come through the access gate
(``NotificationRule.objects.visible_to``, ``access``, ``for_user``); every change goes
through ``recordings.notifications.rules``. Secrets are rendered into the
one response that creates or rotates them, never stored for a later page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import client_ip
from accounts.callers import Visitor
from accounts.forms import save_or_add_errors
from accounts.models import Organization
from accounts.roles import Action
from accounts.scoping import access, can, one_of
from accounts.views import GET_POST, organization_page
from recordings import schedules
from recordings.models import NotificationDelivery, NotificationEvent, NotificationRule, WebhookEndpoint
from recordings.notifications import rules
from recordings.notifications.forms import RuleForm, WebhookForm

DELIVERY_LOG_SIZE = 100


def _describe(rule: NotificationRule) -> NotificationRule:
    names = [site.name for site in rule.sites.all()] + [camera.name for camera in rule.cameras.all()]
    rule.cameras_text = ", ".join(names) or "All cameras"  # type: ignore[attr-defined]
    rule.schedule_text = schedules.describe(rule.schedule or [])  # type: ignore[attr-defined]
    labels = dict(NotificationEvent.choices)
    rule.events_text = ", ".join(labels.get(kind, kind) for kind in rule.event_types or [])  # type: ignore[attr-defined]
    return rule


@require_GET
@organization_page()
def notification_list(request: HttpRequest, organization: Organization) -> HttpResponse:
    visible = (
        NotificationRule.objects.visible_to(request.user).filter(organization=organization)
        .select_related("webhook").prefetch_related("sites", "cameras").order_by("name")
    )
    rules = [_describe(rule) for rule in visible]
    can_manage = can(request.user, Action.MANAGE, organization)
    context = {
        "organization": organization,
        "can_manage": can_manage,
        "personal_rules": [rule for rule in rules if rule.user_id == request.user.pk],
    }
    if can_manage:
        deliveries = NotificationDelivery.objects.for_user(request.user, Action.MANAGE).filter(
            organization=organization
        ).select_related("webhook", "rule", "event", "notice")
        context.update(
            organization_rules=[rule for rule in rules if rule.user_id is None],
            webhooks=WebhookEndpoint.objects.for_user(request.user, Action.MANAGE).filter(organization=organization),
            deliveries=deliveries[:DELIVERY_LOG_SIZE],
        )
    return render(request, "recordings/notifications.html", context)


# --- rules -------------------------------------------------------------------------------


def _rule_page(request: HttpRequest, form: RuleForm, rule: NotificationRule | None) -> HttpResponse:
    if request.method == "POST" and form.is_valid() and save_or_add_errors(form, lambda: form.save(
            ip=client_ip(request))) is not None:
        messages.success(request, f"Notification rule “{form.cleaned_data['name']}” saved.")
        return redirect("notification_list")
    context = {"form": form, "rule": rule, "personal": form.personal, "organization": form.organization}
    return render(request, "recordings/notification_rule_form.html", context)


@organization_page()
@GET_POST
def rule_create(request: HttpRequest, organization: Organization) -> HttpResponse:
    personal = request.GET.get("scope") != "organization"
    if not personal and not can(request.user, Action.MANAGE, organization):
        raise PermissionDenied("Only owners and admins add organization rules.")
    form = RuleForm(request.POST or None, user=request.user, organization=organization, personal=personal)
    return _rule_page(request, form, None)


def _rule(user: Visitor, public_id: str) -> NotificationRule:
    """One rule of ``NotificationRule.objects.visible_to(user)``; any other is the gate's 404."""
    rules = NotificationRule.objects.visible_to(user).select_related("organization", "user", "webhook")
    return one_of(rules, public_id)


@login_required
@GET_POST
def rule_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    rule = _rule(request.user, public_id)
    form = RuleForm(request.POST or None, user=request.user, organization=rule.organization,
                    personal=rule.is_personal, rule=rule)
    return _rule_page(request, form, rule)


@login_required
@require_POST
def rule_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    rule = _rule(request.user, public_id)
    rules.delete_rule(request.user, rule, ip=client_ip(request))
    messages.success(request, f"Notification rule “{rule.name}” deleted.")
    return redirect("notification_list")


# --- webhook endpoints ------------------------------------------------------------------------


def _secret_page(request: HttpRequest, webhook: WebhookEndpoint, secret: str, *, created: bool) -> HttpResponse:
    # Rendered, not redirected: the secret exists only in this response.
    return render(request, "recordings/webhook_secret.html", {"webhook": webhook, "secret": secret, "created": created})


@never_cache
@organization_page(Action.MANAGE)
@GET_POST
def webhook_create(request: HttpRequest, organization: Organization) -> HttpResponse:
    form = WebhookForm(request.POST or None)
    if form.is_valid():
        created = save_or_add_errors(form, lambda: rules.create_webhook(
            request.user, organization, ip=client_ip(request), **form.cleaned_data))
        if created is not None:
            return _secret_page(request, *created, created=True)
    return render(request, "recordings/webhook_form.html", {"form": form, "organization": organization})


@login_required
@GET_POST
def webhook_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    webhook = access(WebhookEndpoint, request.user, public_id, Action.MANAGE)
    initial = {"name": webhook.name, "url": webhook.url, "enabled": webhook.enabled}
    form = WebhookForm(request.POST or None, initial=initial)
    if form.is_valid() and save_or_add_errors(form, lambda: rules.update_webhook(
            request.user, webhook, ip=client_ip(request), **form.cleaned_data)) is not None:
        messages.success(request, f"Webhook endpoint “{form.cleaned_data['name']}” saved.")
        return redirect("notification_list")
    context = {"form": form, "webhook": webhook, "organization": webhook.organization}
    return render(request, "recordings/webhook_form.html", context)


@login_required
@require_POST
def webhook_test(request: HttpRequest, public_id: str) -> HttpResponse:
    webhook = access(WebhookEndpoint, request.user, public_id, Action.MANAGE)
    try:
        rules.send_test(request.user, webhook, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"A test delivery to “{webhook.name}” is on its way; see the delivery log below.")
    return redirect("notification_list")


@never_cache
@login_required
@require_POST
def webhook_rotate(request: HttpRequest, public_id: str) -> HttpResponse:
    webhook = access(WebhookEndpoint, request.user, public_id, Action.MANAGE)
    webhook, secret = rules.rotate_secret(request.user, webhook, ip=client_ip(request))
    return _secret_page(request, webhook, secret, created=False)


@login_required
@require_POST
def webhook_delete(request: HttpRequest, public_id: str) -> HttpResponse:
    webhook = access(WebhookEndpoint, request.user, public_id, Action.MANAGE)
    rules.delete_webhook(request.user, webhook, ip=client_ip(request))
    messages.success(request, f"Webhook endpoint “{webhook.name}” deleted.")
    return redirect("notification_list")
