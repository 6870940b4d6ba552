"""Shared pieces of the API: the scoped viewset base, scoped relation fields, error shapes.

Every viewset reaches tenant rows through ``ScopedViewSet.get_queryset()``,
which asks the access gate (``Model.objects.for_user``). Objects a caller
cannot see answer 404 whether they exist or not; objects a caller can see
but not change answer 403. Related ids in request bodies are resolved
through the gate as well, so a foreign id reads as "no such ...".
"""

from __future__ import annotations

import datetime
import json
import uuid
from typing import Any

import django_filters
from django import forms
from django.db import models
from django_filters.fields import IsoDateTimeField, RangeField
from django_filters.widgets import DateRangeWidget
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema_field
from rest_framework import exceptions, mixins, permissions, renderers, serializers, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import client_ip
from accounts.roles import Action
from accounts.scoping import ScopedQuerySet, organization_ids_for

# --- error shapes, for the schema --------------------------------------------


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in words a person can act on.")


class FieldErrorsSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="A summary; the field messages are next to it.")


class FieldErrorsSchema(OpenApiSerializerExtension):
    """Documents the ``{"detail": ..., "<field>": ["message", ...]}`` body of a 400."""

    target_class = FieldErrorsSerializer

    def map_serializer(self, auto_schema: Any, direction: str) -> dict[str, Any]:
        schema = auto_schema._map_basic_serializer(self.target, direction)
        schema["additionalProperties"] = {"type": "array", "items": {"type": "string"}}
        return schema


class TokenAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.api_auth.APITokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "An API token of one organization, sent as `Token <key>`.",
        }


_ERRORS = {
    400: OpenApiResponse(FieldErrorsSerializer, description="The input is not valid; see the field messages."),
    401: OpenApiResponse(ErrorSerializer, description="Not signed in, or the API token is invalid or revoked."),
    403: OpenApiResponse(ErrorSerializer, description="Your role does not allow this."),
    404: OpenApiResponse(ErrorSerializer, description="No such object among those you can see."),
    409: OpenApiResponse(ErrorSerializer, description="This clashes with an existing record."),
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    """The documented error responses for the given status codes (401 and 403 always)."""
    return {code: _ERRORS[code] for code in sorted({401, 403, *codes})}


PAGE_ERRORS = {
    400: _ERRORS[400],
    404: OpenApiResponse(ErrorSerializer, description="No such page: the list has fewer pages."),
}


class APISchema(AutoSchema):
    """The API's schema generator: every paginated list also documents its page errors (400 and 404)."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:
        bodies = super()._get_response_bodies(direction)
        if self.method == "GET" and self._is_list_view() and self._get_paginator() is not None:
            for code, response in PAGE_ERRORS.items():
                bodies.setdefault(str(code), self._get_response_for_code(response, str(code), direction=direction))
        return bodies


# Detail URLs of sites and cameras take any string, so a malformed id still
# gets the API's JSON 404; the schema documents the id as a UUID all the same.
PUBLIC_ID_PARAMETER = OpenApiParameter("id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The object's id.")


# The largest id a row can have: PostgreSQL's bigint and SQLite's integer both stop here. A larger number
# would fail inside the database driver (SQLite: OverflowError), so inputs are refused before that.
MAX_ID = 2**63 - 1
ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
ID_MESSAGE = f"Give an id: a whole number from 1 to {MAX_ID}."


class IdFormField(forms.IntegerField):
    """An integer id as a form (filter) value: a whole number in the range of the database's ids."""

    default_error_messages = {"invalid": ID_MESSAGE, "min_value": ID_MESSAGE, "max_value": ID_MESSAGE}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


@extend_schema_field(ID_SCHEMA)
class IdFilter(django_filters.NumberFilter):
    """Filter on a related row's integer id without looking the row up (no existence oracle).

    Every integer filter of the API is one of these (``tests/api/test_api_errors.py`` checks it).
    """

    field_class = IdFormField


DATETIME_MESSAGE = "Give an ISO 8601 date and time, such as 2026-03-01T08:00:00Z."
DATETIME_RANGE_MESSAGE = "Give a date and time between the years 1 and 9999, in UTC."


class UTCDateTimeFormField(IsoDateTimeField):
    """An ISO 8601 date and time as a filter value, turned to UTC before it reaches the database.

    Python accepts UTC offsets up to 23:59; PostgreSQL refuses anything beyond 15:59 (a DataError, so a
    500), and a time near year 1 or 9999 can leave Python's range once moved to UTC.
    """

    default_error_messages = {"invalid": DATETIME_MESSAGE}

    def to_python(self, value: Any) -> datetime.datetime | None:
        moment = super().to_python(value)
        if moment is None:
            return None
        try:
            return moment.astimezone(datetime.UTC)
        except OverflowError:
            raise forms.ValidationError(DATETIME_RANGE_MESSAGE, code="invalid") from None


class UTCDateTimeRangeField(RangeField):
    widget = DateRangeWidget

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__((UTCDateTimeFormField(), UTCDateTimeFormField()), *args, **kwargs)


class DateTimeFilter(django_filters.IsoDateTimeFilter):
    """Every date-and-time filter of the API is one of these two (``tests/api/test_api_errors.py`` checks it)."""

    field_class = UTCDateTimeFormField


class DateTimeRangeFilter(django_filters.IsoDateTimeFromToRangeFilter):
    field_class = UTCDateTimeRangeField


def id_field(**kwargs: Any) -> serializers.IntegerField:
    """An integer id in a request body, refused with a message when no row could have it."""
    messages = {"invalid": ID_MESSAGE, "min_value": ID_MESSAGE, "max_value": ID_MESSAGE}
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, error_messages=messages, **kwargs)


# --- relations resolved through the gate ---------------------------------------


class _ScopedRelation:
    """Mixin: the choices are the rows the caller may act on with ``action``."""

    action: str

    def get_queryset(self) -> ScopedQuerySet:
        request = self.context["request"]  # type: ignore[attr-defined]
        return self.queryset.model.objects.for_user(request.user, self.action)  # type: ignore[attr-defined]


class ScopedPublicIdField(_ScopedRelation, serializers.SlugRelatedField):
    """A related object named by its ``public_id``; foreign, missing and malformed ids read alike."""

    def __init__(self, model: type[models.Model], *, action: str = Action.MANAGE, noun: str, **kwargs: Any) -> None:
        self.action = action
        message = f"No such {noun} among those you can manage."
        kwargs["error_messages"] = {"does_not_exist": message, "invalid": message, **kwargs.get("error_messages", {})}
        super().__init__(slug_field="public_id", queryset=model.objects.none(), **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        try:
            uuid.UUID(str(data))
        except ValueError:
            self.fail("does_not_exist")
        return super().to_internal_value(data)


class ScopedPrimaryKeyField(_ScopedRelation, serializers.PrimaryKeyRelatedField):
    """A related object named by its integer id, resolved through the gate."""

    def __init__(self, model: type[models.Model], *, action: str = Action.MANAGE, noun: str, **kwargs: Any) -> None:
        self.action = action
        message = f"No such {noun} among those you can manage."
        kwargs["error_messages"] = {"does_not_exist": message, "incorrect_type": message}
        super().__init__(queryset=model.objects.none(), **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        # The database would quietly read 1.5 or "1.0" as 1.
        if isinstance(data, bool) or not (isinstance(data, int) or (isinstance(data, str) and data.isdigit())):
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


# --- files ---------------------------------------------------------------------------


class BinaryRenderer(renderers.BaseRenderer):
    """Lets a client ask for a file's own type (``Accept``) where a view answers the file itself.

    Errors of such a view are still JSON and say so (``ScopedViewSet.finalize_response``).
    """

    charset = None
    render_style = "binary"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        return data if isinstance(data, bytes) else json.dumps(data).encode()


class JPEGRenderer(BinaryRenderer):
    media_type = "image/jpeg"
    format = "jpg"


class MP4Renderer(BinaryRenderer):
    media_type = "video/mp4"
    format = "mp4"


# --- the viewset base --------------------------------------------------------------


class CanCreateSomewhere(permissions.BasePermission):
    """Creating needs the write action in at least one organization.

    Which organization or site is then checked on the body, through the gate;
    this only gives a viewer a plain 403 instead of "no such site".
    """

    message = "Your role does not allow this."

    def has_permission(self, request: Request, view: Any) -> bool:
        if view.action != "create":
            return True
        return bool(request.user.is_superuser or organization_ids_for(request.user, view.write_action))


CRUD_MIXINS = (
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
)


class ScopedViewSet(viewsets.GenericViewSet):
    """Base of every tenant-data viewset.

    ``queryset`` only names the model (it is empty on purpose). Lists hold
    ``for_user(request.user, read_action)``. A detail URL first needs the
    object to be visible (``view``), else 404; then ``read_action`` for safe
    methods or ``write_action`` for unsafe ones, else 403.
    """

    queryset: models.QuerySet = None  # type: ignore[assignment]
    read_action: str = Action.VIEW
    write_action: str = Action.MANAGE
    denied_message = "Your role does not allow this."
    permission_classes = [permissions.IsAuthenticated, CanCreateSomewhere]

    def base_queryset(self) -> ScopedQuerySet:
        return self.queryset.model.objects.all()

    def scoped(self, action: str) -> models.QuerySet:
        return self.base_queryset().for_user(self.request.user, action)

    def get_queryset(self) -> models.QuerySet:
        return self.scoped(self.read_action)

    def get_object(self) -> Any:
        lookup_value = self.kwargs[self.lookup_url_kwarg or self.lookup_field]
        obj = get_object_or_404(self.scoped(Action.VIEW), **{self.lookup_field: lookup_value})
        needed = self.read_action if self.request.method in permissions.SAFE_METHODS else self.write_action
        if needed != Action.VIEW and not self.scoped(needed).filter(pk=obj.pk).exists():
            raise exceptions.PermissionDenied(self.denied_message)
        self.check_object_permissions(self.request, obj)
        return obj

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Any:
        # An error body is JSON even when the client asked for a file's type (its 404 was labelled image/jpeg).
        renderer = getattr(request, "accepted_renderer", None)
        if isinstance(response, Response) and response.status_code >= 400 and isinstance(renderer, BinaryRenderer):
            request.accepted_renderer, request.accepted_media_type = renderers.JSONRenderer(), "application/json"
        return super().finalize_response(request, response, *args, **kwargs)

    def refetch(self, obj: models.Model) -> Any:
        """The written object as the caller now sees it (annotations included).

        A caller who just took their own right away (an admin demoting
        themselves) no longer sees it; they get back what they wrote.
        """
        return self.get_queryset().filter(pk=obj.pk).first() or obj

    @property
    def ip(self) -> str | None:
        return client_ip(self.request)
