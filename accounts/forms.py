"""Forms for the API token, organization and audit log pages (the member form: ``cameras.grants``).

Choices that name tenant data (audit actors) come from
querysets the views build through the access gate; the forms only narrow
them further. Writes go through ``accounts.services``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar, cast

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet

from accounts.models import User
from accounts.roles import TOKEN_ROLES, Role

T = TypeVar("T")


def add_service_errors(form: forms.BaseForm, exc: ValidationError | PermissionDenied) -> None:
    """Show an error raised by a service next to the field it names (or above the form)."""
    if isinstance(exc, PermissionDenied):
        form.add_error(None, str(exc) or "Your role does not allow this.")
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def save_or_add_errors(form: forms.BaseForm, save: Callable[[], T]) -> T | None:
    """Run a service call for a valid form; its refusals become inline form errors."""
    try:
        return save()
    except (ValidationError, PermissionDenied) as exc:
        add_service_errors(form, exc)
        return None


def _model_choice_field(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    field = form.fields[name]
    if not isinstance(field, forms.ModelChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a model choice field.")
    return field


def choices_of(form: forms.BaseForm, name: str) -> QuerySet:
    """The rows a model choice field of the form offers (``form.fields`` is typed as plain fields)."""
    queryset = _model_choice_field(form, name).queryset
    if queryset is None:
        raise TypeError(f"{type(form).__name__}.{name} has no queryset.")
    return queryset


def offer_choices(form: forms.BaseForm, name: str, queryset: QuerySet) -> None:
    """Set the rows a model choice field of the form offers."""
    _model_choice_field(form, name).queryset = queryset


class SetPasswordForm(forms.Form):
    """An invited person's first password, checked against the portal's password rules."""

    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label="Password (again)", strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "new-password"}))

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        elif first:
            try:
                # An unsaved user stands in, so "too similar to your e-mail" works for new accounts too.
                validate_password(first, user=User(email=self.email, username=self.email))
            except ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What uses this token, e.g. “VMS integration”.")
    role = forms.ChoiceField(
        choices=[(role.value, role.label) for role in TOKEN_ROLES],
        initial=Role.VIEWER,
        help_text="Tokens act with this role on the whole organization.",
    )


class GigabytesField(forms.DecimalField):
    """Typed in GB (10^9 bytes); the form's ``clean_*`` turns it into bytes."""

    def prepare_value(self, value: Any) -> Any:
        return Decimal(value) / 10**9 if isinstance(value, int) else value


class OrganizationForm(forms.Form):
    name = forms.CharField(max_length=120)
    require_mfa = forms.BooleanField(
        label="Members must use two-factor authentication",
        required=False,
        help_text="Members without an authenticator app are sent to set one up before they can use the portal.",
    )
    clip_retention_days = forms.IntegerField(
        label="Keep clips for (days)", min_value=1, max_value=3650, required=False,
        help_text="Exported clips are deleted, file and record, this many days after they were requested.",
    )
    clip_storage_quota_bytes = GigabytesField(
        label="Clip storage cap (GB)", required=False, min_value=Decimal("0.1"), decimal_places=1, max_digits=9,
        help_text="New clips are refused once the organization's clips would take more. Empty: no cap.",
    )

    def clean_clip_storage_quota_bytes(self) -> int | None:
        gigabytes = self.cleaned_data["clip_storage_quota_bytes"]
        return None if gigabytes is None else int(gigabytes * 10**9)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("clip_retention_days") is None:
            cleaned.pop("clip_retention_days", None)  # not sent: keep the current period
        return cleaned


class AuditFilterForm(forms.Form):
    """Narrows an audit queryset (already scoped by the view) by action and actor."""

    action = forms.ChoiceField(required=False)
    actor = forms.ChoiceField(required=False)

    def __init__(self, *args: Any, events: QuerySet, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        actions = events.order_by("action").values_list("action", flat=True).distinct()
        actors = events.order_by("actor_label").values_list("actor_label", flat=True).distinct()
        cast(forms.ChoiceField, self.fields["action"]).choices = [("", "All actions"), *((a, a) for a in actions)]
        cast(forms.ChoiceField, self.fields["actor"]).choices = [("", "Everyone"), *((a, a) for a in actors)]

    def filter(self, events: QuerySet) -> QuerySet:
        if self.cleaned_data.get("action"):
            events = events.filter(action=self.cleaned_data["action"])
        if self.cleaned_data.get("actor"):
            events = events.filter(actor_label=self.cleaned_data["actor"])
        return events
