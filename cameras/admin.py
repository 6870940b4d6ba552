"""Admin for sites, cameras and gateways.

Sites and cameras are tenant data (``accounts.admin_base.TenantScopedAdmin``)
and are saved through ``cameras.services``. Camera credentials are
write-only: the stream URLs and ONVIF login are never put in a page, not
even after a failed submit; the form shows the masked source and "leave
blank to keep". Gateways are platform infrastructure: superusers only.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from accounts.admin_base import ServiceForm, SuperuserOnlyAdmin, TenantScopedAdmin, WriteOnlyTextInput
from accounts.models import Organization
from cameras import services
from cameras.forms import KEEP_HELP
from cameras.models import Camera, Gateway, PTZPreset, Site
from cameras.ptz import services as ptz
from cameras.services import SECRET_CAMERA_FIELDS
from cameras.sources import MAX_SOURCE_LENGTH

TIMESTAMPS = ("created_at", "updated_at")
KEEP_SET_HELP = "Set; leave blank to keep it."


@admin.register(Site)
class SiteAdmin(TenantScopedAdmin):
    list_display = ("name", "organization", "timezone", "camera_count", "created_at")
    list_filter = (("organization", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("organization",)
    search_fields = ("name", "address", "organization__name")
    ordering = ("organization__name", "name")

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(camera_total=Count("cameras"))

    @admin.display(description="cameras", ordering="camera_total")
    def camera_count(self, site: Site) -> int:
        return site.camera_total  # type: ignore[attr-defined]

    def get_fields(self, request: HttpRequest, obj: Site | None = None) -> list[str]:
        fields = ["organization", "name", "address", "timezone"]
        return fields if obj is None else [*fields, "public_id", *TIMESTAMPS]

    def get_readonly_fields(self, request: HttpRequest, obj: Site | None = None) -> tuple[str, ...]:
        # The services have no "move a site to another organization".
        return () if obj is None else ("organization", "public_id", *TIMESTAMPS)

    def save_through_service(self, request: HttpRequest, form: ServiceForm, change: bool) -> Site:
        fields = {name: form.cleaned_data[name] for name in ("name", "address", "timezone")}
        if change:
            return services.update_site(request.user, form.instance, ip=self.ip(request), **fields)
        organization: Organization = form.cleaned_data["organization"]
        return services.create_site(request.user, organization, ip=self.ip(request), **fields)

    def delete_through_service(self, request: HttpRequest, obj: Site) -> None:
        services.delete_site(request.user, obj, ip=self.ip(request))


def _secret_input(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=200, required=False, widget=WriteOnlyTextInput(attrs={"autocomplete": "off"})
    )


class CameraAdminForm(ServiceForm):
    """The model's secret fields are excluded; these write-only fields stand in for them.

    Sources are checked by the service (``check_camera_source``); its errors
    land on these fields.
    """

    main_source = forms.CharField(
        label="Main stream URL",
        max_length=MAX_SOURCE_LENGTH + 1,
        required=False,
        widget=WriteOnlyTextInput(attrs={"autocomplete": "off", "size": 80}),
        help_text="rtsp:// or rtsps:// address of the camera's main stream, credentials included.",
    )
    sub_source = forms.CharField(
        label="Sub stream URL",
        max_length=MAX_SOURCE_LENGTH + 1,
        required=False,
        widget=WriteOnlyTextInput(attrs={"autocomplete": "off", "size": 80}),
        help_text="Optional lower-resolution stream used in grids.",
    )
    remove_sub_source = forms.BooleanField(label="Remove the sub stream", required=False)
    onvif_username = _secret_input("ONVIF username")
    onvif_password = forms.CharField(
        label="ONVIF password",
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        camera = self.instance
        if camera.pk is None:
            self.fields["main_source"].required = True
            return
        self.fields["main_source"].help_text = KEEP_HELP.format(current=camera.main_source_display)
        if camera.sub_source:
            self.fields["sub_source"].help_text = KEEP_HELP.format(current=camera.sub_source_display)
        for field in ("onvif_username", "onvif_password"):
            if getattr(camera, field):
                self.fields[field].help_text = KEEP_SET_HELP

    def changes(self) -> dict[str, Any]:
        """Keyword arguments for the camera services; blank secrets keep the stored value."""
        data = self.cleaned_data
        changes = {field: data[field] for field in ("name", "onvif_host", "onvif_port", "enabled")}
        changes.update({field: data[field] for field in SECRET_CAMERA_FIELDS if data.get(field)})
        if data.get("remove_sub_source"):
            changes["sub_source"] = ""
        if not data.get("onvif_host"):
            changes.update(onvif_username="", onvif_password="")
        return changes


@admin.register(Camera)
class CameraAdmin(TenantScopedAdmin):
    form = CameraAdminForm
    # The model's secret fields never enter the model form, so the stored
    # values are never a form's initial data.
    exclude = tuple(sorted(SECRET_CAMERA_FIELDS))
    list_display = ("name", "site", "organization", "enabled", "status", "status_changed_at", "updated_at")
    list_filter = (
        "enabled",
        "status",
        ("site__organization", admin.RelatedOnlyFieldListFilter),
        ("site", admin.RelatedOnlyFieldListFilter),
    )
    list_select_related = ("site", "site__organization")
    search_fields = ("name", "site__name", "site__organization__name", "onvif_host")
    ordering = ("site__organization__name", "site__name", "name")
    autocomplete_fields = ("site",)
    readonly_fields = ("public_id", "status", "status_changed_at", *TIMESTAMPS)

    @admin.display(description="organization", ordering="site__organization__name")
    def organization(self, camera: Camera) -> Organization:
        return camera.site.organization

    def get_fieldsets(self, request: HttpRequest, obj: Camera | None = None) -> list[tuple[str | None, dict]]:
        general = ["name", "site", "enabled"]
        streams = ["main_source", "sub_source"]
        onvif = ["onvif_host", "onvif_port", "onvif_username", "onvif_password"]
        if obj is None:
            return [(None, {"fields": general}), ("Streams", {"fields": streams}), ("ONVIF (PTZ)", {"fields": onvif})]
        if request.user.is_superuser:
            general.append("gateway")
        return [
            (None, {"fields": general}),
            ("Streams", {"fields": [*streams, "remove_sub_source"]}),
            ("ONVIF (PTZ)", {"fields": onvif}),
            ("State", {"fields": ["public_id", "status", "status_changed_at", *TIMESTAMPS]}),
        ]

    def save_through_service(self, request: HttpRequest, form: ServiceForm, change: bool) -> Camera:
        changes = cast(CameraAdminForm, form).changes()
        site, ip = form.cleaned_data["site"], self.ip(request)
        if not change:
            return services.create_camera(request.user, site, ip=ip, **changes)
        camera = services.update_camera(request.user, form.instance, site=site, ip=ip, **changes)
        gateway = form.cleaned_data.get("gateway")
        if gateway is not None and gateway.pk != camera.gateway_id:
            camera = services.move_camera_to_gateway(request.user, camera, gateway, ip=ip)
        return camera

    def delete_through_service(self, request: HttpRequest, obj: Camera) -> None:
        services.delete_camera(request.user, obj, ip=self.ip(request))


class GatewayForm(forms.ModelForm):
    api_password = forms.CharField(
        label="API password",
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="go2rtc's API password.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.api_password:
            self.fields["api_password"].help_text = KEEP_SET_HELP


@admin.register(Gateway)
class GatewayAdmin(SuperuserOnlyAdmin):
    """go2rtc nodes. Saved directly: gateways have no service, and only superusers reach them."""

    form = GatewayForm
    exclude = ("api_password",)
    fields = ("name", "enabled", "api_url", "api_username", "api_password", "rtsp_url", "webrtc_address",
              *TIMESTAMPS)
    readonly_fields = TIMESTAMPS
    list_display = ("name", "api_url", "rtsp_url", "webrtc_address", "enabled", "camera_count")
    list_filter = ("enabled",)
    search_fields = ("name", "api_url")
    ordering = ("name",)
    # Gateway APIs live on a private network, usually without TLS.
    formfield_overrides = {models.URLField: {"assume_scheme": "http"}}

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        return super().get_queryset(request).annotate(camera_total=Count("cameras"))

    @admin.display(description="cameras", ordering="camera_total")
    def camera_count(self, gateway: Gateway) -> int:
        return gateway.camera_total  # type: ignore[attr-defined]

    def save_model(self, request: HttpRequest, obj: Gateway, form: Any, change: bool) -> None:
        if form.cleaned_data.get("api_password"):
            obj.api_password = form.cleaned_data["api_password"]
        super().save_model(request, obj, form, change)


@admin.register(PTZPreset)
class PTZPresetAdmin(TenantScopedAdmin):
    """Presets are saved from the live view or the API (the camera stores the position).

    Here they can be looked at and removed (through ``cameras.ptz.services``, which
    also removes them from the camera); nothing else is editable.
    """

    list_display = ("name", "camera", "site", "ready", "created_by", "created_at")
    list_filter = (("camera__site__organization", admin.RelatedOnlyFieldListFilter),)
    list_select_related = ("camera", "camera__site", "created_by")
    search_fields = ("name", "camera__name", "camera__site__name")
    ordering = ("camera__site__name", "camera__name", "name")
    fields = ("name", "camera", "token", "public_id", "created_by", *TIMESTAMPS)
    readonly_fields = fields

    @admin.display(description="site", ordering="camera__site__name")
    def site(self, preset: PTZPreset) -> Site:
        return preset.camera.site

    @admin.display(description="stored on the camera", boolean=True)
    def ready(self, preset: PTZPreset) -> bool:
        return preset.ready

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_through_service(self, request: HttpRequest, obj: PTZPreset) -> None:
        ptz.do_delete_preset(request.user, obj, ip=self.ip(request))

    def response_delete(self, request: HttpRequest, obj_display: str, obj_id: Any) -> HttpResponse:
        """A preset stored on the camera stays until the camera has deleted it: say so, not "deleted"."""
        if not PTZPreset.objects.filter(pk=obj_id, removing=True).exists():
            return super().response_delete(request, obj_display, obj_id)
        self.message_user(request, f"Asked the camera to delete the preset “{obj_display}”. It leaves this list "
                          "once the camera has; if the camera refuses, the live view says why.", messages.INFO)
        return HttpResponseRedirect(reverse("admin:cameras_ptzpreset_changelist"))
