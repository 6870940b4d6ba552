"""Sites and the cameras in them."""

from __future__ import annotations

import uuid
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from accounts.callers import Visitor
from accounts.scoping import Scope, ScopedQuerySet
from cameras.ptz.vocabulary import has_any_feature
from cameras.sources import mask_source
from portal.fields import EncryptedTextField
from portal.models import TimeStampedModel


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Choose a time zone such as Europe/Paris or UTC.", code="timezone")


class Site(TimeStampedModel):
    """A place with cameras (a building, a car park), owned by one organization."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="sites")
    name = models.CharField(max_length=120)
    address = models.CharField(max_length=250, blank=True)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])

    objects = ScopedQuerySet.as_manager()
    # A member limited to single cameras still sees the sites they sit in.
    scope = Scope(organization="organization", site="pk", camera="cameras")

    class Meta:
        ordering = ["organization__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "name"], name="unique_site_name_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class GatewayQuerySet(models.QuerySet):
    """Gateways are platform infrastructure: only superusers manage them."""

    def for_user(self, user: Visitor | None, action: str = "view") -> GatewayQuerySet:
        return self.all() if user is not None and user.is_superuser else self.none()

    def enabled(self) -> GatewayQuerySet:
        return self.filter(enabled=True)


class Gateway(TimeStampedModel):
    """One go2rtc node. The portal alone talks to its API; browsers reach only its WebRTC port."""

    name = models.CharField(max_length=100, unique=True)
    api_url = models.URLField("API URL", help_text="Private address of go2rtc's API, e.g. http://go2rtc:1984.")
    api_username = models.CharField("API username", max_length=100, blank=True)
    api_password = EncryptedTextField("API password", blank=True)
    rtsp_url = models.CharField(
        "RTSP restream URL", max_length=200, blank=True,
        help_text="Where workers read restreams for exports and motion, e.g. rtsp://go2rtc:8554.",
    )
    webrtc_address = models.CharField(
        "WebRTC address", max_length=200, blank=True,
        help_text="host:port browsers reach for media (go2rtc's webrtc candidate); documentation only.",
    )
    enabled = models.BooleanField(default=True, help_text="Disabled gateways get no new cameras.")

    objects = GatewayQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CameraStatus(models.TextChoices):
    UNKNOWN = "unknown", "Unknown"
    ONLINE = "online", "Online"
    OFFLINE = "offline", "Offline"


class Camera(TimeStampedModel):
    """One camera. Its sources and ONVIF credentials are encrypted at rest.

    ``public_id`` is the only identifier that leaves the server (URLs, API,
    WebSocket paths, gateway stream names).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    site = models.ForeignKey(Site, on_delete=models.CASCADE, related_name="cameras")
    gateway = models.ForeignKey(
        Gateway, null=True, blank=True, on_delete=models.PROTECT, related_name="cameras",
        help_text="The go2rtc node that carries this camera (least loaded by default).",
    )
    name = models.CharField(max_length=120)
    main_source = EncryptedTextField(help_text="rtsp:// or rtsps:// URL of the main stream.")
    sub_source = EncryptedTextField(blank=True, help_text="Optional lower-resolution stream for grids.")
    onvif_host = models.CharField("ONVIF host", max_length=253, blank=True)
    onvif_port = models.PositiveIntegerField(
        "ONVIF port", default=80, validators=[MinValueValidator(1), MaxValueValidator(65535)]
    )
    onvif_username = EncryptedTextField("ONVIF username", blank=True)
    onvif_password = EncryptedTextField("ONVIF password", blank=True)
    enabled = models.BooleanField(default=True)
    status = models.CharField(max_length=16, choices=CameraStatus.choices, default=CameraStatus.UNKNOWN)
    status_changed_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="site__organization", site="site", camera="pk")

    class Meta:
        ordering = ["site__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["site", "name"], name="unique_camera_name_per_site"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def organization_id(self) -> int:
        return self.site.organization_id

    @property
    def main_source_display(self) -> str:
        return mask_source(self.main_source)

    @property
    def sub_source_display(self) -> str:
        return mask_source(self.sub_source)

    @property
    def has_onvif(self) -> bool:
        return bool(self.onvif_host)


class SavedView(TimeStampedModel):
    """A person's named live grid: a layout and cameras in order, in one organization.

    ``cameras`` holds camera public ids as strings. They are checked through
    the access gate when saved and again when shown: a camera the person may
    no longer view is left out, silently.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=80)
    layout = models.CharField(max_length=8)
    cameras = models.JSONField(default=list)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organization", "name"], name="unique_saved_view_name"),
        ]

    def __str__(self) -> str:
        return self.name


class PTZCapabilities(models.Model):
    """What a camera's pan/tilt/zoom can do, as its ONVIF device last told a worker.

    Written only by the capabilities task (``cameras.ptz.device.refresh_capabilities``);
    the live view and the API offer only what is switched on here. Ranges are
    the device's own spaces, ``[min, max]`` per axis. The yes/no fields are
    ``cameras.ptz.vocabulary.PTZ_FEATURES`` (a test holds them together).
    """

    camera = models.OneToOneField(Camera, on_delete=models.CASCADE, related_name="ptz")
    continuous_pan_tilt = models.BooleanField(default=False)
    continuous_zoom = models.BooleanField(default=False)
    relative_pan_tilt = models.BooleanField(default=False)
    relative_zoom = models.BooleanField(default=False)
    absolute_pan_tilt = models.BooleanField(default=False)
    absolute_zoom = models.BooleanField(default=False)
    presets = models.BooleanField(default=False)
    home = models.BooleanField(default=False)
    max_presets = models.PositiveIntegerField(default=0)
    ranges = models.JSONField(default=dict, blank=True)
    timeout_range = models.JSONField(null=True, blank=True)
    profile_token = models.CharField(max_length=64, blank=True)
    device = models.JSONField(default=dict, blank=True, help_text="Manufacturer, model and firmware.")
    checked_at = models.DateTimeField(null=True, blank=True)
    error = models.CharField(max_length=300, blank=True, help_text="Why the last check failed, if it did.")
    # ONVIF has no capability for it: learned when the camera refuses, forgotten when the ONVIF settings change.
    remove_presets = models.BooleanField(default=True, help_text="False once the camera said it cannot delete presets.")
    remove_presets_refusal = models.CharField(max_length=300, blank=True, help_text="What the camera answered.")

    class Meta:
        verbose_name = "PTZ capabilities"
        verbose_name_plural = "PTZ capabilities"

    def __str__(self) -> str:
        return f"PTZ of {self.camera_id}"

    @property
    def supported(self) -> bool:
        return has_any_feature(self)


class PTZPreset(TimeStampedModel):
    """A named position stored on the camera itself (an ONVIF preset).

    ``token`` is the device's name for it: empty while a worker is still
    saving it on the camera. ``removing`` while a worker asks the camera to
    delete it: the row goes once the camera has, and stays if it refuses.
    Created and removed only through ``cameras.ptz.services``.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    camera = models.ForeignKey(Camera, on_delete=models.CASCADE, related_name="ptz_presets")
    name = models.CharField(max_length=64)
    token = models.CharField(max_length=64, blank=True)
    removing = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="camera__site__organization", site="camera__site", camera="camera")

    class Meta:
        ordering = ["name"]
        verbose_name = "PTZ preset"
        constraints = [
            models.UniqueConstraint(fields=["camera", "name"], name="unique_ptz_preset_name"),
            models.UniqueConstraint(
                fields=["camera", "token"], condition=~Q(token=""), name="unique_ptz_preset_token"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ready(self) -> bool:
        return bool(self.token)
