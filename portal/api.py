"""API-wide pieces: the error format, also for URLs under /api/ that no route matches."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger(__name__)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler, plus Django's ValidationError and integrity clashes as 400s.

    Every error body has a ``detail`` a person can read; field errors keep
    DRF's ``{"field": ["message"]}`` shape next to it.
    """
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
    elif isinstance(exc, IntegrityError):
        logger.warning("integrity error in API call: %s", exc.__class__.__name__)
        return Response(
            {"detail": "This conflicts with an existing record (a name may already be taken)."},
            status=status.HTTP_409_CONFLICT,
        )
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Not found.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or "Your role does not allow this.")
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.ValidationError):
        response.data = field_errors(response.data)
    return response


FIELDS_SUMMARY = "Some fields are not valid; see the field messages."


def field_errors(errors: Any) -> dict[str, Any]:
    """A 400's body in the one documented shape: ``{"detail": "...", "<field>": ["message", ...]}``.

    DRF nests the messages of list items and nested objects
    (``{"sites": {"0": ["Must be a valid UUID."]}}``); they are flattened
    under their top-level field, each saying where it belongs ("Item 1: ...").
    """
    if not isinstance(errors, dict):
        return {"detail": " ".join(_messages(errors))}
    flat = {field: _messages(value) for field, value in errors.items() if field != "detail"}
    detail = " ".join(_messages(errors["detail"])) if "detail" in errors else FIELDS_SUMMARY
    return {"detail": detail, **{field: messages for field, messages in flat.items() if messages}}


def _messages(errors: Any, where: str = "") -> list[str]:
    if isinstance(errors, dict):
        return [message for key, value in errors.items() for message in _messages(value, _within(where, key))]
    if isinstance(errors, list | tuple):
        if any(isinstance(item, dict | list | tuple) for item in errors):
            return [message for index, item in enumerate(errors) for message in _messages(item, _within(where, index))]
        return [f"{where}: {item}" if where else str(item) for item in errors]
    return [f"{where}: {errors}" if where else str(errors)]


def _within(where: str, key: Any) -> str:
    if str(key) == "non_field_errors":
        return where
    place = f"Item {int(key) + 1}" if str(key).isdigit() else str(key)
    return f"{where}, {place}" if where else place


def _is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """``handler404``: under /api/ the API's JSON body, whatever the URL (``/cameras/0.5/motion/``); else the page."""
    if _is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)


def server_error(request: HttpRequest) -> HttpResponse:
    """``handler500``: under /api/ a JSON body with a ``detail``, as every other API error; else the page."""
    if _is_api(request):
        return JsonResponse({"detail": "Something went wrong on our side; it has been logged."}, status=500)
    return defaults.server_error(request)
