"""Camera and site forms for the portal pages and the admin.

Secret fields are write-only: they are never filled in when a form is shown,
and a blank secret on an edit form keeps the stored value.
"""

from __future__ import annotations

from typing import Any

from django import forms

from accounts.callers import Visitor
from accounts.forms import offer_choices
from accounts.roles import Action
from cameras import services
from cameras.models import Camera, Site
from cameras.source_probe import with_password
from cameras.sources import MAX_SOURCE_LENGTH, check_camera_source, without_password

KEEP_HELP = "Leave blank to keep the current value ({current})."


class SourceInput(forms.TextInput):
    """A source URL box that, after a failed submit, gives back what was typed minus its password.

    The person keeps the address, user and path they typed and only types
    the password again (in the password box beside it); a stored source is
    never shown (the form has no initial value for it).
    """

    def format_value(self, value: Any) -> str | None:
        return without_password(value) if isinstance(value, str) and value else None


PASSWORD_HELP = "Or leave it in the address. Never shown again; type it anew after an error."  # noqa: S105  (help text, not a password)


def _password_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label, max_length=200, required=False, help_text=PASSWORD_HELP,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )


class CameraForm(forms.Form):
    """Create or edit a camera. ``save()`` goes through ``cameras.services``."""

    name = forms.CharField(max_length=120)
    site = forms.ModelChoiceField(queryset=Site.objects.none(), to_field_name="public_id")
    main_source = forms.CharField(
        label="Main stream URL",
        max_length=MAX_SOURCE_LENGTH + 1,
        required=False,
        widget=SourceInput(attrs={"autocomplete": "off", "placeholder": "rtsp://user@192.168.1.20:554/stream1"}),
        help_text="rtsp:// or rtsps:// address of the camera's main stream, with the user name.",
    )
    main_password = _password_field("Main stream password")
    sub_source = forms.CharField(
        label="Sub stream URL (optional)",
        max_length=MAX_SOURCE_LENGTH + 1,
        required=False,
        widget=SourceInput(attrs={"autocomplete": "off"}),
        help_text="A lower-resolution stream used in grids.",
    )
    sub_password = _password_field("Sub stream password")
    remove_sub_source = forms.BooleanField(label="Remove the sub stream", required=False)
    onvif_host = forms.CharField(label="ONVIF host", max_length=253, required=False)
    onvif_port = forms.IntegerField(label="ONVIF port", min_value=1, max_value=65535, initial=80)
    # A user name is no secret: typed values come back after an error; the stored one is never shown.
    onvif_username = forms.CharField(
        label="ONVIF username", max_length=200, required=False, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    onvif_password = forms.CharField(
        label="ONVIF password",
        max_length=200,
        required=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )
    enabled = forms.BooleanField(required=False, initial=True)
    test_on_save = forms.BooleanField(
        label="Test the connection after saving", required=False, initial=True,
        help_text="The gateway tries the main stream once and the next page says how it went.",
    )

    def __init__(self, *args: Any, user: Visitor, instance: Camera | None = None, **kwargs: Any) -> None:
        self.user = user
        self.instance = instance
        if instance is not None:
            kwargs.setdefault("initial", self._initial_from(instance))
        super().__init__(*args, **kwargs)
        offer_choices(self, "site", Site.objects.for_user(user, Action.MANAGE).select_related("organization"))
        if instance is None:
            self.fields["main_source"].required = True
            del self.fields["remove_sub_source"]
        else:
            self._describe_kept_secrets(instance)

    @staticmethod
    def _initial_from(camera: Camera) -> dict[str, Any]:
        # Secrets are deliberately absent: they never travel to the browser.
        return {
            "name": camera.name,
            "site": camera.site.public_id,
            "onvif_host": camera.onvif_host,
            "onvif_port": camera.onvif_port,
            "enabled": camera.enabled,
        }

    def _describe_kept_secrets(self, camera: Camera) -> None:
        self.fields["main_source"].help_text = KEEP_HELP.format(current=camera.main_source_display)
        if camera.sub_source:
            self.fields["sub_source"].help_text = KEEP_HELP.format(current=camera.sub_source_display)
        else:
            del self.fields["remove_sub_source"]
        for field in ("onvif_username", "onvif_password"):
            if getattr(camera, field):
                self.fields[field].help_text = "Set; leave blank to keep it."

    def stream_fields(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """Each stream's address and password boxes, for the template's "Test connection" groups."""
        return [(stream, self[f"{stream}_source"], self[f"{stream}_password"]) for stream in ("main", "sub")]

    def _clean_source(self, field: str) -> str:
        value = self.cleaned_data[field]
        password = self.data.get(field.replace("_source", "_password"), "") if self.is_bound else ""
        return check_camera_source(with_password(value, password)) if value else value

    def clean_main_source(self) -> str:
        return self._clean_source("main_source")

    def clean_sub_source(self) -> str:
        return self._clean_source("sub_source")

    def changes(self) -> dict[str, Any]:
        """The service keyword arguments this form asks for (blank secrets kept)."""
        data = self.cleaned_data
        changes = {f: data[f] for f in ("name", "onvif_host", "onvif_port", "enabled")}
        for field in ("main_source", "sub_source", "onvif_username", "onvif_password"):
            if data.get(field):
                changes[field] = data[field]
        if data.get("remove_sub_source"):
            changes["sub_source"] = ""
        if not data.get("onvif_host"):
            changes.update(onvif_username="", onvif_password="")
        return changes

    def save(self, *, ip: str | None = None) -> Camera:
        site = self.cleaned_data["site"]
        if self.instance is None:
            return services.create_camera(self.user, site, ip=ip, **self.changes())
        return services.update_camera(self.user, self.instance, site=site, ip=ip, **self.changes())


class SiteForm(forms.ModelForm):
    class Meta:
        model = Site
        fields = ["name", "address", "timezone"]
        help_texts = {"timezone": "IANA name, e.g. Europe/Paris. Used for schedules."}

    def save_for(self, user: Visitor, organization: Any = None, *, ip: str | None = None) -> Site:
        fields = {f: self.cleaned_data[f] for f in self.Meta.fields}
        if self.instance.pk is None:
            return services.create_site(user, organization, ip=ip, **fields)
        return services.update_site(user, self.instance, ip=ip, **fields)


class CameraChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Camera) -> str:
        return f"{obj.site.name} / {obj.name}"
