"""Database -> go2rtc: sync tasks on a real worker, reconcile after a gateway crash, health."""

from __future__ import annotations

import asyncio

import pytest

from accounts.roles import Role
from cameras import services
from cameras.models import Camera, CameraStatus
from cameras.streams import stream_name
from tests.support.factories import make_member, make_organization, make_site, make_user
from tests.support.waiting import wait_until
from tests.support.webrtc_peer import watch

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def admin_and_site(gateway_row):  # type: ignore[no-untyped-def]
    org = make_organization("Sync Org")
    admin = make_user()
    make_member(admin, org, Role.ADMIN)
    return admin, make_site(org, "Depot")


def test_camera_changes_reach_the_gateway_through_the_worker(
    admin_and_site, camera_sim, gateway_process, celery_worker
) -> None:  # type: ignore[no-untyped-def]
    admin, site = admin_and_site
    camera = services.create_camera(admin, site, name="Dock", main_source=camera_sim.source("cam1"),
                                    sub_source=camera_sim.source("cam2"))
    main, sub = stream_name(camera.public_id), stream_name(camera.public_id, "sub")
    wait_until(lambda: {main, sub} <= gateway_process.stream_names(),
               otherwise=lambda: celery_worker.log_text()[-3000:])

    services.update_camera(admin, camera, sub_source="")
    wait_until(lambda: sub not in gateway_process.stream_names())
    assert main in gateway_process.stream_names()

    services.update_camera(admin, camera, enabled=False)
    wait_until(lambda: main not in gateway_process.stream_names())

    services.update_camera(admin, camera, enabled=True)
    wait_until(lambda: main in gateway_process.stream_names())
    services.delete_camera(admin, camera)
    wait_until(lambda: main not in gateway_process.stream_names())


def test_restarted_gateway_is_refilled_and_plays_again_by_itself(
    admin_and_site, camera_sim, gateway_process, celery_worker_with_beat, daphne, session_cookie
) -> None:  # type: ignore[no-untyped-def]
    admin, site = admin_and_site
    camera = services.create_camera(admin, site, name="Gate", main_source=camera_sim.source("cam3"))
    name = stream_name(camera.public_id)
    wait_until(lambda: name in gateway_process.stream_names(),
               otherwise=lambda: celery_worker_with_beat.log_text()[-3000:])

    gateway_process.kill()
    gateway_process.start()  # same ports, empty memory: the stream is gone
    assert name not in gateway_process.stream_names()

    wait_until(lambda: name in gateway_process.stream_names(), timeout=30)
    url = f"{daphne.ws_url}/ws/cameras/{camera.public_id}/live/"
    headers = {"Origin": daphne.http_url, "Cookie": session_cookie(admin)}
    result = asyncio.run(watch(url, headers=headers, frames=3))
    assert result.width == 640


def test_health_marks_cameras_online_and_offline(
    admin_and_site, camera_sim, gateway_process, celery_worker_with_beat
) -> None:  # type: ignore[no-untyped-def]
    admin, site = admin_and_site
    good = services.create_camera(admin, site, name="Good", main_source=camera_sim.source("cam4"))
    dead = services.create_camera(admin, site, name="Dead", main_source=camera_sim.source("missing"))

    def statuses() -> tuple[str, str]:
        return (Camera.objects.get(pk=good.pk).status, Camera.objects.get(pk=dead.pk).status)

    wait_until(lambda: statuses() == (CameraStatus.ONLINE, CameraStatus.OFFLINE), timeout=40,
               otherwise=lambda: statuses())
    assert Camera.objects.get(pk=good.pk).status_changed_at is not None
