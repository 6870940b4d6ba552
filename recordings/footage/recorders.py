"""Recorder rows: registering a recorder process, its heartbeat, and who is alive beside a gateway."""

from __future__ import annotations

import os
import socket
from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cameras.gateways import gateway_from_settings
from cameras.models import Gateway
from recordings.footage.models import Recorder


class AlreadyRunning(Exception):
    """Another live recorder uses this name; the message says which."""


class NoGateway(Exception):
    """The gateway to record could not be chosen; the message says why."""


def choose_gateway(name: str | None) -> Gateway:
    """The named gateway; without a name the only one there is (created from settings if none)."""
    if name:
        gateway = Gateway.objects.filter(name=name).first()
        if gateway is None:
            raise NoGateway(f"No gateway is named {name!r}.")
        return gateway
    gateways = list(Gateway.objects.all()[:2])
    if len(gateways) > 1:
        raise NoGateway("There are several gateways: name the one to record with --gateway.")
    return gateways[0] if gateways else gateway_from_settings()


def default_name(gateway: Gateway) -> str:
    return f"{socket.gethostname()}/{gateway.name}"[:100]


def alive_seconds() -> float:
    """A recorder silent for longer has lost its leases: it no longer counts."""
    return float(settings.CCTV_RECORDING_LEASE_SECONDS)


@transaction.atomic
def register(name: str, gateway: Gateway) -> Recorder:
    """The row of this process, taken over from a stopped or dead recorder of the same name."""
    now = timezone.now()
    host, pid = socket.gethostname(), os.getpid()
    row = Recorder.objects.select_for_update().filter(name=name).first()
    if row is not None and (row.host, row.pid) != (host, pid) and is_alive(row, now):
        raise AlreadyRunning(f"A recorder named {name!r} is running on {row.host} (pid {row.pid}); "
                             "give this one another --name.")
    row = row or Recorder(name=name)
    row.host, row.pid, row.gateway = host, pid, gateway
    row.started_at = row.heartbeat_at = now
    row.stopped_at = None
    row.save()
    return row


def is_alive(row: Recorder, now: datetime) -> bool:
    return row.stopped_at is None and (now - row.heartbeat_at).total_seconds() <= alive_seconds()


def heartbeat(row: Recorder) -> None:
    Recorder.objects.filter(pk=row.pk).update(heartbeat_at=timezone.now(), stopped_at=None)


def stopped(row: Recorder) -> None:
    Recorder.objects.filter(pk=row.pk).update(stopped_at=timezone.now())


def alive_count(gateway_id: int) -> int:
    return Recorder.objects.alive(timezone.now(), alive_seconds()).filter(gateway_id=gateway_id).count()
