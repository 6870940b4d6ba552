"""Forms of the alert list and the camera's motion settings.

Camera and site choices come from querysets the views build through the
access gate. The settings form only parses what the browser sent (the
schedule's rows into windows, ``recordings.schedule_forms``); the checks
(ranges, mask polygons, the windows again) are the service's, and its
messages are shown next to the fields.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from accounts.forms import offer_choices
from cameras.models import Camera, Site
from recordings.clips.forms import CameraChoiceField
from recordings.models import MotionSettings
from recordings.schedule_forms import ScheduleWindowsMixin

ACKNOWLEDGED_CHOICES = [("", "Any"), ("no", "Not acknowledged"), ("yes", "Acknowledged")]


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


class SiteChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Site) -> str:
        return obj.name


class AlertFilterForm(forms.Form):
    camera = CameraChoiceField(queryset=Camera.objects.none(), to_field_name="public_id", required=False,
                               empty_label="All cameras")
    site = SiteChoiceField(queryset=Site.objects.none(), to_field_name="public_id", required=False,
                           empty_label="All sites")
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    acknowledged = forms.ChoiceField(choices=ACKNOWLEDGED_CHOICES, required=False)

    def __init__(self, *args: Any, cameras: QuerySet, sites: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_choices(self, "camera", cameras.select_related("site"))
        offer_choices(self, "site", sites)

    def ignored(self) -> list[str]:
        """Labels of the filters whose values were not understood (they are left out)."""
        return [str(self.fields[name].label or name).lower() for name in self.errors if name in self.fields]

    def active(self) -> bool:
        return any(self.cleaned_data.get(name) for name in self.fields)

    def filter(self, events: QuerySet) -> QuerySet:
        """Apply the filters that were understood (``is_valid`` must have run)."""
        data = self.cleaned_data
        if data.get("camera"):
            events = events.filter(camera=data["camera"])
        if data.get("site"):
            events = events.filter(camera__site=data["site"])
        if data.get("date_from"):
            events = events.filter(started_at__gte=_start_of(data["date_from"]))
        if data.get("date_to") and data["date_to"] < dt.date.max:  # the day after 9999-12-31 does not exist
            events = events.filter(started_at__lt=_start_of(data["date_to"] + dt.timedelta(days=1)))
        if data.get("acknowledged"):
            events = events.filter(acknowledged_at__isnull=data["acknowledged"] == "no")
        return events


def _json_list(value: str, what: str) -> list[Any]:
    if not value.strip():
        return []
    try:
        parsed = json.loads(value)
    except ValueError:
        raise ValidationError(f"The {what} could not be read; draw them again.") from None
    if not isinstance(parsed, list):
        raise ValidationError(f"The {what} could not be read; draw them again.")
    return parsed


class MotionSettingsForm(ScheduleWindowsMixin, forms.Form):
    """The detector's settings, masks (drawn in the page) and the schedule's windows (``form.windows``)."""

    enabled = forms.BooleanField(label="Detect motion on this camera", required=False)
    sensitivity = forms.IntegerField(
        widget=forms.NumberInput(attrs={"type": "range", "min": 1, "max": 100, "step": 1}),
        help_text="1 to 100: higher notices fainter changes.",
    )
    min_area = forms.FloatField(
        label="Minimum area (%)", widget=forms.NumberInput(attrs={"min": 0.01, "max": 100, "step": "any"}),
        help_text="Smallest moving region that counts, in percent of the picture.",
    )
    analysis_fps = forms.IntegerField(
        label="Analysis frames per second", widget=forms.NumberInput(attrs={"min": 1, "max": 15}),
        help_text="1 to 15. More notices quick movement sooner but costs more processing.",
    )
    cooldown_seconds = forms.IntegerField(
        label="Cooldown (seconds)", widget=forms.NumberInput(attrs={"min": 0, "max": 86400}),
        help_text="After an alert, further motion is recorded but not alerted for this long.",
    )
    masks = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any = None, *, current: MotionSettings, **kwargs: Any) -> None:
        """Bound to ``data`` when given; otherwise showing ``current``."""
        if data is None:
            kwargs.setdefault("initial", self._initial(current))
        super().__init__(data, **kwargs)
        self.init_windows(data, current.schedule)

    @staticmethod
    def _initial(current: MotionSettings) -> dict[str, Any]:
        return {
            "enabled": current.enabled,
            "sensitivity": current.sensitivity,
            "min_area": current.min_area,
            "analysis_fps": current.analysis_fps,
            "cooldown_seconds": current.cooldown_seconds,
            "masks": json.dumps(current.masks or []),
        }

    def clean_masks(self) -> list[Any]:
        return _json_list(self.cleaned_data["masks"], "masks")

    def values(self) -> dict[str, Any]:
        """What ``motion.update_settings`` takes; call after ``is_valid``."""
        data = self.cleaned_data
        names = ("enabled", "sensitivity", "min_area", "analysis_fps", "cooldown_seconds", "masks")
        return {**{name: data[name] for name in names}, "schedule": self.schedule()}

