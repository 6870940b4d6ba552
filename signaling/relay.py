"""What may cross the live relay, in each direction. Pure functions, no I/O.

The browser speaks go2rtc's WebSocket protocol (``{"type", "value"}`` JSON
text frames, plus binary MSE segments from the gateway). Only the types
below pass; every message is re-serialised with just those two keys, so
nothing else a client adds reaches the gateway, and gateway errors are
replaced by fixed sentences (go2rtc's own texts can carry a source URL).
"""

from __future__ import annotations

import json
from typing import Any

from signaling.protocol import RelayError

CLIENT_TYPES = frozenset({"webrtc/offer", "webrtc/candidate", "mse"})
GATEWAY_TYPES = frozenset({"webrtc/answer", "webrtc/candidate", "mse", "error"})
MAX_TEXT_FRAME = 64 * 1024  # an SDP offer with many candidates stays far below this


class RelayRefused(ValueError):
    """A frame that must not be relayed."""


def _parse(text: str) -> dict[str, Any]:
    if len(text) > MAX_TEXT_FRAME:
        raise RelayRefused("message too large")
    try:
        message = json.loads(text)
    except ValueError:
        raise RelayRefused("not JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("type"), str):
        raise RelayRefused("not a typed message")
    return message


def _value(message: dict[str, Any]) -> str:
    value = message.get("value", "")
    if not isinstance(value, str):
        raise RelayRefused("value must be a string")
    return value


def client_to_gateway(text: str) -> str:
    """Filter one text frame from the browser; returns what to send upstream."""
    message = _parse(text)
    if message["type"] not in CLIENT_TYPES:
        raise RelayRefused(f"message type {message['type'][:40]!r} is not allowed")
    return json.dumps({"type": message["type"], "value": _value(message)})


def gateway_to_client(text: str) -> str | None:
    """Filter one text frame from go2rtc; None means drop it."""
    try:
        message = _parse(text)
    except RelayRefused:
        return None
    kind = message["type"]
    if kind not in GATEWAY_TYPES:
        return None
    if kind == "error":
        return json.dumps({"type": "error", "value": explain_gateway_error(str(message.get("value", "")))})
    try:
        return json.dumps({"type": kind, "value": _value(message)})
    except RelayRefused:
        return None


def explain_gateway_error(raw: str) -> str:
    """A sentence for a person, chosen from go2rtc's error text without repeating it."""
    lowered = raw.lower()
    if "stream not found" in lowered:
        return f"{RelayError.STREAM_UNAVAILABLE}: The camera's stream is not on its gateway yet; retrying shortly."
    if "codecs not matched" in lowered:
        return f"{RelayError.CODEC_MISMATCH}: This camera's video format cannot be played by this browser."
    return f"{RelayError.CAMERA_UNREACHABLE}: The camera could not be reached by the video gateway."


def error_frame(code: RelayError, text: str) -> str:
    return json.dumps({"type": "error", "value": f"{code}: {text}"})
