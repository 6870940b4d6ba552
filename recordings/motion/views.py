"""Motion alert pages: the alert list, acknowledging, snapshots, the badge count, camera settings.

Events come through the access gate (``for_user`` and ``access``);
acknowledging and settings go through ``recordings.motion.services``, snapshot files
through ``recordings.clips.downloads``.
"""

from __future__ import annotations

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from accounts.audit import client_ip
from accounts.forms import add_service_errors
from accounts.roles import Action
from accounts.scoping import access
from accounts.views import GET_POST
from cameras.models import Camera, Site
from recordings.clips import downloads, range_exports
from recordings.models import MotionEvent
from recordings.motion import alerts
from recordings.motion import services as motion
from recordings.motion.forms import AlertFilterForm, MotionSettingsForm

PAGE_SIZE = 25
URL_PLACEHOLDER = "00000000-0000-0000-0000-000000000000"


def _highlighted(request: HttpRequest, events: QuerySet) -> MotionEvent | None:
    """The event named by ``?event=``, if it is in the (filtered) list; says so when it is not."""
    raw = request.GET.get("event", "").strip()
    if not raw:
        return None
    try:
        event = events.filter(public_id=uuid.UUID(raw)).first()
    except ValueError:
        event = None
    if event is None:
        messages.info(request, "That alert is not in this list: it may have been removed, or the filters hide it.")
    return event


def _page_config(request: HttpRequest, live: bool) -> str:
    """What alerts.js needs to add and update rows on this page (JSON for a data attribute)."""
    can_ack = Camera.objects.for_user(request.user, Action.ACKNOWLEDGE) if live else Camera.objects.none()
    return json.dumps({
        "live": live,
        "ackUrl": reverse("motion_acknowledge", args=[URL_PLACEHOLDER]).replace(URL_PLACEHOLDER, "{event}"),
        "ackCameras": [str(public_id) for public_id in can_ack.values_list("public_id", flat=True)],
        "next": request.get_full_path(),
    })


@login_required
@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    events = MotionEvent.objects.for_user(user, Action.VIEW).select_related("camera", "camera__site")
    form = AlertFilterForm(
        request.GET or None,
        cameras=Camera.objects.for_user(user, Action.VIEW),
        sites=Site.objects.for_user(user, Action.VIEW),
    )
    filtered = False
    if form.is_bound:
        form.is_valid()
        if form.ignored():
            messages.warning(request, f"Ignored the filters that were not understood: {', '.join(form.ignored())}.")
        events, filtered = form.filter(events), form.active()
    highlighted = _highlighted(request, events)
    page_number = request.GET.get("page")
    if highlighted is not None and not page_number:
        page_number = alerts.position_of(events, highlighted) // PAGE_SIZE + 1
    page = Paginator(events, PAGE_SIZE).get_page(page_number)
    rows = list(page.object_list)
    acknowledgeable = set(
        MotionEvent.objects.for_user(user, Action.ACKNOWLEDGE)
        .filter(pk__in=[event.pk for event in rows])
        .values_list("pk", flat=True)
    )
    exportable = set(
        MotionEvent.objects.for_user(user, Action.EXPORT)
        .filter(pk__in=[event.pk for event in rows], camera__isnull=False)
        .values_list("pk", flat=True)
    )
    badge_since = alerts.badge_since()
    for event in rows:
        event.can_acknowledge = event.pk in acknowledgeable
        event.can_export = event.pk in exportable
        event.counted = alerts.in_badge(event, badge_since)
    live = page.number == 1 and not filtered
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "filtered": filtered,
        "highlighted": highlighted,
        "alerts_config": _page_config(request, live),
        # "Acknowledge all shown" acts on exactly these rows, never on rows the person did not see.
        "open_rows": [event for event in rows if event.can_acknowledge and not event.is_acknowledged],
        "max_bulk": motion.MAX_BULK,
    }
    return render(request, "recordings/alert_list.html", context)


def _back(request: HttpRequest, event_id: str) -> HttpResponse:
    target = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return redirect(target)
    return redirect(reverse("alert_list") + (f"?event={event_id}" if event_id else ""))


@login_required
@require_POST
def motion_acknowledge(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Acknowledge an alert (404 if not visible, 403 without the acknowledge right)."""
    try:
        event = motion.acknowledge(request.user, public_id, request.POST.get("note", ""), ip=client_ip(request))
    except motion.AlreadyAcknowledged as exc:
        messages.info(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Alert on “{event.camera_name}” acknowledged.")
    return _back(request, str(public_id))


@login_required
@require_POST
def motion_export(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Export the alert's footage with its pre- and post-roll as a clip (``export`` on the camera)."""
    try:
        clip = range_exports.export_motion_event(request.user, public_id, ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, "Could not export this alert: " + " ".join(exc.messages))
        return _back(request, str(public_id))
    messages.success(request, f"Exporting {clip.duration} s of “{clip.camera_name}” around the alert: "
                              "it is listed under Clips, ready to download in a moment.")
    return redirect(reverse("clip_list") + f"?camera={clip.camera.public_id}")


@login_required
@require_POST
def motion_acknowledge_many(request: HttpRequest) -> HttpResponse:
    """Acknowledge the ticked alerts, or every alert the page showed ("all shown"), with one note."""
    chosen = request.POST.getlist("shown" if request.POST.get("scope") == "shown" else "event")
    try:
        result = motion.acknowledge_many(request.user, chosen, request.POST.get("note", ""), ip=client_ip(request))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        for level, text in alerts.bulk_summary(result):
            messages.add_message(request, level, text)
    return _back(request, "")


@login_required
@require_GET
def motion_snapshot(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    event = access(MotionEvent, request.user, public_id, Action.VIEW)
    return downloads.snapshot_response(event)


@login_required
@require_GET
def alert_badge(request: HttpRequest) -> JsonResponse:
    """The badge count, for alerts.js to resynchronise after the event stream was down."""
    response = JsonResponse({"count": alerts.unacknowledged_count(request.user), "cap": alerts.BADGE_CAP})
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@GET_POST
def camera_motion(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The camera's motion detection settings (owners and admins: ``manage`` on the camera)."""
    camera = access(Camera, request.user, public_id, Action.MANAGE)
    current = motion.settings_for(camera)
    if request.method == "POST":
        form = MotionSettingsForm(request.POST, current=current)
        if form.is_valid():
            try:
                motion.update_settings(request.user, camera.public_id, ip=client_ip(request), **form.values())
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, f"Motion detection settings of “{camera.name}” saved.")
                return redirect("camera_motion", public_id=camera.public_id)
    else:
        form = MotionSettingsForm(current=current)
    context = {"camera": camera, "form": form, "motion": current}
    return render(request, "recordings/camera_motion.html", context)
