"""Admin for clips, motion and notifications: rows of the user's organizations, writes through the services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from accounts.admin_base import ServiceForm, TenantScopedAdmin
from recordings.clips import services as exports
from recordings.models import (
    Clip,
    MotionEvent,
    MotionSettings,
    NotificationDelivery,
    NotificationRule,
    WebhookEndpoint,
)
from recordings.motion import services as motion
from recordings.notifications import rules


@admin.register(Clip)
class ClipAdmin(TenantScopedAdmin):
    list_display = (
        "camera_name", "organization", "duration", "status", "size", "requested_by_label", "created_at", "expires_at",
    )
    list_filter = ("status",)
    search_fields = ("camera_name", "requested_by_label")
    ordering = ("-created_at",)
    list_select_related = ("organization",)
    fields = (
        "public_id", "organization", "camera", "camera_name", "requested_by_label", "duration", "status", "reason",
        "started_at", "finished_at", "stored_as", "size", "sha256", "task_id", "created_at", "expires_at",
        "range_start", "range_end", "stream", "cut_start", "cut_end", "gap_seconds",
    )
    readonly_fields = fields

    @admin.display(description="stored as")
    def stored_as(self, clip: Clip) -> str:
        # The name only: a link would bypass the audited, permission-checked download.
        return clip.file.name or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # clips are requested from a live camera, not typed in

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_through_service(self, request: HttpRequest, obj: Clip) -> None:
        exports.delete_clip(request.user, obj, ip=self.ip(request))


@admin.register(MotionEvent)
class MotionEventAdmin(TenantScopedAdmin):
    """Motion events as recorded by the workers: read-only (acknowledge on the Alerts page or the API)."""

    list_display = ("camera_name", "organization", "started_at", "ended_at", "peak_score", "alerted",
                    "acknowledged_by_label", "acknowledged_at")
    list_filter = ("alerted", ("acknowledged_at", admin.EmptyFieldListFilter))
    search_fields = ("camera_name", "acknowledged_by_label", "acknowledgement_note")
    ordering = ("-started_at",)
    list_select_related = ("organization",)
    fields = ("public_id", "organization", "camera", "camera_name", "started_at", "ended_at", "peak_score",
              "peak_at", "boxes", "alerted", "acknowledged_by_label", "acknowledged_at", "acknowledgement_note")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # retention removes events together with their snapshots


class MotionSettingsForm(ServiceForm):
    class Meta:
        model = MotionSettings
        fields = ("camera", *motion.SETTING_FIELDS)
        help_texts = {
            "masks": "Polygons to ignore, as JSON: [[[x, y], ...], ...] with x and y from 0 to 1 across the picture. "
                     "The camera's settings page has an editor that draws them over a snapshot.",
            "schedule": 'When detection runs, as JSON: [{"days": [0, 1, 2, 3, 4], "start": "18:00", "end": "07:00"}] '
                        "in the site's time zone, Monday is 0; empty means always.",
        }


@admin.register(MotionSettings)
class MotionSettingsAdmin(TenantScopedAdmin):
    """Per-camera motion detection, saved through ``recordings.motion.services.update_settings`` (checked and audited).

    No delete: switching detection off is ``enabled``; a row goes with its camera.
    """

    form = MotionSettingsForm
    list_display = ("camera", "site", "enabled", "sensitivity", "min_area", "analysis_fps", "cooldown_seconds",
                    "updated_at")
    list_filter = ("enabled", ("camera__site", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("camera", "camera__site")
    search_fields = ("camera__name", "camera__site__name")
    ordering = ("camera__site__name", "camera__name")
    autocomplete_fields = ("camera",)

    @admin.display(description="site", ordering="camera__site__name")
    def site(self, row: MotionSettings) -> str:
        return row.camera.site.name

    def get_readonly_fields(self, request: HttpRequest, obj: MotionSettings | None = None) -> tuple[str, ...]:
        return ("camera", "updated_at") if obj is not None else ("updated_at",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_through_service(self, request: HttpRequest, form: ServiceForm, change: bool) -> MotionSettings:
        camera = form.instance.camera if change else form.cleaned_data["camera"]
        values = {name: form.cleaned_data[name] for name in motion.SETTING_FIELDS if name in form.cleaned_data}
        return motion.update_settings(request.user, camera.public_id, ip=self.ip(request), **values)


# --- notifications: endpoints through the services, rules and the delivery log read-only --------


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(TenantScopedAdmin):
    """The signing secret is never shown or edited here: rotate it on the Notifications page to see one."""

    list_display = ("name", "organization", "url", "enabled", "created_at")
    list_filter = ("enabled",)
    search_fields = ("name", "url")
    list_select_related = ("organization",)
    fields = ("organization", "name", "url", "enabled")
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("organization",) if obj is not None else ()

    def save_through_service(self, request: HttpRequest, form: Any, change: bool) -> WebhookEndpoint:
        data = {field: form.cleaned_data[field] for field in ("name", "url", "enabled")}
        if change:
            return rules.update_webhook(request.user, form.instance, ip=self.ip(request), **data)
        webhook, _secret = rules.create_webhook(
            request.user, form.cleaned_data["organization"], ip=self.ip(request), **data
        )
        self.message_user(request, "The signing secret is not shown here: rotate it on the Notifications page "
                                   "and give the new one to the receiver.")
        return webhook

    def delete_through_service(self, request: HttpRequest, obj: WebhookEndpoint) -> None:
        rules.delete_webhook(request.user, obj, ip=self.ip(request))


@admin.register(NotificationRule)
class NotificationRuleAdmin(TenantScopedAdmin):
    list_display = ("name", "organization", "user", "channel", "webhook", "email_to", "enabled")
    list_filter = ("channel", "enabled")
    search_fields = ("name", "user__email", "email_to")
    list_select_related = ("organization", "user", "webhook")
    fields = ("organization", "user", "name", "event_types", "channel", "webhook", "email_to", "sites", "cameras",
              "schedule", "enabled", "created_at", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rules are made on the Notifications page or through the API

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_through_service(self, request: HttpRequest, obj: NotificationRule) -> None:
        rules.delete_rule(request.user, obj, ip=self.ip(request))


@admin.register(NotificationDelivery)
class NotificationDeliveryAdmin(TenantScopedAdmin):
    list_display = ("created_at", "organization", "channel", "recipient", "is_test", "status", "attempts",
                    "response_code", "last_error")
    list_filter = ("status", "channel", "is_test")
    search_fields = ("recipient", "last_error")
    list_select_related = ("organization",)
    ordering = ("-created_at",)
    fields = ("organization", "event", "notice", "rule", "webhook", "channel", "recipient", "is_test", "status",
              "attempts", "response_code", "last_error", "created_at", "delivered_at", "updated_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the log is a record; rows go with their event
