"""The PTZ API without a worker: who may do what, validation, the lease, the audit trail.

Commands are queued on the test broker and nobody runs them here; the
worker tests (``test_ptz_worker.py``) prove they reach the camera.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from django.http import Http404
from django.test import Client

from accounts import services as account_services
from accounts.models import AuditEvent
from accounts.roles import Role
from cameras.models import Camera, PTZPreset
from cameras.ptz import device as ptz_device
from cameras.ptz import services as ptz
from portal.work import CapturedWork, QueuedWork
from tests.conftest import World
from tests.ptz.conftest import give_capabilities
from tests.support.factories import make_member, make_user
from tests.support.onvif_device import OnvifDevice

API = "/api/v1/cameras"


@pytest.fixture
def camera(world: World) -> Camera:
    """camera_a1 with ONVIF settings (an address nobody answers on) and full capabilities."""
    camera = world.camera_a1
    camera.onvif_host, camera.onvif_port, camera.onvif_username, camera.onvif_password = (
        "192.0.2.10", 80, "admin", "secret",
    )
    camera.save()
    give_capabilities(camera)
    return camera


def url(camera: Camera, suffix: str = "") -> str:
    return f"{API}/{camera.public_id}/ptz/{suffix}"


def post(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


def ptz_events(camera: Camera) -> list[tuple[str, str]]:
    events = AuditEvent.objects.filter(target_id=str(camera.public_id), action__startswith="ptz.")
    return [(e.actor_label, e.action) for e in events.order_by("pk")]


# --- who may ------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["owner", "admin", "operator"])
def test_members_with_control_may_move(world: World, camera: Camera, client_for: Callable, who: str) -> None:
    response = post(client_for(getattr(world, who)), url(camera), {"action": "move", "pan": 0.5})

    assert response.status_code == 202, response.content
    assert response.json()["lock"] == {"held": True, "holder": getattr(world, who).email, "mine": True,
                                       "expires_in": pytest.approx(15, abs=1)}


@pytest.mark.parametrize("who", ["viewer", "restricted_viewer"])
def test_viewers_are_refused_with_403(world: World, camera: Camera, client_for: Callable, who: str) -> None:
    client = client_for(getattr(world, who))

    for response in (post(client, url(camera), {"action": "move", "pan": 0.5}), client.get(url(camera)),
                     client.get(url(camera, "presets/"))):
        assert response.status_code == 403
        assert response.json()["detail"] == "Your role does not allow this."
    assert ptz_events(camera) == []


@pytest.mark.parametrize("who", ["admin_b", "outsider"])
def test_cameras_outside_scope_are_404(world: World, camera: Camera, client_for: Callable, who: str) -> None:
    client = client_for(getattr(world, who))

    assert post(client, url(camera), {"action": "move", "pan": 0.5}).status_code == 404
    assert client.get(url(camera)).status_code == 404
    assert post(client, url(camera, "presets/"), {"name": "x"}).status_code == 404
    assert post(client, f"{API}/{uuid.uuid4()}/ptz/", {"action": "stop"}).status_code == 404
    assert post(client, f"{API}/not-a-uuid/ptz/", {"action": "stop"}).status_code == 404
    assert ptz_events(camera) == []


def test_a_restricted_viewer_gets_404_for_cameras_outside_their_sites(world: World, client_for: Callable) -> None:
    give_capabilities(world.camera_a2)

    response = post(client_for(world.restricted_viewer), url(world.camera_a2), {"action": "stop"})

    assert response.status_code == 404


def test_anonymous_callers_must_sign_in(camera: Camera) -> None:
    assert post(Client(), url(camera), {"action": "stop"}).status_code in (401, 403)


def test_an_operator_token_may_move(world: World, camera: Camera) -> None:
    _, key = account_services.create_token(world.owner, world.org_a, name="Integration", role=Role.OPERATOR)
    client = Client(HTTP_AUTHORIZATION=f"Token {key}")

    response = post(client, url(camera), {"action": "move", "tilt": -0.5})

    assert response.status_code == 202
    assert response.json()["lock"]["holder"].startswith("API token Integration (")
    assert AuditEvent.objects.get(action="ptz.move").actor is None  # a token is not a person


# --- validation ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"action": "spin"}, "action", "is not a valid choice"),
        ({"action": "move"}, "pan", "Give at least one of pan, tilt and zoom."),
        ({"action": "move", "pan": 1.5}, "pan", "Must be between -1 and 1 for this camera."),
        ({"action": "move", "zoom": "fast"}, "zoom", "A valid number is required."),
        ({"action": "absolute", "zoom": -0.5}, "zoom", "Must be between 0 and 1 for this camera."),
        ({"action": "relative", "tilt": 3}, "tilt", "Must be between -1 and 1 for this camera."),
        ({"action": "goto_preset", "preset": str(uuid.uuid4())}, "preset", "No such preset on this camera."),
    ],
)
def test_bad_commands_get_clear_400s(world: World, camera: Camera, client_for: Callable, body: dict, field: str,
                                     message: str) -> None:
    response = post(client_for(world.operator), url(camera), body)

    assert response.status_code == 400
    assert any(message in text for text in response.json()[field]), response.json()
    assert ptz_events(camera) == []


def test_unsupported_parts_are_refused(world: World, camera: Camera, client_for: Callable) -> None:
    give_capabilities(camera, continuous_zoom=False, home=False)
    client = client_for(world.operator)

    zoom = post(client, url(camera), {"action": "move", "pan": 0.2, "zoom": 0.5})
    home = post(client, url(camera), {"action": "home"})

    assert zoom.status_code == 400 and zoom.json()["zoom"] == ["This camera has no continuous zoom."]
    assert home.status_code == 400 and home.json()["action"] == ["This camera has no home position."]


def test_cameras_without_ptz_are_refused(world: World, client_for: Callable) -> None:
    client = client_for(world.operator)

    no_onvif = post(client, url(world.camera_a2), {"action": "stop"})
    world.camera_a2.onvif_host = "192.0.2.11"
    world.camera_a2.save()
    unknown = post(client, url(world.camera_a2), {"action": "stop"})

    assert no_onvif.status_code == 400 and "no ONVIF settings" in no_onvif.json()["detail"]
    assert unknown.status_code == 400 and "not been read yet" in unknown.json()["detail"]


def test_velocities_are_scaled_to_the_cameras_space(world: World, camera: Camera) -> None:
    from cameras.ptz import services as ptz

    give_capabilities(camera, ranges={"pan_velocity": [-100, 100], "tilt_velocity": [-100, 100],
                                      "zoom_velocity": [-8, 8]})
    camera = ptz.access_ptz_camera(world.operator, camera.public_id)
    command = ptz.check_command(camera, "move", {"pan": 0.5, "tilt": -0.25, "zoom": 1})

    assert (command.pan, command.tilt, command.zoom) == (50, -25, 8)


# --- the lease -----------------------------------------------------------------------------------


def test_the_lock_decides_and_names_the_holder(world: World, camera: Camera, client_for: Callable) -> None:
    operator, admin = client_for(world.operator), client_for(world.admin)
    assert post(operator, url(camera), {"action": "move", "pan": 0.5}).status_code == 202

    refused = post(admin, url(camera), {"action": "move", "pan": -0.5})
    state = admin.get(url(camera)).json()

    assert refused.status_code == 409
    assert refused.json()["detail"].startswith("operator@a.example.test is controlling this camera for up to 1")
    assert refused.json()["lock"]["holder"] == "operator@a.example.test"
    assert refused.json()["lock"]["mine"] is False
    assert state["lock"]["holder"] == "operator@a.example.test"
    assert [action for _, action in ptz_events(camera)] == ["ptz.session", "ptz.move"]


def test_only_managers_take_over(world: World, camera: Camera, client_for: Callable) -> None:
    admin, operator = client_for(world.admin), client_for(world.operator)
    second_operator = make_user("op2@a.example.test")
    make_member(second_operator, world.org_a, Role.OPERATOR)
    post(operator, url(camera), {"action": "move", "pan": 0.5})

    denied = post(client_for(second_operator), url(camera), {"action": "stop", "takeover": True})
    taken = post(admin, url(camera), {"action": "stop", "takeover": True})
    locked_out = post(operator, url(camera), {"action": "move", "pan": 0.5})

    assert denied.status_code == 403 and "Only owners and admins" in denied.json()["detail"]
    assert taken.status_code == 202 and taken.json()["lock"]["holder"] == "admin@a.example.test"
    assert locked_out.status_code == 409 and "admin@a.example.test is controlling" in locked_out.json()["detail"]
    takeover = AuditEvent.objects.get(action="ptz.takeover")
    assert (takeover.actor_label, takeover.detail["taken_from"]) == ("admin@a.example.test", "operator@a.example.test")


def test_release_frees_the_camera(world: World, camera: Camera, client_for: Callable) -> None:
    operator, owner = client_for(world.operator), client_for(world.owner)
    post(operator, url(camera), {"action": "move", "pan": 0.5})

    released = post(operator, url(camera), {"action": "release"})
    taken = post(owner, url(camera), {"action": "move", "pan": 0.5})

    assert released.status_code == 202 and released.json()["lock"]["held"] is False
    assert taken.status_code == 202
    assert [a for _, a in ptz_events(camera)] == ["ptz.session", "ptz.move", "ptz.release", "ptz.session",
                                                  "ptz.move"]


def test_the_lock_lapses(world: World, camera: Camera, client_for: Callable, settings: Any) -> None:
    settings.CCTV_PTZ_LOCK_SECONDS = 1
    post(client_for(world.operator), url(camera), {"action": "move", "pan": 0.5})
    time.sleep(1.2)

    assert post(client_for(world.admin), url(camera), {"action": "move", "pan": 0.5}).status_code == 202


# --- audit ---------------------------------------------------------------------------------------------


def test_a_hold_is_one_move_and_one_stop_in_the_audit(world: World, camera: Camera, client_for: Callable) -> None:
    client = client_for(world.operator)
    for body in ({"action": "move", "pan": 0.5}, {"action": "move", "pan": 0.5}, {"action": "move", "pan": 0.5},
                 {"action": "move", "pan": 0.5, "tilt": 0.5}, {"action": "stop"}, {"action": "stop"},
                 {"action": "home"}):
        assert post(client, url(camera), body).status_code == 202

    events = AuditEvent.objects.filter(action__startswith="ptz.").order_by("pk")

    assert [e.action for e in events] == ["ptz.session", "ptz.move", "ptz.move", "ptz.stop", "ptz.home"]
    assert events[1].detail["pan"] == 0.5
    assert (events[2].detail["pan"], events[2].detail["tilt"]) == (0.5, 0.5)
    assert len({e.detail["session"] for e in events}) == 1
    assert all(e.organization_id == world.org_a.pk and e.actor == world.operator for e in events)


# --- state and presets ------------------------------------------------------------------------------


def test_state_shows_capabilities_lock_and_status(world: World, camera: Camera, client_for: Callable) -> None:
    state = client_for(world.operator).get(url(camera)).json()

    assert state["capabilities"]["continuous_pan_tilt"] is True
    assert state["capabilities"]["ranges"]["zoom"] == [0, 1]
    assert state["lock"] == {"held": False, "holder": None, "mine": False, "expires_in": None}
    assert state["status"]["moving"] is None
    assert state["move_timeout_ms"] == 1000


def test_operators_list_presets_and_managers_change_them(world: World, camera: Camera,
                                                         client_for: Callable) -> None:
    ready = PTZPreset.objects.create(camera=camera, name="Gate", token="preset_7")
    operator, admin = client_for(world.operator), client_for(world.admin)

    listed = operator.get(url(camera, "presets/"))
    operator_create = post(operator, url(camera, "presets/"), {"name": "Yard"})
    operator_delete = operator.delete(url(camera, f"presets/{ready.public_id}/"))
    created = post(admin, url(camera, "presets/"), {"name": "Yard"})
    duplicate = post(admin, url(camera, "presets/"), {"name": "Yard"})
    deleted = admin.delete(url(camera, f"presets/{ready.public_id}/"))

    assert listed.status_code == 200 and [p["name"] for p in listed.json()] == ["Gate"]
    assert listed.json()[0]["ready"] is True
    assert operator_create.status_code == 403 and operator_delete.status_code == 403
    assert created.status_code == 202 and created.json()["ready"] is False
    assert duplicate.status_code == 400 and duplicate.json()["name"] == [
        "This camera already has a preset with this name."
    ]
    assert deleted.status_code == 202  # the camera is asked; the row goes once it has
    assert list(PTZPreset.objects.values_list("name", "removing")) == [("Gate", True), ("Yard", False)]
    assert [(e.action, e.detail["preset"]) for e in AuditEvent.objects.filter(action__startswith="ptz.preset")
            .order_by("pk")] == [("ptz.preset.create", "Yard"), ("ptz.preset.delete", "Gate")]


def test_a_preset_not_yet_on_the_camera_is_deleted_at_once(world: World, camera: Camera,
                                                           client_for: Callable) -> None:
    pending = PTZPreset.objects.create(camera=camera, name="Pending")

    response = client_for(world.admin).delete(url(camera, f"presets/{pending.public_id}/"))

    assert response.status_code == 204
    assert not PTZPreset.objects.exists()


@pytest.mark.parametrize("gone_with", ["itself", "its camera"])
def test_a_preset_deleted_meanwhile_is_a_404(world: World, camera: Camera, gone_with: str) -> None:
    """The schema fuzzer's two connections deleted a preset while its camera was being deleted: a 500
    ("Save with update_fields did not affect any rows"), since the preset was read before the other deletion
    committed and written after."""
    preset = ptz.access_preset(camera, PTZPreset.objects.create(camera=camera, name="Gate", token="p7").public_id)
    gone = PTZPreset.objects.filter(pk=preset.pk) if gone_with == "itself" else Camera.objects.filter(pk=camera.pk)
    gone.delete()  # by another request: this one's preset object is left as it was read

    with pytest.raises(Http404):
        ptz.do_delete_preset(world.admin, preset)
    assert not AuditEvent.objects.filter(action="ptz.preset.delete").exists()


def test_deleting_on_a_camera_that_cannot_is_refused_with_the_reason(world: World, camera: Camera,
                                                                     client_for: Callable) -> None:
    give_capabilities(camera, remove_presets=False, remove_presets_refusal="Optional Action Not Implemented")
    preset = PTZPreset.objects.create(camera=camera, name="Gate", token="preset_7")

    response = client_for(world.admin).delete(url(camera, f"presets/{preset.public_id}/"))
    listed = client_for(world.admin).get(url(camera, "presets/")).json()

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "This camera cannot delete presets (it answered: Optional Action Not Implemented). Remove the preset on "
        "the camera itself; the portal drops it when it next reads the camera's capabilities."
    )
    assert [(p["name"], p["removing"]) for p in listed] == [("Gate", False)]
    assert not AuditEvent.objects.filter(action="ptz.preset.delete").exists()


def test_a_preset_the_camera_no_longer_has_is_simply_removed(ptz_camera: Camera, device: OnvifDevice) -> None:
    """The worker's side, in this process: "no such token" means it is gone already."""
    preset = PTZPreset.objects.create(camera=ptz_camera, name="Gone", token="preset_99", removing=True)

    ptz_device.remove_preset(preset)

    assert device.received("RemovePreset")[0].params["PresetToken"] == "preset_99"
    assert not PTZPreset.objects.exists()


def test_presets_of_other_cameras_are_404(world: World, camera: Camera, client_for: Callable) -> None:
    give_capabilities(world.camera_a1_sub)
    other = PTZPreset.objects.create(camera=world.camera_a1_sub, name="Elsewhere", token="t1")

    response = client_for(world.admin).delete(url(camera, f"presets/{other.public_id}/"))

    assert response.status_code == 404
    assert PTZPreset.objects.filter(pk=other.pk).exists()


def test_goto_an_unsaved_preset_is_refused(world: World, camera: Camera, client_for: Callable) -> None:
    pending = PTZPreset.objects.create(camera=camera, name="Pending")

    body = {"action": "goto_preset", "preset": str(pending.public_id)}
    response = post(client_for(world.operator), url(camera), body)

    assert response.status_code == 400
    assert response.json()["preset"] == ["This preset is still being saved on the camera."]


# --- the live page ----------------------------------------------------------------------------------


def live_page(client: Client, camera: Camera) -> str:
    response = client.get(f"/live/cameras/{camera.public_id}/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_live_page_shows_controls_to_those_who_may_move(world: World, camera: Camera,
                                                            client_for: Callable) -> None:
    operator_page = live_page(client_for(world.operator), camera)
    admin_page = live_page(client_for(world.admin), camera)
    viewer_page = live_page(client_for(world.viewer), camera)

    assert "data-ptz-dir=\"left\"" in operator_page and "ptz-controls.js" in operator_page
    assert f"/api/v1/cameras/{camera.public_id}/ptz/" in operator_page
    assert "data-ptz-preset-form" not in operator_page and "data-ptz-preset-form" in admin_page
    assert "data-ptz" not in viewer_page and "ptz-controls.js" not in viewer_page
    assert "secret" not in operator_page  # ONVIF credentials never reach a page


def test_the_live_page_offers_only_what_the_camera_supports(world: World, camera: Camera,
                                                            client_for: Callable) -> None:
    give_capabilities(camera, continuous_zoom=False, presets=False)
    page = live_page(client_for(world.operator), camera)

    assert "data-ptz-dir=\"up\"" in page and "data-ptz-dir=\"in\"" not in page
    assert "data-ptz-presets" not in page


def test_no_controls_without_ptz(world: World, client_for: Callable) -> None:
    assert "data-ptz" not in live_page(client_for(world.operator), world.camera_a2)


def test_capabilities_can_be_read_again_on_demand(world: World, camera: Camera, client_for: Callable,
                                                  queued_work: CapturedWork) -> None:
    queued = post(client_for(world.operator), url(camera, "capabilities/"), {})
    refused = post(client_for(world.viewer), url(camera, "capabilities/"), {})
    no_onvif = post(client_for(world.operator), url(world.camera_a2, "capabilities/"), {})

    assert (queued.status_code, refused.status_code, no_onvif.status_code) == (202, 403, 400)
    assert queued_work == [QueuedWork("cameras.tasks.refresh_ptz_capabilities", (camera.pk,))]
