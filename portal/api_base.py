"""Shared pieces of the API that know nothing of the access gate: error shapes, ids, filters, renderers.

The gate-applying bases (``ScopedViewSet``, the scoped relation fields)
live in ``accounts/scoped_api.py``, next to the gate they apply: ``portal``
sits below ``accounts`` and imports none of it.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

import django_filters
from django import forms
from django_filters.fields import IsoDateTimeField, RangeField
from django_filters.widgets import DateRangeWidget
from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import mixins, renderers, serializers

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


def read_schemas(serializer: Any, *, list_summary: str, list_description: str, one_summary: str,
                 one_description: str) -> dict[str, Any]:
    """The ``list`` and ``retrieve`` entries of ``extend_schema_view`` for a viewset read by public id.

    Every such viewset documents the same shape: the list (400 for a bad
    filter) and one object (404 for an id you cannot see).
    """
    return {
        "list": extend_schema(summary=list_summary, description=list_description,
                              responses={200: serializer, **errors(400)}),
        "retrieve": extend_schema(summary=one_summary, description=one_description,
                                  parameters=[PUBLIC_ID_PARAMETER], responses={200: serializer, **errors(404)}),
    }


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


# --- files ---------------------------------------------------------------------------


class BinaryRenderer(renderers.BaseRenderer):
    """Lets a client ask for a file's own type (``Accept``) where a view answers the file itself.

    Errors of such a view are still JSON and say so (``accounts.scoped_api.ScopedViewSet.finalize_response``).
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


# The viewset actions of a full CRUD resource (the gate-applying base is accounts.scoped_api.ScopedViewSet).
CRUD_MIXINS = (
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
)
