"""Admin for recording: settings, storage policy and legal holds through the services, segments read-only,
recorders and the volume guard's runs.

Segments, settings, policies and holds are tenant data (``TenantScopedAdmin``:
rows of the organizations the user manages, foreign rows 404). Recorders and
the volume guard's runs are platform infrastructure like gateways:
superusers only, read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.utils import timezone

from accounts.admin_base import ServiceForm, SuperuserOnlyAdmin, TenantScopedAdmin
from recordings.footage import holds, recorders, services, tier_config
from recordings.footage.models import (
    LegalHold,
    Recorder,
    RecordingHealth,
    RecordingSettings,
    Segment,
    StoragePolicy,
    StorageTier,
    VolumeGuardRun,
)


class ReadOnlyMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # footage goes by retention, quotas and holds, never by hand


@admin.register(Segment)
class SegmentAdmin(ReadOnlyMixin, TenantScopedAdmin):
    """The segment index as the recorders wrote it."""

    list_display = ("camera", "stream", "kind", "start", "end", "duration", "bytes", "tier", "has_motion", "held")
    list_filter = ("stream", "kind", "tier", "has_motion", "held")
    list_select_related = ("camera",)
    search_fields = ("camera__name",)
    ordering = ("-start",)
    show_full_result_count = False  # counting millions of rows on every page is not worth it
    fields = ("organization", "camera", "stream", "kind", "start", "end", "duration", "bytes", "codec", "codecs",
              "width", "height", "has_audio", "init_size", "keyframes", "run", "tier", "key", "sha256",
              "has_motion", "motion_event", "held", "created_at")
    readonly_fields = fields


class RecordingSettingsForm(ServiceForm):
    class Meta:
        model = RecordingSettings
        fields = ("camera", *services.SETTING_FIELDS)


@admin.register(RecordingSettings)
class RecordingSettingsAdmin(TenantScopedAdmin):
    """Per-camera recording, saved through ``recordings.footage.services.update_settings`` (checked, audited)."""

    form = RecordingSettingsForm
    list_display = ("camera", "site", "mode", "stream", "pre_roll_seconds", "post_roll_seconds",
                    "continuous_retention_days", "event_retention_days", "updated_at")
    list_filter = ("mode", "stream", ("camera__site", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("camera", "camera__site")
    search_fields = ("camera__name", "camera__site__name")
    ordering = ("camera__site__name", "camera__name")
    autocomplete_fields = ("camera",)

    @admin.display(description="site", ordering="camera__site__name")
    def site(self, row: RecordingSettings) -> str:
        return row.camera.site.name

    def get_readonly_fields(self, request: HttpRequest, obj: RecordingSettings | None = None) -> tuple[str, ...]:
        return ("camera", "updated_at") if obj is not None else ("updated_at",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # switching recording off is mode "off"; the row goes with its camera

    def save_through_service(self, request: HttpRequest, form: ServiceForm, change: bool) -> RecordingSettings:
        camera = form.instance.camera if change else form.cleaned_data["camera"]
        values = {name: form.cleaned_data[name] for name in services.SETTING_FIELDS if name in form.cleaned_data}
        return services.update_settings(request.user, camera.public_id, ip=self.ip(request), **values)


class StoragePolicyForm(ServiceForm):
    class Meta:
        model = StoragePolicy
        fields = ("organization", *services.POLICY_FIELDS)


@admin.register(StoragePolicy)
class StoragePolicyAdmin(TenantScopedAdmin):
    """An organization's footage quota and default retention, through ``services.update_policy``."""

    form = StoragePolicyForm
    list_display = ("organization", "quota_bytes", "continuous_retention_days", "event_retention_days",
                    "updated_at")
    list_select_related = ("organization",)
    ordering = ("organization__name",)

    def get_readonly_fields(self, request: HttpRequest, obj: StoragePolicy | None = None) -> tuple[str, ...]:
        return ("organization", "updated_at") if obj is not None else ("updated_at",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_through_service(self, request: HttpRequest, form: ServiceForm, change: bool) -> StoragePolicy:
        organization = form.instance.organization if change else form.cleaned_data["organization"]
        values = {name: form.cleaned_data[name] for name in services.POLICY_FIELDS if name in form.cleaned_data}
        return services.update_policy(request.user, organization.pk, ip=self.ip(request), **values)


class StorageTierForm(ServiceForm):
    """Credentials are write-only: the fields start empty, and empty keeps what is stored."""

    access_key = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False), label="Access key id / account name",
        help_text="S3: the access key id; Azure: the storage account name. Empty keeps the stored one.",
    )
    secret_key = forms.CharField(
        required=False, widget=forms.PasswordInput(render_value=False), label="Secret key",
        help_text="Stored encrypted, never shown again. Empty keeps the stored one.",
    )

    class Meta:
        model = StorageTier
        fields = ("organization", *tier_config.TIER_FIELDS)


@admin.register(StorageTier)
class StorageTierAdmin(TenantScopedAdmin):
    """Where an organization's older footage goes, through ``tier_config.update_tier``; how moving goes."""

    form = StorageTierForm
    list_display = ("organization", "kind", "move_after_hours", "bucket", "moved_segments", "moved_at",
                    "move_failures", "move_error")
    list_select_related = ("organization",)
    ordering = ("organization__name",)
    status_fields = ("moved_segments", "moved_at", "move_failures", "move_error", "move_retry_at", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: StorageTier | None = None) -> tuple[str, ...]:
        return ("organization", *self.status_fields) if obj is not None else self.status_fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # kind "local" stops moving; footage already moved needs its store

    def save_through_service(self, request: HttpRequest, form: ServiceForm, change: bool) -> StorageTier:
        organization = form.instance.organization if change else form.cleaned_data["organization"]
        values = {name: form.cleaned_data[name] for name in tier_config.TIER_FIELDS if name in form.cleaned_data}
        if not values.get("access_key") and change:
            values.pop("access_key", None)  # empty: keep the stored one
        return tier_config.update_tier(request.user, organization.pk, ip=self.ip(request), **values)


class HeldCameraInline(admin.TabularInline):
    """The cameras a recorder holds, with their recording state."""

    model = RecordingHealth
    fields = ("camera", "state", "reason", "last_segment_at", "bytes_today")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name = "camera held"
    verbose_name_plural = "cameras held"

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Recorder)
class RecorderAdmin(ReadOnlyMixin, SuperuserOnlyAdmin):
    """Recorder processes beside the gateways (``manage.py record``), as their heartbeats say."""

    list_display = ("name", "gateway", "host", "pid", "alive", "camera_count", "started_at", "heartbeat_at")
    list_select_related = ("gateway",)
    fields = ("name", "gateway", "host", "pid", "started_at", "heartbeat_at", "stopped_at")
    readonly_fields = fields
    inlines = (HeldCameraInline,)

    @admin.display(boolean=True)
    def alive(self, row: Recorder) -> bool:
        return recorders.is_alive(row, timezone.now())

    @admin.display(description="cameras")
    def camera_count(self, row: Recorder) -> int:
        return row.cameras.count()


class LegalHoldForm(ServiceForm):
    class Meta:
        model = LegalHold
        fields = ("camera", "start", "end", "reason")


@admin.register(LegalHold)
class LegalHoldAdmin(TenantScopedAdmin):
    """Legal holds, set, changed and lifted (deleted) through ``recordings.footage.holds`` (checked, audited)."""

    form = LegalHoldForm
    list_display = ("camera_name", "organization", "start", "end", "reason", "created_by_label", "created_at")
    list_select_related = ("organization",)
    search_fields = ("camera_name", "reason")
    ordering = ("-start",)
    autocomplete_fields = ("camera",)

    def get_readonly_fields(self, request: HttpRequest, obj: LegalHold | None = None) -> tuple[str, ...]:
        shown = ("organization", "camera_name", "created_by_label", "created_at", "updated_at")
        return ("camera", *shown) if obj is not None else ()

    def save_through_service(self, request: HttpRequest, form: ServiceForm, change: bool) -> LegalHold:
        values = {name: form.cleaned_data[name] for name in holds.HOLD_FIELDS}
        if change:
            return holds.update_hold(request.user, form.instance, ip=self.ip(request), **values)
        camera = form.cleaned_data["camera"]
        return holds.create_hold(request.user, camera.public_id, ip=self.ip(request), **values)

    def delete_through_service(self, request: HttpRequest, obj: LegalHold) -> None:
        holds.lift_hold(request.user, obj, ip=self.ip(request))


@admin.register(VolumeGuardRun)
class VolumeGuardRunAdmin(ReadOnlyMixin, SuperuserOnlyAdmin):
    """Each time the recordings disk fell below its free-space floor, and the footage the guard deleted."""

    list_display = ("started_at", "path", "free_before", "floor_bytes", "free_after", "deleted_segments",
                    "deleted_bytes", "outcome")
    fields = ("started_at", "updated_at", "path", "total_bytes", "floor_bytes", "free_before", "free_after",
              "deleted_segments", "deleted_bytes", "organizations", "outcome")
    readonly_fields = fields
    ordering = ("-started_at",)
