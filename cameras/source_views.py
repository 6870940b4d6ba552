"""The camera form's "Test connection": a JSON endpoint, and the same test after a save.

Thin on purpose: ``cameras.source_probe`` holds the checks and the probe.
Order matters and is the point of this module: the access gate (manage
right; a foreign camera is 404), then the person's allowance, then the
source's checks, and only then the gateway.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_POST

from accounts.models import Organization
from accounts.roles import Action
from accounts.scoping import access
from accounts.views import organization_page
from cameras import source_probe
from cameras.models import Camera

STREAMS = ("main", "sub")
MAX_PASSWORD_LENGTH = 200
GATEWAY_DOWN = "The video gateway cannot be reached right now, so the connection was not tested. Try again shortly."


@organization_page(Action.MANAGE)
@require_POST
def test_new_source(request: HttpRequest, organization: Organization) -> JsonResponse:
    """Test a source typed on the "New camera" form."""
    return _test(request, None)


@login_required
@require_POST
def test_camera_source(request: HttpRequest, public_id: str) -> JsonResponse:
    """Test a source typed on a camera's edit form; a blank address tests the stored one."""
    camera = access(Camera, request.user, public_id, Action.MANAGE, related=("gateway",))
    return _test(request, camera)


def _refuse(status: int, message: str, **extra: Any) -> JsonResponse:
    return JsonResponse({"detail": message, **extra}, status=status)


def _test(request: HttpRequest, camera: Camera | None) -> JsonResponse:
    wait = source_probe.wait_before_next_test(request.user.pk)
    if wait:
        response = _refuse(429, f"Too many connection tests; wait {wait} seconds and try again.")
        response["Retry-After"] = str(wait)
        return response
    try:
        payload = json.loads(request.body or b"{}")
    except (ValueError, UnicodeDecodeError):
        return _refuse(400, "Send the stream, address and password as JSON.")
    if not isinstance(payload, dict):
        return _refuse(400, "Send the stream, address and password as a JSON object.")
    stream = payload.get("stream", "main")
    source, password = payload.get("source", ""), payload.get("password", "")
    if stream not in STREAMS:
        return _refuse(400, "Choose the main or the sub stream to test.")
    if not isinstance(source, str) or not isinstance(password, str):
        return _refuse(400, "The address and the password must be text.")
    if len(password) > MAX_PASSWORD_LENGTH:
        return _refuse(400, f"The password is too long (at most {MAX_PASSWORD_LENGTH} characters).")
    stored = getattr(camera, f"{stream}_source", "") if camera is not None else ""
    field = f"{stream}_source"
    try:
        checked = source_probe.source_to_test(source.strip(), password, stored)
        result = source_probe.probe_source(checked, source_probe.gateway_for(camera))
    except ValidationError as refused:
        return _refuse(400, refused.messages[0], field=field)
    except source_probe.GatewayUnavailable:
        return _refuse(503, GATEWAY_DOWN)
    return JsonResponse(result.as_json())


def report_after_save(request: HttpRequest, camera: Camera) -> None:
    """Test the saved camera's main stream and say how it went, as a page message (the save stands either way)."""
    if source_probe.wait_before_next_test(request.user.pk):
        messages.info(request, "The connection was not tested: too many tests in the last minute.")
        return
    try:
        result = source_probe.probe_source(source_probe.source_to_test("", "", camera.main_source), camera.gateway)
    except ValidationError as refused:
        messages.warning(request, f"Connection test: {refused.messages[0]}")
        return
    except source_probe.GatewayUnavailable:
        messages.warning(request, GATEWAY_DOWN)
        return
    level = messages.success if result.ok else messages.warning
    level(request, f"Connection test: {result.message}")
