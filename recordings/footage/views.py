"""The camera's recording settings page (owners and admins: ``manage`` on the camera)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from accounts.audit import client_ip
from accounts.forms import save_or_add_errors
from accounts.roles import Action
from accounts.scoping import access
from accounts.views import GET_POST
from cameras.models import Camera
from recordings.footage import health, services
from recordings.footage.forms import RecordingSettingsForm


@login_required
@GET_POST
def camera_recording(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    camera = access(Camera, request.user, public_id, Action.MANAGE, related=("recording_health",))
    current = services.settings_for(camera)
    form = RecordingSettingsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        saved = save_or_add_errors(form, lambda: services.update_settings(
            request.user, camera.public_id, ip=client_ip(request), **form.values()))
        if saved is not None:
            messages.success(request, f"Recording settings of “{camera.name}” saved.")
            return redirect("camera_recording", public_id=camera.public_id)
    policy = services.policy_for(camera.site.organization_id)
    context = {"camera": camera, "form": form, "policy": policy, "health": health.view_for(camera)}
    return render(request, "footage/camera_recording.html", context)
