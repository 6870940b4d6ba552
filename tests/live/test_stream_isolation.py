"""One tenant's camera can never become another tenant's stream on a real go2rtc gateway.

go2rtc makes a source ``rtsp://<any host>/<existing stream name>`` an alias
of that stream: the attacker's camera would then show and record the
victim's picture, and a later change of the attacker's source would re-point
the victim's feed. Here the victim (Org B) watches a 640x360 camera and the
attacker (an admin of Org A) owns 320x180 ones, so a snapshot tells whose
picture a stream carries. Real go2rtc gateway, ffmpeg cameras, Celery
worker, PostgreSQL and Redis; the pages, API and admin run in this process.
"""

from __future__ import annotations

import re
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import AuditEvent
from cameras import services, tasks
from cameras.models import Camera, Gateway
from cameras.snapshots import live_snapshot
from cameras.streams import stream_name
from tests.conftest import World
from tests.live.conftest import Server, _start, _stop
from tests.support.media import CameraSimulator, stop_processes
from tests.support.media import Gateway as GatewayProcess
from tests.support.waiting import WaitTimeout, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

VICTIM_SIZE, ATTACKER_SIZE = (640, 360), (320, 180)


@pytest.fixture(scope="module")
def attacker_sim() -> Iterator[CameraSimulator]:
    sim = CameraSimulator(count=2, size="320x180")
    sim.start()
    yield sim
    sim.cleanup()


@pytest.fixture
def allowed(settings: Any, camera_sim: CameraSimulator, attacker_sim: CameraSimulator) -> str:
    """Both simulators are on loopback, which only the operator's allow-list opens (as bin/start does)."""
    hosts = f"{camera_sim.host_port},{attacker_sim.host_port}"
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = hosts.split(",")
    return hosts


@pytest.fixture
def worker(transactional_db: None, allowed: str, tmp_path: Path) -> Iterator[Server]:
    """A real Celery worker without beat: the test says when the reconcile runs."""
    log_path = tmp_path / "celery.log"
    process = _start(
        [sys.executable, "-m", "celery", "-A", "portal", "worker", "--pool=solo", "-l", "info", "--without-mingle",
         "--without-gossip", "--without-heartbeat"],
        log_path, DJANGO_SETTINGS_MODULE="tests.settings", CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS=allowed,
    )  # fmt: skip
    try:
        wait_until(lambda: "ready." in log_path.read_text(errors="replace") and process.poll() is None, 60,
                   what="the celery worker ready", otherwise=lambda: log_path.read_text(errors="replace")[-3000:])
    except WaitTimeout:
        _stop(process)
        raise
    yield Server(0, process, log_path)
    _stop(process)


def jpeg_size(data: bytes) -> tuple[int, int]:
    """(width, height) from a JPEG's start-of-frame segment."""
    index = 2
    while index < len(data):
        marker, length = data[index + 1], struct.unpack(">H", data[index + 2 : index + 4])[0]
        if 0xC0 <= marker <= 0xC3:
            height, width = struct.unpack(">HH", data[index + 5 : index + 9])
            return width, height
        index += 2 + length
    raise AssertionError("no frame header in the snapshot")


def picture_size(camera: Camera) -> tuple[int, int]:
    camera.refresh_from_db()
    return jpeg_size(live_snapshot(camera))


def producer_urls(gateway: GatewayProcess, name: str) -> list[str]:
    with gateway.client() as client:
        entry = (client.get("/api/streams").json() or {}).get(name) or {}
    return [producer.get("url", "") for producer in entry.get("producers") or []]


def watch_restream(gateway: GatewayProcess, name: str) -> subprocess.Popen:
    """A viewer of the gateway's restream of ``name`` (an ffmpeg that reads and discards)."""
    viewer = subprocess.Popen(  # noqa: S603
        ["ffmpeg", "-nostdin", "-loglevel", "quiet", "-rtsp_transport", "tcp",  # noqa: S607
         "-i", f"{gateway.rtsp_url}/{name}", "-c", "copy", "-f", "null", "-"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        wait_until(lambda: gateway.consumers(name) > 0 and gateway.producer_started(name), what=f"a viewer of {name}")
    except WaitTimeout:
        stop_processes([viewer])
        raise
    return viewer


def plant_alias(gateway: GatewayProcess, name: str, target: str, host_port: str) -> None:
    """What a future gap in source validation would let through: ``name`` made an alias of ``target``."""
    with gateway.client() as client:
        client.delete("/api/streams", params={"src": name})
        client.patch("/api/streams", params={"name": name, "src": f"rtsp://{host_port}/{target}"}).raise_for_status()


def attack_sources(victim: Camera, host_port: str) -> list[str]:
    new, old = stream_name(victim.public_id), f"cam-{victim.public_id.hex}-main"
    return [
        f"rtsp://{host_port}/%63am-{victim.public_id.hex}-main",  # the reported attack, on the old names
        f"rtsp://{host_port}/{old}",
        f"rtsp://{host_port}/{new}",
        f"rtsp://{host_port}/%63am-{new[4:]}",
        f"rtsp://{host_port}/{new}?channel=1",
        f"RTSP://attacker:pw@{host_port}/{new.upper()}",
        f"rtsp://{host_port}//{new}",
        f"rtsp://{host_port}/cam%2D{new[4:]}",
        f"rtsp://{host_port}/{new[:-4]}sub",
    ]


def create_everywhere(world: World, client_for: Callable, source: str) -> list[int]:
    """Try to create a camera with ``source`` through the page, the API and the admin, as Org A's admin."""
    page = client_for(world.admin).post(reverse("camera_create"), {
        "name": "Borrowed", "site": str(world.site_a1.public_id), "main_source": source, "onvif_port": 80,
        "enabled": "on"})  # fmt: skip
    api = APIClient()
    api.force_login(world.admin)
    created = api.post("/api/v1/cameras/", {"site": str(world.site_a1.public_id), "name": "Borrowed",
                                            "main_source": source}, format="json")
    admin = client_for(world.admin).post(reverse("admin:cameras_camera_add"), {
        "name": "Borrowed", "site": world.site_a1.pk, "enabled": "on", "main_source": source, "sub_source": "",
        "onvif_host": "", "onvif_port": 80, "onvif_username": "", "onvif_password": ""})  # fmt: skip
    # No message repeats the source. The page form gives the person's own typing back in its box
    # (less any password, tests/pages/test_camera_form_input.py), so the box is left out here.
    page_text = re.sub(r'<input[^>]*name="main_source"[^>]*>', "", page.content.decode())
    for text in (page_text, created.content.decode(), admin.content.decode()):
        assert source not in text
    return [page.status_code, created.status_code, admin.status_code]


def test_a_tenant_can_never_watch_record_or_replace_another_tenants_camera(
    world: World, client_for: Callable, gateway_row: Gateway, gateway_process: GatewayProcess,
    camera_sim: CameraSimulator, attacker_sim: CameraSimulator, worker: Server,
) -> None:
    victim = services.create_camera(world.admin_b, world.site_b, name="Vault", main_source=camera_sim.source("cam1"))
    victim_name = stream_name(victim.public_id)
    wait_until(lambda: victim_name in gateway_process.stream_names(), 40, otherwise=lambda: worker.log_text()[-3000:])
    victim_urls = producer_urls(gateway_process, victim_name)
    assert picture_size(victim) == VICTIM_SIZE

    # 1. Creation is refused on every path, for every spelling of the victim's stream.
    cameras_before = Camera.objects.count()
    for source in attack_sources(victim, attacker_sim.host_port):
        page, api, admin = create_everywhere(world, client_for, source)
        assert (page, api, admin) == (200, 400, 200), source  # forms re-shown with the error, API 400
    assert Camera.objects.count() == cameras_before
    assert gateway_process.stream_names() == {victim_name}

    # 2. The attacker's own camera, then an alias planted behind the portal's back while the victim watches.
    attacker = services.create_camera(world.admin, world.site_a1, name="Mine",
                                      main_source=attacker_sim.source("cam1"))
    attacker_name = stream_name(attacker.public_id)
    wait_until(lambda: attacker_name in gateway_process.stream_names(), 40, otherwise=lambda: worker.log_text()[-3000:])
    attacker_urls = producer_urls(gateway_process, attacker_name)
    viewer = watch_restream(gateway_process, victim_name)  # running: connection ids in the listing
    plant_alias(gateway_process, attacker_name, victim_name, attacker_sim.host_port)
    assert producer_urls(gateway_process, attacker_name) == victim_urls  # the alias took
    assert picture_size(attacker) == VICTIM_SIZE  # what the attack would show

    # 3. The reconcile finds it, heals it and tells the operator.
    tasks.reconcile_gateways.delay()
    wait_until(lambda: producer_urls(gateway_process, attacker_name) == attacker_urls, 40,
               otherwise=lambda: worker.log_text()[-3000:])
    assert picture_size(attacker) == ATTACKER_SIZE
    assert picture_size(victim) == VICTIM_SIZE
    assert producer_urls(gateway_process, victim_name) == victim_urls
    wait_until(lambda: AuditEvent.objects.filter(action="gateway.stream_conflict").exists())
    assert "were not their own" in worker.log_text()
    stop_processes([viewer])

    # 4. Planted again; the attacker changes their source: the victim's feed stays the victim's.
    plant_alias(gateway_process, attacker_name, victim_name, attacker_sim.host_port)
    api = APIClient()
    api.force_login(world.admin)
    changed = api.patch(f"/api/v1/cameras/{attacker.public_id}/", {"main_source": attacker_sim.source("cam2")},
                        format="json")
    assert changed.status_code == 200, changed.content
    wait_until(lambda: any(url.endswith("/cam2") for url in producer_urls(gateway_process, attacker_name)), 40)
    assert producer_urls(gateway_process, victim_name) == victim_urls
    assert picture_size(victim) == VICTIM_SIZE
    assert picture_size(attacker) == ATTACKER_SIZE
