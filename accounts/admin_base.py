"""Base classes for the Django admin: tenant scoping through the one access gate.

What the admin does for a staff user who is owner or admin of some
organizations (``TenantScopedAdmin``):

- Rows come from ``Model.objects.for_user(user, "manage")``: changelists,
  change and delete pages, foreign-key and many-to-many choices, autocomplete
  answers and list filters only ever hold rows of the user's organizations.
  Superusers see everything.
- Rights come from the gate, not from Django model permissions: staff plus a
  manage grant (owner or admin somewhere) may view, add, change and delete
  what the gate lets them manage. A staff viewer or operator sees no models;
  non-staff users never get past the admin login (Django's own rule).
- The change, delete, history and password URLs of a row the user may not
  manage answer 404, exactly like a row that does not exist. (Django's
  default redirects to the index with a "doesn't exist" message for a missing
  row and answers 403 for an existing one it refuses; every case now gets the
  same bare 404, which names nothing.) The same holds for the superuser-only
  models (people, gateways) seen by other staff, and for the "view on site"
  shortcut ``/admin/r/<content type>/<id>/`` (``view_on_site``), whose
  Django version looks rows up in every model, unscoped, and says why it
  failed when DEBUG is on. Autocomplete answers come from the scoped
  querysets, so a foreign row is as absent there as a missing one.
- Writes go through the services. The admin calls its service while the form
  is validated (``ServiceForm.full_clean``), so the service's checks, its
  in-transaction visibility re-check and its audit event are those of the
  pages and the API, and a ``ValidationError`` or ``PermissionDenied`` from it
  becomes a form error with nothing saved. Deletes, one or in bulk, call the
  service for each row; a refusal rolls the whole request back and is shown
  as an error message.

This module lives in ``accounts``, next to the gate it applies, so that
``portal`` stays below every app (``tests/test_import_graph.py``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect

from accounts.audit import client_ip
from accounts.roles import Action
from accounts.scoping import can, organization_ids_for

DENIED = "Your role does not allow this."


class ServiceRefused(Exception):
    """A service refused a delete or an action; the admin shows why and changes nothing."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(" ".join(reasons))
        self.reasons = reasons


def refusal_reasons(exc: ValidationError | PermissionDenied) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc) or DENIED]


class WriteOnlyTextInput(forms.TextInput):
    """A text input that never renders a value, not even the one just submitted."""

    def format_value(self, value: Any) -> None:
        return None


class ServiceForm(forms.ModelForm):
    """A model form whose write is its admin's service call, made once the form is valid.

    ``get_form`` binds ``model_admin``, ``admin_request`` and ``admin_change``;
    ``saved_object`` is what the service returned.
    """

    model_admin: TenantScopedAdmin | None = None
    admin_request: HttpRequest | None = None
    admin_change = False
    saved_object: models.Model | None = None

    def full_clean(self) -> None:
        super().full_clean()
        if not self.is_bound or self._errors or self.model_admin is None:
            return
        # Writing here rather than in save_model lets a refusal by the service
        # be shown on the form; the admin's transaction is still open.
        try:
            self.saved_object = self.model_admin.save_through_service(self.admin_request, self, self.admin_change)
        except (ValidationError, PermissionDenied) as exc:
            self._add_refusal(exc)

    def _add_refusal(self, exc: ValidationError | PermissionDenied) -> None:
        if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, refusal_reasons(exc))


NOT_FOUND = "Not found."


class SuperuserOnlyAdmin(admin.ModelAdmin):
    """Platform-level models (people, gateways): superusers only, whatever their model permissions.

    To anyone else every row is as absent as a missing one: 404, not 403.
    """

    @staticmethod
    def _superuser(request: HttpRequest) -> bool:
        user = request.user
        return bool(user.is_active and user.is_staff and user.is_superuser)

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        queryset = super().get_queryset(request)
        return queryset if self._superuser(request) else queryset.none()

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> models.Model:
        obj = super().get_object(request, object_id, from_field) if self._superuser(request) else None
        if obj is None:
            raise Http404(NOT_FOUND)
        return obj

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._superuser(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._superuser(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._superuser(request)


class TenantScopedAdmin(admin.ModelAdmin):
    """Admin for tenant data, scoped by ``for_user(user, "manage")`` (see the module docstring).

    Subclasses implement ``save_through_service`` and ``delete_through_service``.
    They have no inlines: the service saves the object and its relations.
    """

    form = ServiceForm
    scope_action = Action.MANAGE

    # --- what the user may see -------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> models.QuerySet:
        return super().get_queryset(request).for_user(request.user, self.scope_action)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> models.Model:
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(NOT_FOUND)
        return obj

    def scoped_choices(self, request: HttpRequest, model: type[models.Model]) -> models.QuerySet:
        """Rows of ``model`` the user may pick in a form; none for unscoped models unless superuser."""
        queryset = model._default_manager.all()
        if hasattr(queryset, "for_user"):
            return queryset.for_user(request.user, self.scope_action)
        return queryset if request.user.is_superuser else queryset.none()

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("queryset", self.scoped_choices(request, db_field.remote_field.model))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        kwargs.setdefault("queryset", self.scoped_choices(request, db_field.remote_field.model))
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # --- what the user may do ------------------------------------------------------

    def has_manage_grant(self, request: HttpRequest) -> bool:
        """Staff, and owner or admin of at least one organization (or a superuser)."""
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        if user.is_superuser:
            return True
        if not hasattr(request, "_admin_manage_grant"):
            request._admin_manage_grant = bool(organization_ids_for(user, Action.MANAGE))  # type: ignore[attr-defined]
        return request._admin_manage_grant  # type: ignore[attr-defined]

    def _allowed(self, request: HttpRequest, obj: models.Model | None) -> bool:
        return self.has_manage_grant(request) and (obj is None or can(request.user, self.scope_action, obj))

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_manage_grant(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self.has_manage_grant(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request, obj)

    # --- writes through the services ---------------------------------------------

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        bound = {"model_admin": self, "admin_request": request, "admin_change": change}
        return type(form.__name__, (form,), bound)

    def save_through_service(self, request: HttpRequest, form: ServiceForm, change: bool) -> models.Model:
        """Create or update through the service with ``form.cleaned_data``; return the saved object."""
        raise NotImplementedError

    def delete_through_service(self, request: HttpRequest, obj: Any) -> None:
        raise NotImplementedError

    @staticmethod
    def ip(request: HttpRequest) -> str | None:
        return client_ip(request)

    def save_form(self, request: HttpRequest, form: Any, change: bool) -> Any:
        return form.saved_object

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Nothing left to do: the service saved while the form was validated."""

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Nothing left to do: the service set the relations too."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        try:
            self.delete_through_service(request, obj)
        except (ValidationError, PermissionDenied) as exc:
            raise ServiceRefused(refusal_reasons(exc)) from exc

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet) -> None:
        for obj in queryset:
            self.delete_model(request, obj)

    def delete_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> HttpResponse:
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceRefused as refusal:
            return self._refused(request, refusal)

    def changelist_view(self, request: HttpRequest, extra_context: Any = None) -> HttpResponse:
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        # Actions (bulk delete, revoke) run row by row through the services:
        # one refusal undoes the whole batch, admin log entries included.
        try:
            with transaction.atomic():
                return super().changelist_view(request, extra_context)
        except ServiceRefused as refusal:
            return self._refused(request, refusal)

    def _refused(self, request: HttpRequest, refusal: ServiceRefused) -> HttpResponse:
        for reason in refusal.reasons:
            self.message_user(request, reason, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


def view_on_site(request: HttpRequest, content_type_id: str, object_id: str) -> HttpResponse:
    """The admin's "view on site" shortcut, answering only for rows the user's admin shows.

    Django's own looks the row up in any model, unscoped, and (with DEBUG on)
    says whether it was missing or merely had no page. Here every refusal is
    the same 404: unknown model, model not in the admin or not for this user,
    row missing or out of scope, row without a page.
    """
    try:
        model = ContentType.objects.get_for_id(int(content_type_id)).model_class()
    except (ContentType.DoesNotExist, ValueError):
        raise Http404(NOT_FOUND) from None
    model_admin = admin.site._registry.get(model) if model is not None else None
    if model_admin is None or not model_admin.has_view_or_change_permission(request):
        raise Http404(NOT_FOUND)
    try:
        obj = model_admin.get_queryset(request).get(pk=object_id)
    except (ObjectDoesNotExist, ValueError, ValidationError):
        raise Http404(NOT_FOUND) from None
    get_absolute_url = getattr(obj, "get_absolute_url", None)
    if get_absolute_url is None:
        raise Http404(NOT_FOUND)
    return HttpResponseRedirect(get_absolute_url())
