"""PTZ end to end: the API, a real Celery worker on the Redis broker, and the simulated ONVIF camera.

The worker runs in its own process with a thread pool (as ``bin/start``
does), so commands really cross the broker and may be picked up out of
order; the camera records what reached it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from accounts.models import AuditEvent
from cameras import services
from cameras.models import Camera, PTZCapabilities, PTZPreset
from tests.conftest import World
from tests.live.conftest import Server
from tests.ptz.conftest import DEVICE_PASSWORD, DEVICE_USER, MOVE_TIMEOUT_MS, point_at, read_capabilities
from tests.support.onvif_device import OnvifDevice, Preset
from tests.support.services import free_port
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]
# What the worker asks a camera when it first talks to it.
SESSION_SETUP = {"GetSystemDateAndTime", "GetServices", "GetProfiles"}
HOLD_SECONDS = 1.5


@pytest.fixture
def live(transactional_db: None, ptz_worker: Server) -> Server:
    return ptz_worker


def command(client: Client, camera: Camera, **body: Any) -> Any:
    return client.post(f"/api/v1/cameras/{camera.public_id}/ptz/", body, content_type="application/json")


def hold(client: Client, camera: Camera, device: OnvifDevice, seconds: float, **velocity: float) -> None:
    """Press and hold as the live view does: a move, then renewals every third of the timeout.

    ``seconds`` count from the moment the first move reaches the camera. Counted
    from the first request, they held on a busy machine no move at all: a test
    process's first request loads the URLconf (0.7 to 1.9 s measured here), the
    whole hold went by before the move was even queued, and the camera never moved.
    """
    moves = len(device.received("ContinuousMove"))
    assert command(client, camera, action="move", **velocity).status_code == 202
    device.wait_for("ContinuousMove", count=moves + 1, timeout=15)
    ends = time.monotonic() + seconds
    while time.monotonic() < ends:
        time.sleep(min(MOVE_TIMEOUT_MS / 3000, max(0.0, ends - time.monotonic())))
        assert command(client, camera, action="move", **velocity).status_code == 202


def state(client: Client, camera: Camera) -> dict[str, Any]:
    return client.get(f"/api/v1/cameras/{camera.public_id}/ptz/").json()


def test_hold_to_move_then_release_stops(live: Server, world: World, ptz_camera: Camera, device: OnvifDevice,
                                         client_for: Callable) -> None:
    client = client_for(world.operator)

    hold(client, ptz_camera, device, HOLD_SECONDS, pan=0.5)
    moving = device.moving()
    assert command(client, ptz_camera, action="stop").status_code == 202
    stop = device.wait_for("Stop")[0]
    stopped_at = device.position()["pan"]
    time.sleep(MOVE_TIMEOUT_MS / 1000 + 0.5)

    assert moving
    # Half speed for as long as the camera was told to move: renewals kept it going without a gap.
    held = stop.perf - device.received("ContinuousMove")[0].perf
    assert held >= HOLD_SECONDS  # the stop is sent after the hold, which starts when the first move arrived
    assert stopped_at == pytest.approx(0.5 * held, abs=0.1)
    assert not device.moving() and device.position()["pan"] == pytest.approx(stopped_at)
    assert all(r.params["Velocity"] == {"pan": 0.5, "tilt": 0.0} for r in device.received("ContinuousMove"))
    assert all(r.params["Timeout"] == "PT1S" for r in device.received("ContinuousMove"))
    # The live view sees the position the camera reports.
    shown = wait_until(lambda: (s := state(client, ptz_camera)["status"])["pan"] is not None and
                       abs(s["pan"] - stopped_at) < 0.01 and s, what="reported position")
    assert shown["moving"] is False


def test_a_move_without_release_stops_by_itself(live: Server, world: World, ptz_camera: Camera,
                                                device: OnvifDevice, client_for: Callable) -> None:
    command(client_for(world.operator), ptz_camera, action="move", tilt=1.0)
    device.wait_for("ContinuousMove")
    time.sleep(MOVE_TIMEOUT_MS / 1000 + 0.3)

    assert not device.moving()
    assert device.position()["tilt"] == pytest.approx(1.0, abs=0.1)


def test_a_camera_that_ignores_the_timeout_is_stopped_by_the_worker(
    live: Server, world: World, make_device: Callable[..., OnvifDevice], client_for: Callable
) -> None:
    device = make_device(honour_timeout=False, speed=0.1)
    camera = point_at(world.camera_a1, device)
    read_capabilities(camera)
    device.clear()

    command(client_for(world.operator), camera, action="move", pan=-1.0)
    moved = device.wait_for("ContinuousMove")[0]
    stop = device.wait_for("Stop", timeout=5)[0]

    assert MOVE_TIMEOUT_MS / 1000 <= stop.perf - moved.perf < MOVE_TIMEOUT_MS / 1000 + 1.0
    assert not device.moving()
    wait_until(lambda: state(client_for(world.operator), camera)["status"]["moving"] is False, what="idle state")


def test_presets_round_trip(live: Server, world: World, ptz_camera: Camera, device: OnvifDevice,
                            client_for: Callable) -> None:
    admin = client_for(world.admin)
    presets_url = f"/api/v1/cameras/{ptz_camera.public_id}/ptz/presets/"
    command(admin, ptz_camera, action="absolute", pan=0.4, tilt=-0.2, zoom=0.3)
    device.wait_for("AbsoluteMove")

    created = admin.post(presets_url, {"name": "Loading bay"}, content_type="application/json").json()
    wait_until(lambda: admin.get(presets_url).json()[0]["ready"], what="preset saved on the camera")
    command(admin, ptz_camera, action="home")
    device.wait_for("GotoHomePosition")
    command(admin, ptz_camera, action="goto_preset", preset=created["id"])
    device.wait_for("GotoPreset")
    recalled = device.position()
    assert admin.delete(f"{presets_url}{created['id']}/").status_code == 202
    device.wait_for("RemovePreset")
    wait_until(lambda: not PTZPreset.objects.exists(), what="the row gone once the camera deleted it")

    assert recalled == pytest.approx({"pan": 0.4, "tilt": -0.2, "zoom": 0.3})
    assert device.presets == {}
    assert [e.action for e in AuditEvent.objects.filter(action__startswith="ptz.preset").order_by("pk")] == [
        "ptz.preset.create", "ptz.preset.delete",
    ]


@pytest.mark.parametrize(("refusal", "says"), [("not_supported", "cannot delete presets"),
                                                ("refused", "refused to delete the preset")])
def test_a_preset_the_camera_will_not_delete_is_kept_and_the_refusal_shown(
    live: Server, world: World, make_device: Callable[..., OnvifDevice], client_for: Callable, refusal: str, says: str
) -> None:
    """Deleting reported success while the camera kept the preset, and the next capability read brought it back."""
    device = make_device(remove_presets=refusal)
    device.presets["preset_1"] = Preset("preset_1", "Gate", {"pan": 0.5, "tilt": 0.0, "zoom": 0.0})
    camera = point_at(world.camera_a1, device)
    read_capabilities(camera)
    admin, presets_url = client_for(world.admin), f"/api/v1/cameras/{camera.public_id}/ptz/presets/"
    preset = PTZPreset.objects.get(camera=camera)

    asked = admin.delete(f"{presets_url}{preset.public_id}/")
    device.wait_for("RemovePreset")
    error = wait_until(lambda: state(admin, camera)["error"], what="the refusal shown")
    listed = admin.get(presets_url).json()
    read_capabilities(camera)  # what brought the preset back
    again = admin.delete(f"{presets_url}{preset.public_id}/")

    assert asked.status_code == 202
    assert says in error and "Gate" in error
    assert [(p["name"], p.get("removing")) for p in listed] == [("Gate", False)]
    assert list(device.presets) == ["preset_1"]
    assert list(PTZPreset.objects.filter(camera=camera).values_list("name", "token")) == [("Gate", "preset_1")]
    if refusal == "not_supported":  # it never will: the portal says so at once
        assert again.status_code == 400
        assert "This camera cannot delete presets" in again.json()["detail"]
    else:  # this one, not now: it may another time
        assert again.status_code == 202


def test_a_viewer_is_refused_and_the_camera_receives_nothing(live: Server, world: World, ptz_camera: Camera,
                                                             device: OnvifDevice, client_for: Callable) -> None:
    viewer, outsider = client_for(world.viewer), client_for(world.outsider)

    refused = command(viewer, ptz_camera, action="move", pan=1.0)
    hidden = command(outsider, ptz_camera, action="move", pan=1.0)
    preset = viewer.post(f"/api/v1/cameras/{ptz_camera.public_id}/ptz/presets/", {"name": "x"},
                         content_type="application/json")
    # Something that does reach the camera, to be sure the worker is there.
    command(client_for(world.operator), ptz_camera, action="home")
    device.wait_for("GotoHomePosition")
    device.wait_for("GetStatus")  # the worker reads the position after a recall

    assert (refused.status_code, hidden.status_code, preset.status_code) == (403, 404, 403)
    commands = [op for op in device.operations() if op not in SESSION_SETUP]
    assert commands == ["GotoHomePosition", "GetStatus"]


def test_two_users_contend_and_the_lock_decides(live: Server, world: World, ptz_camera: Camera,
                                                device: OnvifDevice, client_for: Callable) -> None:
    operator, admin = client_for(world.operator), client_for(world.admin)

    hold(operator, ptz_camera, device, 0.3, pan=0.5)
    contended = command(admin, ptz_camera, action="move", pan=-1.0)
    taken = command(admin, ptz_camera, action="move", pan=-1.0, takeover=True)
    wait_until(lambda: device.received("ContinuousMove")[-1].params["Velocity"]["pan"] == -1.0,
               what="the admin's move on the camera")
    locked_out = command(operator, ptz_camera, action="move", pan=0.5)
    command(admin, ptz_camera, action="stop")
    device.wait_for("Stop")

    assert contended.status_code == 409
    assert "operator@a.example.test is controlling this camera" in contended.json()["detail"]
    assert taken.status_code == 202 and locked_out.status_code == 409
    # The operator's moves (the first may be superseded by its renewal before it is sent), then the admin's.
    velocities = [r.params["Velocity"]["pan"] for r in device.received("ContinuousMove")]
    assert velocities[-1] == -1.0 and set(velocities[:-1]) == {0.5}
    assert not device.moving()


def test_an_unreachable_camera_reports_a_clear_error(live: Server, world: World, client_for: Callable) -> None:
    camera = world.camera_a1
    camera.onvif_host, camera.onvif_port = "127.0.0.1", free_port()
    camera.onvif_username, camera.onvif_password = DEVICE_USER, DEVICE_PASSWORD
    camera.save()
    PTZCapabilities.objects.create(camera=camera, continuous_pan_tilt=True, checked_at="2025-01-01T00:00:00Z",
                                   ranges={"pan_velocity": [-1, 1], "tilt_velocity": [-1, 1]})
    client = client_for(world.operator)
    started = time.monotonic()

    assert command(client, camera, action="move", pan=0.5).status_code == 202
    error = wait_until(lambda: state(client, camera)["error"], timeout=8, what="an error in the state")

    assert time.monotonic() - started < 5
    # The command or the position read that the state poll asked for, whichever failed first.
    assert f"Cannot connect to the camera at 127.0.0.1:{camera.onvif_port}" in error


def test_a_silent_camera_does_not_hang_the_worker(live: Server, world: World, ptz_camera: Camera,
                                                  device: OnvifDevice, client_for: Callable) -> None:
    import socket

    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)  # accepts, never answers
    camera = world.camera_a2
    point_at(camera, device, onvif_port=silent.getsockname()[1])
    PTZCapabilities.objects.create(camera=camera, home=True, checked_at="2025-01-01T00:00:00Z")
    client = client_for(world.operator)
    try:
        started = time.monotonic()
        command(client, camera, action="home")
        error = wait_until(lambda: state(client, camera)["error"], timeout=10, what="a timeout error")
        elapsed = time.monotonic() - started
        command(client, ptz_camera, action="home")
        device.wait_for("GotoHomePosition", timeout=3)
    finally:
        silent.close()

    assert "did not answer within 2 s" in error
    assert elapsed < 6


def test_saving_onvif_settings_reads_the_capabilities(live: Server, world: World, device: OnvifDevice,
                                                      settings: Any) -> None:
    settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS = [f"{device.host}:{device.port}"]
    device.presets["preset_9"] = Preset("preset_9", "Existing", {"pan": 0.1, "tilt": 0.1, "zoom": 0.1})

    services.update_camera(world.admin, world.camera_a1, onvif_host=device.host, onvif_port=device.port,
                           onvif_username=DEVICE_USER, onvif_password=DEVICE_PASSWORD)
    row = wait_until(lambda: PTZCapabilities.objects.filter(camera=world.camera_a1, checked_at__isnull=False).first(),
                     what="capabilities read by the worker")

    assert row.supported and row.continuous_pan_tilt and row.home and row.error == ""
    assert row.device["model"] == "Simulated PTZ"
    assert list(PTZPreset.objects.values_list("name", "token")) == [("Existing", "preset_9")]
