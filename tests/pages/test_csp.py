"""The Content-Security-Policy header on every kind of page, and what it allows (portal/csp.py).

The browser half (pages really load and play under this policy, with no
violation) is tests/live/test_browser_csp.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse

from portal.csp import s3_origins
from portal.csp_middleware import socket_origin
from tests.conftest import World

ADMIN_PAGES = [
    ("dashboard", []),
    ("site_list", []),
    ("site_create", []),
    ("site_edit", ["site_a1"]),
    ("camera_create", []),
    ("camera_detail", ["camera_a1"]),
    ("camera_edit", ["camera_a1"]),
    ("camera_delete", ["camera_a1"]),
    ("camera_motion", ["camera_a1"]),
    ("live_grid", []),
    ("live_camera", ["camera_a1"]),
    ("clip_list", []),
    ("alert_list", []),
    ("notification_list", []),
    ("notification_rule_create", []),
    ("webhook_create", []),
    ("member_list", []),
    ("member_add", []),
    ("token_list", []),
    ("token_create", []),
    ("audit_log", []),
    ("organization_settings", []),
    ("mfa_index", []),
    ("account_change_password", []),
    ("api-docs", []),
    ("admin:index", []),
    ("admin:cameras_camera_change", ["camera_a1"]),
    ("camera-list", []),  # the API (JSON)
]


def policy_of(response) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    header = response.headers.get("Content-Security-Policy")
    assert header, f"no Content-Security-Policy on {response.request['PATH_INFO']}"
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def assert_strict(policy: dict[str, list[str]]) -> None:
    everything = [value for values in policy.values() for value in values]
    assert "'unsafe-inline'" not in everything and "'unsafe-eval'" not in everything
    assert [v for v in policy["script-src"] if not v.startswith("'nonce-")] == ["'self'"]
    assert [v for v in policy["style-src"] if not v.startswith("'nonce-")] == ["'self'"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["form-action"] == ["'self'"]
    assert "blob:" in policy["media-src"] and "data:" in policy["img-src"]


@pytest.mark.parametrize(("name", "args"), ADMIN_PAGES, ids=[name for name, _ in ADMIN_PAGES])
def test_every_page_of_an_admin_has_the_strict_policy(
    world: World, client_for: Callable, name: str, args: list[str]
) -> None:
    url_args = [getattr(world, arg).pk if name.startswith("admin:") else getattr(world, arg).public_id for arg in args]
    response = client_for(world.admin).get(reverse(name, args=url_args))

    assert response.status_code == 200
    policy = policy_of(response)
    assert_strict(policy)
    assert policy["connect-src"] == ["'self'", "ws://testserver"]


@pytest.mark.parametrize("name", ["account_login", "account_reset_password", "account_signup"])
def test_pages_for_people_not_signed_in_have_it(db: None, name: str) -> None:
    response = Client().get(reverse(name))
    assert response.status_code in (200, 302)
    assert_strict(policy_of(response))


def test_error_pages_have_it(world: World, client_for: Callable) -> None:
    missing = client_for(world.admin).get("/no-such-page/")
    refused = client_for(world.viewer).get(reverse("member_list"))

    assert missing.status_code == 404 and refused.status_code == 403
    assert_strict(policy_of(missing))
    assert_strict(policy_of(refused))


@override_settings(ROOT_URLCONF="tests.pages.error_urls")
def test_the_server_error_page_has_it_and_needs_nothing_inline(db: None) -> None:
    client = Client(raise_request_exception=False)
    response = client.get("/test-server-error/")

    assert response.status_code == 500
    assert_strict(policy_of(response))
    assert "style=" not in response.content.decode()


def test_an_inline_script_or_style_runs_only_with_the_pages_own_nonce(world: World, client_for: Callable) -> None:
    client = client_for(world.admin)
    docs = client.get(reverse("api-docs"))
    grid = client.get(reverse("live_grid"))

    for response, tag in ((docs, "script"), (docs, "style"), (grid, "style")):
        nonces = re.findall(rf"<{tag} nonce=\"([^\"]+)\"", response.content.decode())
        header_nonce = next(v for v in policy_of(response)[f"{tag}-src"] if v.startswith("'nonce-"))
        assert nonces and all(f"'nonce-{nonce}'" == header_nonce for nonce in nonces)
    assert docs.content.decode().count("<script>") == 0  # no inline script without the nonce


def test_pages_without_inline_code_send_no_nonce(world: World, client_for: Callable) -> None:
    policy = policy_of(client_for(world.admin).get(reverse("dashboard")))
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]


def test_the_socket_origin_follows_the_request() -> None:
    factory = RequestFactory()
    assert socket_origin(factory.get("/", HTTP_HOST="localhost:8000")) == "ws://localhost:8000"
    assert socket_origin(factory.get("/", HTTP_HOST="localhost", secure=True)) == "wss://localhost"
    assert socket_origin(factory.get("/", HTTP_HOST="evil.example")) is None  # not an allowed host


def test_a_request_for_a_foreign_host_is_refused_not_broken(db: None) -> None:
    response = Client(HTTP_HOST="evil.example").get(reverse("account_login"))
    assert response.status_code == 400
    assert "evil.example" not in response.headers.get("Content-Security-Policy", "")


def test_presigned_clip_urls_are_allowed_as_media_and_images() -> None:
    assert s3_origins("clips", "http://127.0.0.1:9000", None, "path") == ["http://127.0.0.1:9000"]
    assert s3_origins("clips", "https://s3.example.com", None, None) == [
        "https://s3.example.com", "https://clips.s3.example.com"]
    assert s3_origins("clips", None, "eu-west-1", None) == [
        "https://clips.s3.amazonaws.com", "https://clips.s3.eu-west-1.amazonaws.com",
        "https://s3.eu-west-1.amazonaws.com"]


def test_the_browsable_api_alone_allows_inline_styles_and_its_scripts_stay_strict(
    world: World, client_for: Callable
) -> None:
    client = client_for(world.admin)
    html = client.get(reverse("camera-list"), HTTP_ACCEPT="text/html")
    json_answer = client.get(reverse("camera-list"), HTTP_ACCEPT="application/json")

    assert html["Content-Type"].startswith("text/html")
    policy = policy_of(html)
    assert policy["style-src-attr"] == ["'unsafe-inline'"]
    assert policy["style-src-elem"] == ["'self'", "'unsafe-inline'"]
    assert policy["script-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert_strict(policy_of(json_answer))
    assert "style-src-attr" not in policy_of(json_answer)
