"""Keeping each gateway's streams in step with the database.

The database is the truth. Streams are set in go2rtc's memory (PATCH), never
in its config file, so camera credentials do not land on the gateway's disk;
a restarted gateway is therefore empty until the next reconcile fills it.
Only streams named by ``cameras.streams`` are touched: anything an operator
configured on the gateway by hand is left alone.

Every camera's stream must be a stream object of its own carrying exactly
its camera's source. go2rtc can make two names share one object (an alias),
and then a change through either name changes both: one tenant's camera
would show, record and re-point another's. So:

- a source is checked again when it is pushed (its host resolved and pinned,
  see ``cameras.sources.gateway_source``) and refused if go2rtc would alias it
  to any stream the gateway has, the operator's included;
- a stream is always pushed by deleting its name and creating it afresh,
  never by changing an existing object in place;
- the push and the reconcile read go2rtc's stream listing and heal a portal
  name whose source is not its camera's, or that shares its object with
  another name (connected producers and consumers carry connection ids; two
  names listing the same id are one object). Sharing, or a wrong source that
  a stream of another organization (or one no camera owns) carries, is an
  attack or a bug, not drift: it is logged as a WARNING and written to the
  audit trail (no organization, so platform operators see it in the admin's
  audit log; tenants are not told about each other's cameras).

Viewers already attached to a stream object keep it until they leave (go2rtc
cannot end them); a healed name gives every new viewer the right picture.
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from accounts import audit
from cameras import hosts
from cameras.gateways import client_for
from cameras.go2rtc import Go2RTCClient, StreamState
from cameras.models import Camera, Gateway
from cameras.sources import gateway_source, names_a_stream
from cameras.streams import camera_stream_names, desired_streams, is_portal_stream

logger = logging.getLogger(__name__)


# The audit trail's actor for what the gateway checks find (no person did it).
SYSTEM_ACTOR = audit.NamedActor("gateway stream check")


@dataclass
class ReconcileReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    shared: list[list[str]] = field(default_factory=list)
    foreign: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass(frozen=True)
class Wanted:
    """A stream the database wants on a gateway: its camera and the source to give the gateway.

    ``source`` is None when the camera's source was refused at push time.
    """

    camera: Camera
    source: str | None


def _gateway_sources(camera: Camera, forbidden: hosts.Forbidden) -> dict[str, Wanted]:
    if not camera.enabled:
        return {}
    wanted = {}
    for spec in desired_streams(camera.public_id, camera.main_source, camera.sub_source):
        try:
            wanted[spec.name] = Wanted(camera, gateway_source(spec.source, forbidden))
        except ValidationError as refused:
            logger.warning("camera %s: stream %s not pushed, its source is refused now (%s)",
                           camera.public_id, spec.name, refused.code)
            wanted[spec.name] = Wanted(camera, None)
    return wanted


def push_camera(camera: Camera) -> ReconcileReport:
    """Make the camera's gateway carry exactly the streams the camera needs now."""
    wanted = _gateway_sources(camera, hosts.forbidden_targets())
    with client_for(camera.gateway) as client:
        return _converge(client, camera.gateway, wanted, scope=set(camera_stream_names(camera.public_id)))


def remove_camera_streams(gateway: Gateway, public_id: uuid.UUID) -> None:
    with client_for(gateway) as client:
        for name in camera_stream_names(public_id):
            client.delete_stream(name)


def reconcile(gateway: Gateway) -> ReconcileReport:
    """Heal drift both ways (add missing streams, fix changed ones, drop stale ones) and check every stream."""
    forbidden = hosts.forbidden_targets()
    wanted: dict[str, Wanted] = {}
    for camera in Camera.objects.filter(gateway=gateway, enabled=True):
        wanted.update(_gateway_sources(camera, forbidden))
    with client_for(gateway) as client:
        report = _converge(client, gateway, wanted, scope=None)
    if report.changed:
        logger.info(
            "reconciled gateway %s: %d added, %d updated, %d removed",
            gateway.name, len(report.added), len(report.updated), len(report.removed),
        )
    return report


@dataclass(frozen=True)
class Owner:
    camera: uuid.UUID
    organization_id: int


def _owners(gateway: Gateway) -> dict[str, Owner]:
    """Every name (current and legacy) of every camera on the gateway, with its camera and organization."""
    rows = Camera.objects.filter(gateway=gateway).values_list("public_id", "site__organization_id")
    return {name: Owner(public_id, org) for public_id, org in rows for name in camera_stream_names(public_id)}


def _converge(client: Go2RTCClient, gateway: Gateway, wanted: dict[str, Wanted], scope: set[str] | None
              ) -> ReconcileReport:
    """Bring the portal names in ``scope`` (None: all of them) to ``wanted``, given what the gateway lists."""
    owners = _owners(gateway)
    listing = client.streams()
    ours = {name for name in listing if is_portal_stream(name) and (scope is None or name in scope)}
    report = ReconcileReport(shared=_shared_groups(listing, ours))
    in_shared = {name for group in report.shared for name in group}
    for name, want in wanted.items():
        current = listing.get(name)
        source = want.source
        if source is not None and (alias := names_a_stream(source, set(listing) - {name})):
            logger.warning("camera %s: stream %s not pushed, go2rtc would alias its source to stream %s",
                           want.camera.public_id, name, alias)
            source = None
        if source is None:
            report.refused.append(name)
            if current is not None:
                client.delete_stream(name)
                report.removed.append(name)
            continue
        if current is not None and current.sources == (source,) and name not in in_shared:
            continue
        if current is not None and current.sources != (source,) and _taken_from_elsewhere(current, listing, owners):
            report.foreign.append(name)
        client.replace_stream(name, source)
        (report.updated if current is not None else report.added).append(name)
    for name in sorted(ours - wanted.keys()):
        client.delete_stream(name)
        report.removed.append(name)
    if report.shared or report.foreign:
        _alert(gateway, owners, report)
    return report


def _shared_groups(listing: dict[str, StreamState], ours: set[str]) -> list[list[str]]:
    """Groups of names that list the same connection (one object), each holding a portal name in scope."""
    names_by_connection: dict[int, set[str]] = defaultdict(set)
    for name, state in listing.items():
        for connection in state.connections:
            names_by_connection[connection].add(name)
    groups = {frozenset(names) for names in names_by_connection.values() if len(names) > 1 and names & ours}
    return sorted(sorted(group) for group in groups)


def _taken_from_elsewhere(state: StreamState, listing: dict[str, StreamState], owners: dict[str, Owner]) -> bool:
    """Whether a stream's wrong sources are those of a stream of another organization, or of one no camera owns.

    That is how an alias looks while idle (idle producers carry no
    connection id). Cameras of one organization may share a source (the same
    camera added twice, the demo's video wall), so a stale copy of such a
    source (an edit whose push was lost) is drift, healed without an alert.
    """
    mine = owners.get(state.name)
    for name, other in listing.items():
        if name == state.name or not state.sources or other.sources != state.sources:
            continue
        owner = owners.get(name)
        if mine is None or owner is None or owner.organization_id != mine.organization_id:
            return True
    return False


def _alert(gateway: Gateway, owners: dict[str, Owner], report: ReconcileReport) -> None:
    names = sorted({name for group in report.shared for name in group} | set(report.foreign))
    cameras = sorted({str(owners[name].camera) for name in names if name in owners})
    logger.warning(
        "gateway %s: camera streams were not their own (shared objects: %s; another stream's source: %s); "
        "the streams were recreated",
        gateway.name, report.shared, report.foreign,
    )
    audit.record(SYSTEM_ACTOR, "gateway.stream_conflict", organization=None, target=gateway,
                 shared=report.shared, foreign_source=report.foreign, cameras=cameras)


def probe_online(client: Go2RTCClient, name: str) -> bool:
    state = client.probe(name)
    return bool(state and state.online)
