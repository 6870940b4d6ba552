"""The API's bases that apply the access gate: the scoped viewset base and scoped relation fields.

Every viewset reaches tenant rows through ``ScopedViewSet.get_queryset()``,
which asks the access gate (``Model.objects.for_user``). Objects a caller
cannot see answer 404 whether they exist or not; objects a caller can see
but not change answer 403. Related ids in request bodies are resolved
through the gate as well, so a foreign id reads as "no such ...".

They live in ``accounts``, next to the gate, so that ``portal`` (the
gate-free pieces: error shapes, ids, filters, renderers in
``portal/api_base.py``) stays below every app.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.db import models
from rest_framework import exceptions, permissions, renderers, serializers, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from accounts.audit import client_ip
from accounts.roles import Action
from accounts.scoping import ScopedQuerySet, organization_ids_for
from portal.api_base import BinaryRenderer

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
