"""The recording settings form of the camera page; saving is ``services.update_settings``'s job."""

from __future__ import annotations

from typing import Any

from django import forms

from recordings.footage.models import RecordingSettings
from recordings.footage.services import SETTING_FIELDS


class RecordingSettingsForm(forms.ModelForm):
    class Meta:
        model = RecordingSettings
        fields = SETTING_FIELDS
        labels = {
            "mode": "Record", "stream": "Stream", "pre_roll_seconds": "Pre-roll (seconds)",
            "post_roll_seconds": "Post-roll (seconds)", "continuous_retention_days": "Keep continuous footage (days)",
            "event_retention_days": "Keep event footage (days)",
        }  # fmt: skip

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in SETTING_FIELDS}

    def _post_clean(self) -> None:
        """Leave model validation to the service: the form only reads the fields."""
