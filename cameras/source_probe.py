""""Test connection": ask a gateway whether a camera source plays, without saving anything.

The person's source goes through exactly the checks a save makes
(``check_camera_source``: scheme allow-list, no gateway options, the host
rules of ``cameras.hosts``) and then the push-time check (``gateway_source``:
resolved again and pinned to the checked address) *before* any gateway is
asked, so the test cannot reach loopback, this machine, a gateway or the
portal's own services, nor anything a saved camera could not reach. The
gateway then gets a temporary stream of its own: a random name nobody can
guess, refused if go2rtc would make the source an alias of a stream it
already carries (``names_a_stream``), probed once and deleted whatever
happened. Only the portal's own sentences go back to the browser, never
go2rtc's text (it may name addresses) nor the source.

A person may run a few tests a minute (``TESTS_PER_WINDOW``): every test
makes the gateway dial an address of the tenant's choosing, and the limit
keeps that from becoming a scanner of the cameras' network.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from urllib.parse import quote

from django.core.cache import cache
from django.core.exceptions import ValidationError

from cameras import hosts
from cameras.gateways import least_loaded_gateway
from cameras.go2rtc import Go2RTCClient, Go2RTCError, ProbeReply
from cameras.models import Camera, Gateway
from cameras.sources import ADDRESS_MESSAGE, check_camera_source, gateway_source, names_a_stream

logger = logging.getLogger(__name__)

TESTS_PER_WINDOW = 10
WINDOW_SECONDS = 60
# go2rtc gives up dialling a camera after 5 s (core.ConnDialTimeout); a little more for DESCRIBE.
PROBE_TIMEOUT_SECONDS = 8.0
PROBE_PREFIX = "probe-"
# What a browser plays live in every case (WebRTC and MSE); anything else is worth a warning.
PLAYABLE_VIDEO = frozenset({"H264"})


class Outcome(StrEnum):
    REACHABLE = "reachable"
    WRONG_PASSWORD = "wrong_password"  # noqa: S105  (an outcome name)
    NO_SUCH_STREAM = "no_such_stream"
    UNREACHABLE = "unreachable"
    CODEC = "codec"


@dataclass(frozen=True)
class ProbeResult:
    """What a test found, in words for the person who asked."""

    outcome: Outcome
    message: str
    codecs: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.outcome == Outcome.REACHABLE

    def as_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome.value, "ok": self.ok, "message": self.message, "codecs": list(self.codecs)}


class GatewayUnavailable(Exception):
    """No gateway could run the test (down, refusing the portal, none enabled)."""


# --- the per-person allowance ----------------------------------------------------------------


def wait_before_next_test(user_id: int) -> int:
    """Count one test for this person; the seconds to wait if they are over the limit, else 0."""
    window = int(time.time() // WINDOW_SECONDS)
    key = f"cctv:source-test:{user_id}:{window}"
    cache.add(key, 0, timeout=WINDOW_SECONDS * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=WINDOW_SECONDS * 2)
        count = 1
    if count <= TESTS_PER_WINDOW:
        return 0
    return max(1, (window + 1) * WINDOW_SECONDS - int(time.time()))


# --- the source ------------------------------------------------------------------------------


def with_password(source: str, password: str) -> str:
    """The source with ``password`` put into its user part (the form's separate password box).

    ``ValidationError`` when the URL names no user to go with it.
    """
    if not password:
        return source
    scheme, sep, rest = source.partition("://")
    authority, slash, path = rest.partition("/")
    if not sep or "@" not in authority:
        raise ValidationError(
            "Put the user name in the address (rtsp://user@host/...) to go with the password.", code="user"
        )
    userinfo, host = authority.rsplit("@", 1)
    user = userinfo.split(":", 1)[0]
    if not user:
        raise ValidationError(
            "Put the user name in the address (rtsp://user@host/...) to go with the password.", code="user"
        )
    return f"{scheme}://{user}:{quote(password, safe='')}@{host}{slash}{path}"


def source_to_test(typed: str, password: str, stored: str = "") -> str:
    """The checked source a test should use: what was typed (with its password), else the stored one.

    Raises ``ValidationError`` with the same words a save would show.
    """
    if typed:
        return check_camera_source(with_password(typed, password))
    if stored:
        return check_camera_source(stored)
    raise ValidationError("Enter the stream's address to test it.", code="required")


def gateway_for(camera: Camera | None) -> Gateway:
    """The camera's own gateway, or the one a new camera would get."""
    if camera is not None:
        return camera.gateway
    try:
        return least_loaded_gateway()
    except Gateway.DoesNotExist as exc:
        raise GatewayUnavailable(str(exc)) from None


# --- the probe -------------------------------------------------------------------------------


def probe_source(source: str, gateway: Gateway) -> ProbeResult:
    """Probe a checked source through a temporary stream on ``gateway``; nothing is saved.

    ``ValidationError`` if the source may not go to a gateway now (host
    rules, or it would alias a stream the gateway carries);
    ``GatewayUnavailable`` if the gateway cannot be asked.
    """
    pinned = gateway_source(source, hosts.forbidden_targets())
    name = PROBE_PREFIX + secrets.token_hex(20)
    client = Go2RTCClient(gateway.api_url, gateway.api_username, gateway.api_password, timeout=PROBE_TIMEOUT_SECONDS)
    try:
        try:
            listing = client.streams()
        except Go2RTCError as exc:
            raise GatewayUnavailable(str(exc)) from None
        if names_a_stream(pinned, listing):
            # go2rtc would alias the source to that stream: the test would show another camera.
            raise ValidationError(ADDRESS_MESSAGE, code="gateway")
        try:
            client.replace_stream(name, pinned)
        except Go2RTCError as exc:
            _forget(client, name)
            raise GatewayUnavailable(str(exc)) from None
        try:
            reply = client.probe_detail(name)
        except Go2RTCError as exc:
            # The gateway took the stream but the probe did not come back in time: the camera's silence.
            logger.info("source test on gateway %s got no answer: %s", gateway.name, exc)
            return ProbeResult(Outcome.UNREACHABLE, f"The camera did not answer within {PROBE_TIMEOUT_SECONDS:g} "
                               "seconds. Check the address and port.")
        finally:
            _forget(client, name)
    finally:
        client.close()
    return judge(reply)


def _forget(client: Go2RTCClient, name: str) -> None:
    try:
        client.delete_stream(name)
    except Go2RTCError as exc:
        logger.warning("source test stream %s could not be deleted: %s", name, exc)


def judge(reply: ProbeReply) -> ProbeResult:
    """Turn go2rtc's probe answer into an outcome and a sentence."""
    if not reply.found:
        return ProbeResult(Outcome.UNREACHABLE, "The gateway lost the test stream; try again.")
    if reply.error:
        return _judge_error(reply.error.lower())
    # Each media reads "kind, direction, CODEC[, CODEC...]".
    parts = [[word.strip() for word in media.split(",")] for media in reply.medias]
    codecs = tuple(dict.fromkeys(codec for words in parts for codec in words[2:] if codec))
    video = list(dict.fromkeys(codec for words in parts if words[0] == "video" for codec in words[2:] if codec))
    if not video:
        return ProbeResult(Outcome.CODEC, "The camera answered, but its stream carries no video.", codecs)
    if not PLAYABLE_VIDEO & set(video):
        return ProbeResult(
            Outcome.CODEC,
            f"The camera answered, but its video is {', '.join(video)}; browsers play H.264 live everywhere. "
            "Set this stream to H.264 in the camera's settings.",
            codecs,
        )
    return ProbeResult(Outcome.REACHABLE, f"Reachable: the camera sends {', '.join(codecs)}.", codecs)


def _judge_error(error: str) -> ProbeResult:
    if "user/pass" in error:
        return ProbeResult(Outcome.WRONG_PASSWORD, "The camera refused the user name or password.")
    if "wrong response on describe" in error or "404" in error:
        return ProbeResult(
            Outcome.NO_SUCH_STREAM,
            "The camera answered, but has no stream at that path. Check the path after the address.",
        )
    if "codecs not matched" in error:
        return ProbeResult(Outcome.CODEC, "The camera answered, but with no video or audio the portal can read.")
    if "timeout" in error or "deadline" in error:
        return ProbeResult(Outcome.UNREACHABLE, "The camera did not answer in time. Check the address and port.")
    if "refused" in error:
        return ProbeResult(Outcome.UNREACHABLE, "Nothing answers at that address and port.")
    return ProbeResult(Outcome.UNREACHABLE, "The gateway could not open the stream. Check the address and port.")
