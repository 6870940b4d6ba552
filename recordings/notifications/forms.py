"""Forms of the notifications page. Choices come from querysets built through the access gate.

A rule's schedule is edited as rows of time windows (``recordings.schedule_forms``).
"""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.callers import Visitor
from accounts.forms import offer_choices
from accounts.models import Organization
from accounts.roles import Action
from cameras.forms import CameraChoiceField
from cameras.models import Camera, Site
from recordings.models import NotificationChannel, NotificationEvent, NotificationRule, WebhookEndpoint
from recordings.notifications import rules
from recordings.schedule_forms import ScheduleWindowsMixin


class RuleForm(ScheduleWindowsMixin, forms.Form):
    name = forms.CharField(max_length=120, help_text="e.g. “Warehouse after hours”.")
    event_types = forms.MultipleChoiceField(
        choices=NotificationEvent.choices, initial=[NotificationEvent.MOTION_ALERT],
        widget=forms.CheckboxSelectMultiple, label="Send",
        help_text="Storage notices are about the whole organization: the cameras and times below do not apply to them.",
    )
    channel = forms.ChoiceField(choices=NotificationChannel.choices, label="Send by")
    webhook = forms.ModelChoiceField(queryset=WebhookEndpoint.objects.none(), to_field_name="public_id",
                                     required=False, label="Webhook endpoint")
    email_to = forms.EmailField(required=False, label="E-mail address", help_text="For e-mail: who gets it.")
    sites = forms.ModelMultipleChoiceField(
        queryset=Site.objects.none(), to_field_name="public_id", required=False,
        widget=forms.CheckboxSelectMultiple, label="Only cameras of these sites",
    )
    cameras = CameraChoiceField(
        queryset=Camera.objects.none(), to_field_name="public_id", required=False,
        widget=forms.CheckboxSelectMultiple, label="And these cameras",
        help_text="Tick nothing in either list for every camera.",
    )
    enabled = forms.BooleanField(required=False, initial=True, label="Enabled")

    def __init__(self, *args: Any, user: Visitor, organization: Organization, personal: bool,
                 rule: NotificationRule | None = None, **kwargs: Any) -> None:
        self.user, self.organization, self.personal, self.rule = user, organization, personal, rule
        if rule is not None:
            kwargs.setdefault("initial", _initial(rule))
        super().__init__(*args, **kwargs)
        self.init_windows(self.data if self.is_bound else None, rule.schedule if rule is not None else [])
        # A personal rule names what its owner can view; an organization rule what the admin manages.
        action = Action.VIEW if personal else Action.MANAGE
        offer_choices(self, "sites", Site.objects.for_user(user, action).filter(organization=organization))
        cameras = Camera.objects.for_user(user, action).filter(site__organization=organization)
        offer_choices(self, "cameras", cameras.select_related("site"))
        if personal:
            for field in ("channel", "webhook", "email_to"):
                del self.fields[field]
        else:
            webhooks = WebhookEndpoint.objects.for_user(user, Action.MANAGE).filter(organization=organization)
            offer_choices(self, "webhook", webhooks)

    def save(self, *, ip: str | None) -> NotificationRule:
        data = self.cleaned_data
        values: dict[str, Any] = {
            "name": data["name"], "sites": [site.public_id for site in data["sites"]],
            "cameras": [camera.public_id for camera in data["cameras"]], "schedule": self.schedule(),
            "enabled": data["enabled"], "event_types": list(data["event_types"]),
        }
        if not self.personal:
            webhook = data.get("webhook")
            values.update(channel=data["channel"], email_to=data.get("email_to", ""),
                          webhook=webhook.public_id if webhook else None)
        if self.rule is None:
            return rules.create_rule(self.user, self.organization, personal=self.personal, ip=ip, **values)
        return rules.update_rule(self.user, self.rule, ip=ip, **values)


def _initial(rule: NotificationRule) -> dict[str, Any]:
    return {
        "name": rule.name, "channel": rule.channel, "email_to": rule.email_to, "event_types": rule.event_types,
        "webhook": rule.webhook.public_id if rule.webhook else None,
        "sites": [site.public_id for site in rule.sites.all()],
        "cameras": [camera.public_id for camera in rule.cameras.all()],
        "enabled": rule.enabled,
    }


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="e.g. “Alarm receiving centre”.")
    url = forms.CharField(
        max_length=500, label="URL", widget=forms.URLInput(attrs={"placeholder": "https://example.com/cctv-hook"}),
        help_text="Where alerts are POSTed, signed with a secret shown once after saving.",
    )
    enabled = forms.BooleanField(required=False, initial=True, label="Enabled")
