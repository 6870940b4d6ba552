"""The weekly schedule as form rows: one row per time window, a blank row to add one.

Shared by the camera's motion settings and the notification rules, so both
pages edit every window a schedule has (the API could always set several).
A row with nothing in it is skipped; ticking "Remove" drops a saved row.
Days without times mean all day; times without days mean every day. The
service checks the result again (``schedules.clean_schedule``).
"""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms

from recordings.schedules import DAY_NAMES, MAX_WINDOWS

DAY_CHOICES = [(number, name) for number, name in enumerate(DAY_NAMES)]
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
ALL_DAYS = list(range(7))


class WindowForm(forms.Form):
    days = forms.TypedMultipleChoiceField(
        choices=DAY_CHOICES, coerce=int, required=False, widget=forms.CheckboxSelectMultiple, label="Days",
    )
    start = forms.TimeField(required=False, widget=TIME_INPUT, label="From")
    end = forms.TimeField(required=False, widget=TIME_INPUT, label="Until")

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if ("start" in data and "end" in data) and (data["start"] is None) != (data["end"] is None):
            raise forms.ValidationError("Give both a start and an end time, or neither.")
        return data

    def window(self) -> dict[str, Any] | None:
        """The stored form of this row's window; None for a blank or removed row."""
        data = getattr(self, "cleaned_data", {})
        days, start, end = data.get("days") or [], data.get("start"), data.get("end")
        if data.get("DELETE") or (not days and start is None):
            return None
        start, end = start or time(0, 0), end or time(0, 0)
        return {"days": days or ALL_DAYS, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}


class BaseWindowFormSet(forms.BaseFormSet):
    default_error_messages = {"too_many_forms": "A schedule has at most %(num)d time windows."}


# Past max_num Django refuses the whole set with the message above rather than dropping rows.
WindowFormSet = forms.formset_factory(
    WindowForm, formset=BaseWindowFormSet, extra=1, can_delete=True, max_num=MAX_WINDOWS, validate_max=True,
)


class ScheduleWindowsMixin:
    """For a form that edits a schedule: call ``init_windows`` in ``__init__``."""

    windows: Any

    def init_windows(self, data: Any, schedule: list[dict[str, Any]] | None) -> None:
        initial = [{"days": window["days"], "start": window["start"], "end": window["end"]}
                   for window in schedule or []]
        self.windows = WindowFormSet(data, prefix="window", initial=initial)

    def is_valid(self) -> bool:
        fields_valid = super().is_valid()  # type: ignore[misc]
        return self.windows.is_valid() and fields_valid  # both run, so both show their errors

    def schedule(self) -> list[dict[str, Any]]:
        """Every window the rows describe, in order; call after ``is_valid``."""
        return [window for form in self.windows.forms if (window := form.window()) is not None]
