"""Keeping each gateway's streams in step with the database.

The database is the truth. Streams are set in go2rtc's memory (PATCH), never
in its config file, so camera credentials do not land on the gateway's disk;
a restarted gateway is therefore empty until the next reconcile fills it.
Only streams named by ``cameras.streams`` are touched: anything an operator
configured on the gateway by hand is left alone.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field

from cameras.gateways import client_for
from cameras.go2rtc import Go2RTCClient
from cameras.models import Camera, Gateway
from cameras.streams import StreamSpec, desired_streams, is_portal_stream, stream_name

logger = logging.getLogger(__name__)


@dataclass
class ReconcileReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def camera_specs(camera: Camera) -> list[StreamSpec]:
    if not camera.enabled:
        return []
    return desired_streams(camera.public_id, camera.main_source, camera.sub_source)


def push_camera(camera: Camera) -> None:
    """Make the camera's gateway carry exactly the streams the camera needs now."""
    wanted = {spec.name: spec.source for spec in camera_specs(camera)}
    with client_for(camera.gateway) as client:
        for name, source in wanted.items():
            client.set_stream(name, source)
        for variant in ("main", "sub"):
            name = stream_name(camera.public_id, variant)
            if name not in wanted:
                client.delete_stream(name)


def remove_camera_streams(gateway: Gateway, public_id: uuid.UUID) -> None:
    with client_for(gateway) as client:
        for variant in ("main", "sub"):
            client.delete_stream(stream_name(public_id, variant))


def desired_for_gateway(gateway: Gateway) -> dict[str, str]:
    cameras = Camera.objects.filter(gateway=gateway, enabled=True)
    return {spec.name: spec.source for camera in cameras for spec in camera_specs(camera)}


def reconcile(gateway: Gateway) -> ReconcileReport:
    """Heal drift both ways: add missing streams, fix changed ones, drop stale ones."""
    desired = desired_for_gateway(gateway)
    report = ReconcileReport()
    with client_for(gateway) as client:
        actual = {name: state for name, state in client.streams().items() if is_portal_stream(name)}
        for name, source in desired.items():
            if name not in actual:
                client.set_stream(name, source)
                report.added.append(name)
            elif actual[name].sources != (source,):
                client.set_stream(name, source)
                report.updated.append(name)
        for name in actual.keys() - desired.keys():
            client.delete_stream(name)
            report.removed.append(name)
    if report.added or report.updated or report.removed:
        logger.info(
            "reconciled gateway %s: %d added, %d updated, %d removed",
            gateway.name, len(report.added), len(report.updated), len(report.removed),
        )
    return report


def probe_online(client: Go2RTCClient, name: str) -> bool:
    state = client.probe(name)
    return bool(state and state.online)
