"""The words the portal's sockets and the browser share: close codes, relay error codes, socket paths, alerts' fields.

One source of truth: the consumers send these, the routing serves these
paths, and ``browser_config`` hands the same values to the page (through
``signaling.context_processors.page_config``), so static/js never copies a
number or a code from Python.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Final

# The motion alert message on the event stream, field by field and in this order: the facts every
# channel of an alert carries (webhooks too, recordings.motion.payload builds both), then the portal's
# own links and the site's time zone. The event consumer forwards exactly these fields.
MOTION_ALERT_FACTS: Final = ("type", "event", "camera", "camera_name", "site_name", "started_at", "peak_score",
                             "boxes")
MOTION_ALERT_FIELDS: Final = (*MOTION_ALERT_FACTS, "snapshot_url", "url", "play_url", "camera_url", "site_timezone")


class CloseCode:
    """WebSocket close codes the consumers end a socket with.

    Plain ints, not an IntEnum: Daphne's WebSocket library (autobahn) accepts
    only an exact int as a close code and fails the close (1011) otherwise.
    """

    UNAUTHENTICATED: Final = 4401
    MFA_REQUIRED: Final = 4403  # the organization requires two-factor and the person has not set it up
    NOT_FOUND: Final = 4404  # missing, foreign, or no longer allowed: the same answer
    LIMIT: Final = 4429  # too many live sessions for this user
    UPSTREAM: Final = 4502  # the camera's gateway could not be reached
    TRY_LATER: Final = 1013  # the portal's own session store is briefly down

    @classmethod
    def items(cls) -> dict[str, int]:
        return {name: value for name, value in vars(cls).items() if name.isupper()}


class RelayError(StrEnum):
    """Codes of the live relay's ``{"type": "error", "value": "<code>: <sentence>"}`` frames."""

    STREAM_UNAVAILABLE = "stream_unavailable"
    CODEC_MISMATCH = "codec_mismatch"
    CAMERA_UNREACHABLE = "camera_unreachable"
    CAMERA_UNAVAILABLE = "camera_unavailable"
    GATEWAY_UNREACHABLE = "gateway_unreachable"
    ACCESS_REVOKED = "access_revoked"
    TOO_MANY_SESSIONS = "too_many_sessions"
    LIVE_UNAVAILABLE = "live_unavailable"
    REFUSED = "refused"


# Socket paths (without the leading slash, as the ASGI router sees them).
EVENTS_PATH = "ws/events/"
LIVE_PATH = "ws/cameras/{camera}/live/"  # + "sub/" for the sub stream


def _camel(name: str) -> str:
    first, *rest = name.lower().split("_")
    return first + "".join(word.capitalize() for word in rest)


def browser_config() -> dict[str, Any]:
    """What static/js needs of the socket protocol, JSON-ready (names in camelCase)."""
    return {
        "closeCodes": {_camel(name): code for name, code in CloseCode.items().items()},
        "relayErrors": {_camel(code.name): str(code) for code in RelayError},
        "sockets": {"events": "/" + EVENTS_PATH, "live": "/" + LIVE_PATH},
    }
