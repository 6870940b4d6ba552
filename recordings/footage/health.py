"""Recording health per camera: state changes, pushed live, and how a page should read a row.

Recorders set the state (recording, reconnecting, failing, off) with a
reason a person understands; the settings service sets "waiting" when
recording is switched on. Every change goes to the camera's event group as
``recording.status`` after the transaction commits. A row is only as fresh
as its recorder: ``effective`` reads a dead recorder's "recording" as
"waiting for a recorder".
"""

from __future__ import annotations

import logging
import uuid
import zoneinfo
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.events import camera_group, send_to_group
from recordings.footage.models import HealthState, Recorder, RecordingHealth

logger = logging.getLogger(__name__)

ACTIVE_STATES = (HealthState.RECORDING, HealthState.RECONNECTING, HealthState.FAILING)
RECORDER_GONE = "Its recorder stopped; waiting for another recorder to take the camera."


def stale_after() -> float:
    """Seconds after which a silent recorder counts as gone: its lease has expired by then."""
    return settings.CCTV_RECORDING_LEASE_SECONDS + settings.CCTV_RECORDING_SCAN_SECONDS


@transaction.atomic
def set_state(camera_id: int, camera_public_id: uuid.UUID, state: str, reason: str = "", *,
              recorder: Recorder | None = None, keep_recorder: bool = False) -> bool:
    """Record a camera's recording state; push it if the state or reason changed. Returns whether it did."""
    row, _ = RecordingHealth.objects.select_for_update().get_or_create(camera_id=camera_id)
    new_recorder_id = row.recorder_id if keep_recorder else (recorder.pk if recorder else None)
    if (row.state, row.reason, row.recorder_id) == (state, reason, new_recorder_id):
        return False
    changed = (row.state, row.reason) != (state, reason)
    if changed:
        row.state, row.reason, row.changed_at = state, reason[:300], timezone.now()
    row.recorder_id = new_recorder_id
    row.save(update_fields=["state", "reason", "changed_at", "recorder", "updated_at"])
    if changed:
        publish(camera_public_id, row)
    return changed


def publish(camera_public_id: uuid.UUID, row: RecordingHealth) -> None:
    """Push the state after commit; a channel layer that is down costs the push, never the recording."""
    group, event = camera_group(camera_public_id), status_event(camera_public_id, row)

    def send() -> None:
        try:
            send_to_group(group, event)
        except Exception as error:  # noqa: BLE001  (any layer failure: Redis down, a full channel)
            logger.warning("recording status of camera %s not pushed: %s", camera_public_id, type(error).__name__)

    transaction.on_commit(send)


def status_event(camera_public_id: uuid.UUID, row: RecordingHealth) -> dict[str, Any]:
    view = effective(row, timezone.now())
    return {
        "type": "recording.status", "camera": str(camera_public_id), "state": view.state, "label": view.label,
        "reason": view.reason, "changed_at": row.changed_at.isoformat(),
        "last_segment_at": row.last_segment_at.isoformat() if row.last_segment_at else None,
    }  # fmt: skip


@dataclass(frozen=True)
class HealthView:
    """What to show for a camera's recording: a state, its label, a reason, and the figures."""

    state: str
    reason: str
    changed_at: datetime | None
    last_segment_at: datetime | None
    bytes_today: int

    @property
    def label(self) -> str:
        return HealthState(self.state).label

    @property
    def is_recording(self) -> bool:
        return self.state == HealthState.RECORDING


OFF = HealthView(HealthState.OFF, "Recording is off for this camera.", None, None, 0)


def local_day(moment: datetime, site_timezone: str) -> date:
    return moment.astimezone(zoneinfo.ZoneInfo(site_timezone)).date()


def effective(row: RecordingHealth | None, now: datetime, site_timezone: str = "UTC") -> HealthView:
    """The row as a person should read it now: a dead recorder's cameras are waiting, not recording."""
    if row is None:
        return OFF
    today = row.bytes_today if row.day == local_day(now, site_timezone) else 0
    state, reason = row.state, row.reason
    if state in ACTIVE_STATES and not _recorder_alive(row.recorder, now):
        state, reason = HealthState.WAITING, RECORDER_GONE
    return HealthView(state, reason, row.changed_at, row.last_segment_at, today)


def _recorder_alive(recorder: Recorder | None, now: datetime) -> bool:
    if recorder is None or recorder.stopped_at is not None:
        return False
    return recorder.heartbeat_at >= now - timedelta(seconds=stale_after())


def view_for(camera: Any, now: datetime | None = None) -> HealthView:
    """The health of a camera whose ``recording_health`` (and its recorder) may be prefetched."""
    try:
        row = camera.recording_health
    except RecordingHealth.DoesNotExist:
        row = None
    return effective(row, now or timezone.now(), camera.site.timezone)
