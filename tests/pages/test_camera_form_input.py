"""The camera form keeps what the person typed after an error, and "Test connection"'s input rules.

The probe itself runs against a real gateway in tests/live/test_source_probe.py;
these are the answers given before any gateway is involved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from django.urls import reverse

from cameras import source_probe
from cameras.models import Camera
from cameras.sources import without_password
from tests.conftest import World

TYPED = "rtsp://installer:Typed-Secret-55@192.168.10.5:554/Streaming/Channels/101?user=installer&password=Q-Secret-9"


def _value_of(body: str, name: str) -> str | None:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', body)
    assert tag, f"no input {name}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1).replace("&amp;", "&") if value else None


def test_a_form_error_keeps_the_typed_fields_but_not_the_passwords(world: World, client_for: Callable) -> None:
    data = {"name": "", "site": str(world.site_a1.public_id), "main_source": TYPED, "main_password": "Box-Secret-1",
            "sub_source": "rtsp://installer@192.168.10.5/sub", "onvif_host": "192.168.10.5", "onvif_port": 8000,
            "onvif_username": "ptz-admin", "onvif_password": "Onvif-Secret-2", "enabled": "on"}

    response = client_for(world.admin).post(reverse("camera_create"), data)

    body = response.content.decode()
    assert response.status_code == 200 and "name" in response.context["form"].errors
    assert _value_of(body, "main_source") == (
        "rtsp://installer@192.168.10.5:554/Streaming/Channels/101?user=installer&password=")
    assert _value_of(body, "sub_source") == "rtsp://installer@192.168.10.5/sub"
    assert _value_of(body, "onvif_host") == "192.168.10.5"
    assert _value_of(body, "onvif_port") == "8000"
    assert _value_of(body, "onvif_username") == "ptz-admin"
    for secret in ("Typed-Secret-55", "Q-Secret-9", "Box-Secret-1", "Onvif-Secret-2"):
        assert secret not in body
    assert not Camera.objects.filter(site=world.site_a1, main_source__contains="192.168.10.5").exists()


def test_the_password_box_goes_into_the_saved_source(world: World, client_for: Callable) -> None:
    data = {"name": "Gate", "site": str(world.site_a1.public_id), "main_source": "rtsp://installer@192.168.10.5/s1",
            "main_password": "p@ss/word", "onvif_port": 80, "enabled": "on"}

    response = client_for(world.admin).post(reverse("camera_create"), data)

    assert response.status_code == 302
    assert Camera.objects.get(name="Gate").main_source == "rtsp://installer:p%40ss%2Fword@192.168.10.5/s1"


def test_a_password_without_a_user_is_an_inline_error(world: World, client_for: Callable) -> None:
    data = {"name": "Gate", "site": str(world.site_a1.public_id), "main_source": "rtsp://192.168.10.5/s1",
            "main_password": "secret", "onvif_port": 80, "enabled": "on"}

    response = client_for(world.admin).post(reverse("camera_create"), data)

    assert response.status_code == 200
    assert "user name" in str(response.context["form"].errors["main_source"])


@pytest.mark.parametrize(("typed", "shown"), [
    ("rtsp://u:p@h/s", "rtsp://u@h/s"),
    ("rtsp://u@h:554/s?a=1", "rtsp://u@h:554/s?a=1"),
    ("rtsp://h/s?Token=abc&x=1", "rtsp://h/s?Token=&x=1"),
    ("not a url", "not a url"),
])
def test_without_password(typed: str, shown: str) -> None:
    assert without_password(typed) == shown


# --- "Test connection": the answers given before any gateway is asked -------------------------


def _post(client: object, url: str, body: object, content_type: str = "application/json") -> object:
    return client.post(url, body, content_type=content_type)  # type: ignore[attr-defined]


@pytest.mark.parametrize(("body", "words"), [
    ("{not json", "JSON"),
    ("[1, 2]", "JSON object"),
    ('{"stream": "third", "source": "rtsp://192.168.1.2/x"}', "main or the sub"),
    ('{"source": 5}', "must be text"),
    ('{"source": ""}', "Enter the stream"),
    ('{"source": "http://192.168.1.2/x.jpg"}', "rtsp://"),
    ('{"source": "rtsp://192.168.1.2/x", "password": "p"}', "user name"),
])
def test_bad_input_is_a_clear_400(world: World, client_for: Callable, body: str, words: str) -> None:
    response = _post(client_for(world.admin), reverse("camera_test_new_source"), body)

    assert response.status_code == 400
    assert words in response.json()["detail"]


def test_a_viewer_cannot_test_and_a_foreign_camera_is_404(world: World, client_for: Callable) -> None:
    body = {"source": "rtsp://192.168.1.2/x"}

    assert _post(client_for(world.viewer), reverse("camera_test_new_source"), body).status_code == 403
    foreign = reverse("camera_test_source", args=[world.camera_b.public_id])
    assert _post(client_for(world.admin), foreign, body).status_code == 404
    mine = reverse("camera_test_source", args=[world.camera_a1.public_id])
    assert _post(client_for(world.viewer), mine, body).status_code == 403


def test_only_post(world: World, client_for: Callable) -> None:
    assert client_for(world.admin).get(reverse("camera_test_new_source")).status_code == 405


def test_tests_are_limited_per_person(world: World, client_for: Callable, monkeypatch: pytest.MonkeyPatch) -> None:
    # One fixed moment, so the test never straddles two windows.
    monkeypatch.setattr(source_probe, "time", SimpleNamespace(time=lambda: 1_800_000_030.0))
    admin, owner = client_for(world.admin), client_for(world.owner)
    url, body = reverse("camera_test_new_source"), {"source": "exec:ls"}

    answers = [_post(admin, url, body).status_code for _ in range(source_probe.TESTS_PER_WINDOW)]
    over = _post(admin, url, body)

    assert answers == [400] * source_probe.TESTS_PER_WINDOW
    assert over.status_code == 429
    assert int(over["Retry-After"]) >= 1
    assert "wait" in over.json()["detail"]
    assert _post(owner, url, body).status_code == 400  # another person has their own allowance
