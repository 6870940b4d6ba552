"""Admin for clips: read-only rows of the user's organizations; deletes go through the service."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from portal.admin_base import TenantScopedAdmin
from recordings import exports
from recordings.models import Clip


@admin.register(Clip)
class ClipAdmin(TenantScopedAdmin):
    list_display = (
        "camera_name", "organization", "duration", "status", "size", "requested_by_label", "created_at", "expires_at",
    )
    list_filter = ("status",)
    search_fields = ("camera_name", "requested_by_label")
    ordering = ("-created_at",)
    list_select_related = ("organization",)
    fields = (
        "public_id", "organization", "camera", "camera_name", "requested_by_label", "duration", "status", "reason",
        "started_at", "finished_at", "stored_as", "size", "sha256", "task_id", "created_at", "expires_at",
    )
    readonly_fields = fields

    @admin.display(description="stored as")
    def stored_as(self, clip: Clip) -> str:
        # The name only: a link would bypass the audited, permission-checked download.
        return clip.file.name or "—"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # clips are requested from a live camera, not typed in

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def delete_through_service(self, request: HttpRequest, obj: Clip) -> None:
        exports.delete_clip(request.user, obj, ip=self.ip(request))
