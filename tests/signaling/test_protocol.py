"""The socket protocol's words reach the browser from Python: every page carries the consumers' own codes."""

from __future__ import annotations

import json
import re
import uuid

from django.test import Client
from django.urls import reverse

from signaling.protocol import EVENTS_PATH, LIVE_PATH, CloseCode, RelayError, browser_config
from signaling.routing import websocket_urlpatterns


def _page_config(html: str) -> dict:
    match = re.search(r'<script id="page-config" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page has no page-config block"
    return json.loads(match.group(1))


def test_every_page_carries_the_close_and_error_codes_the_consumers_send(db: None) -> None:
    config = _page_config(Client().get(reverse("account_login")).content.decode())

    assert sorted(config["closeCodes"].values()) == sorted(CloseCode.items().values())
    assert config["closeCodes"]["notFound"] == CloseCode.NOT_FOUND == 4404
    assert sorted(config["relayErrors"].values()) == sorted(str(code) for code in RelayError)
    assert config["relayErrors"]["codecMismatch"] == "codec_mismatch"
    assert config == browser_config()


def test_close_codes_are_exact_ints() -> None:
    """Regression: as an IntEnum, Daphne's autobahn refused every code and closed sockets with 1011 instead."""
    assert {type(code) for code in CloseCode.items().values()} == {int}


def test_the_page_config_names_the_routed_socket_paths() -> None:
    sockets = browser_config()["sockets"]
    live = sockets["live"].format(camera=uuid.uuid4()).lstrip("/")

    def routed(path: str) -> bool:
        return any(pattern.pattern.match(path) for pattern in websocket_urlpatterns)

    assert sockets["events"] == "/" + EVENTS_PATH and routed(EVENTS_PATH)
    assert sockets["live"] == "/" + LIVE_PATH
    assert routed(live) and routed(live + "sub/") and routed(live + "main/")
    assert not routed(live + "other/")
