"""Forms of the clip pages. Camera choices come from querysets the views build through the gate."""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from accounts.forms import offer_choices
from cameras.models import Camera
from recordings.clips.services import duration_choices
from recordings.models import ClipStatus


class CameraChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Camera) -> str:
        return f"{obj.site.name} / {obj.name}"


class ClipFilterForm(forms.Form):
    camera = CameraChoiceField(queryset=Camera.objects.none(), to_field_name="public_id", required=False,
                               empty_label="All cameras")
    status = forms.ChoiceField(choices=[("", "Any status"), *ClipStatus.choices], required=False)
    date_from = forms.DateField(label="From", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label="To", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, cameras: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        offer_choices(self, "camera", cameras.select_related("site"))

    def filter(self, clips: QuerySet) -> QuerySet:
        data = self.cleaned_data
        if data.get("camera"):
            clips = clips.filter(camera=data["camera"])
        if data.get("status"):
            clips = clips.filter(status=data["status"])
        if data.get("date_from"):
            clips = clips.filter(created_at__gte=_start_of(data["date_from"]))
        if data.get("date_to") and data["date_to"] < dt.date.max:  # the day after 9999-12-31 does not exist
            clips = clips.filter(created_at__lt=_start_of(data["date_to"] + dt.timedelta(days=1)))
        return clips


def _start_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_current_timezone())


class ClipRequestForm(forms.Form):
    """The "Record clip" control without JavaScript; the service checks the camera and the quota."""

    camera = forms.UUIDField(widget=forms.HiddenInput)
    duration = forms.TypedChoiceField(coerce=int, choices=())

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.TypedChoiceField, self.fields["duration"]).choices = duration_choices()
