"""Signed webhooks: the target rules, the signature, the body and the one HTTP call.

Every delivery is one ``POST`` of a JSON body with these headers::

    Content-Type: application/json
    X-CCTV-Event: motion.alert | recording.stopped | storage.quota | webhook.test
    X-CCTV-Delivery: <delivery id>      (the same on every retry: deduplicate on it)
    X-CCTV-Timestamp: <unix seconds>
    X-CCTV-Signature: v1=<hex HMAC-SHA256(secret, b"<timestamp>." + body)>

A receiver recomputes the HMAC with the endpoint's secret over the timestamp,
a dot and the raw body bytes, compares it in constant time, and refuses a
timestamp more than five minutes from its own clock (a replayed request):
``verify`` does exactly that. The body names the event, the camera, the site
and a link to the alert in the portal; never a camera source, a gateway
address or a credential.

Targets are ``http``/``https`` URLs of at most 500 characters without
``user:password@``. Every address the host resolves to must be a public one
(not loopback, private, link-local, shared, multicast or reserved) unless
``CCTV_WEBHOOK_ALLOW_PRIVATE_TARGETS`` is on. The check runs when the URL is
saved and again before each delivery, and the connection then goes to the
address that was checked, so a DNS answer that changes in between (DNS
rebinding) cannot turn a webhook against the portal's own network.
Redirects are not followed. A 2xx answer is a delivery; 408, 429, 5xx,
timeouts and network errors may succeed later; any other answer will not.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.urls import reverse

from recordings.models import MotionEvent, WebhookEndpoint

EVENT_ALERT = "motion.alert"
EVENT_TEST = "webhook.test"
SIGNATURE_VERSION = "v1"
TOLERANCE_SECONDS = 300
TIMEOUT_SECONDS = 5.0
MAX_URL_LENGTH = 500
USER_AGENT = "CCTV-Portal-Webhooks/1"

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class DeliveryError(Exception):
    """A webhook call failed; ``message`` says why in words, ``retryable`` whether trying later can help."""

    def __init__(self, message: str, *, retryable: bool, status_code: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.status_code = status_code


# --- signing ------------------------------------------------------------------------


def generate_secret() -> str:
    return secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int | str, body: bytes) -> str:
    """The ``X-CCTV-Signature`` value for a body sent at ``timestamp``."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"{SIGNATURE_VERSION}={digest}"


def verify(secret: str, timestamp: str | int, body: bytes, signature: str,
           tolerance: int = TOLERANCE_SECONDS, *, now: float | None = None) -> bool:
    """Whether a received request is authentic and fresh (for receivers and tests)."""
    try:
        sent_at = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent_at) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent_at, body), signature or "")


def headers(secret: str, body: bytes, *, event: str, delivery_id: int | str, timestamp: int | None = None) -> dict:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-CCTV-Event": event,
        "X-CCTV-Delivery": str(delivery_id),
        "X-CCTV-Timestamp": str(timestamp),
        "X-CCTV-Signature": sign(secret, timestamp, body),
    }


# --- bodies -------------------------------------------------------------------------------


def alert_url(event: MotionEvent) -> str:
    """Absolute link to the alert in the portal (``CCTV_PUBLIC_URL``)."""
    return f"{settings.CCTV_PUBLIC_URL.rstrip('/')}{reverse('alert_list')}?event={event.public_id}"


def recording_url(event: MotionEvent) -> str:
    """Absolute link to the camera's timeline playing the event from its pre-roll; empty for a deleted camera."""
    if event.camera is None:
        return ""
    path = reverse("camera_timeline", args=[event.camera.public_id])
    return f"{settings.CCTV_PUBLIC_URL.rstrip('/')}{path}?event={event.public_id}"


def camera_url(event: MotionEvent) -> str:
    """Absolute link to the camera's page with this event on it ("" once the camera was deleted)."""
    from recordings.motion import camera_page_url

    path = camera_page_url(event)
    return f"{settings.CCTV_PUBLIC_URL.rstrip('/')}{path}" if path else ""


def _encode(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def alert_body(event: MotionEvent, delivery_id: int) -> bytes:
    camera = event.camera
    return _encode({
        "type": EVENT_ALERT,
        "delivery": str(delivery_id),
        "event": str(event.public_id),
        "camera": str(camera.public_id) if camera else None,
        "camera_name": event.camera_name,
        "site_name": camera.site.name if camera else "",
        "started_at": event.started_at.isoformat(),
        "peak_score": round(event.peak_score, 4),
        "boxes": event.boxes,
        "url": alert_url(event),
    })


def test_body(webhook: WebhookEndpoint, delivery_id: int, sent_at: str) -> bytes:
    return _encode({
        "type": EVENT_TEST,
        "delivery": str(delivery_id),
        "webhook": str(webhook.public_id),
        "webhook_name": webhook.name,
        "sent_at": sent_at,
        "message": "A test delivery from the CCTV portal. Check its signature as you will for alerts.",
    })


# --- targets --------------------------------------------------------------------------


def _allow_private() -> bool:
    return bool(getattr(settings, "CCTV_WEBHOOK_ALLOW_PRIVATE_TARGETS", False))


def _as_ip(value: str) -> Address | None:
    try:
        address = ipaddress.ip_address(value.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def refusal(address: Address) -> str | None:
    """Why webhooks may not call this address, or None if they may."""
    if address.is_unspecified or address.is_multicast:
        return "an unspecified or multicast address"
    if _allow_private() or address.is_global:
        return None
    if address.is_loopback:
        return "this machine (a loopback address)"
    if address.is_link_local:
        return "a link-local address"
    if address.is_private:
        return "a private network address"
    return "a reserved address, not a public internet one"


def resolve(host: str, port: int) -> list[Address]:
    """The addresses of ``host``; ``OSError`` if it cannot be resolved."""
    literal = _as_ip(host)
    if literal is not None:
        return [literal]
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found = [_as_ip(str(info[4][0])) for info in infos]
    return list(dict.fromkeys(address for address in found if address is not None))


def _checked_address(host: str, port: int, refuse: Callable[[str], Exception], unresolved: Exception) -> Address:
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        raise unresolved from None
    if not addresses:
        raise unresolved
    for address in addresses:
        reason = refusal(address)
        if reason:
            raise refuse(f"The webhook URL points at {reason}; webhooks may only call public internet addresses.")
    return addresses[0]


def clean_url(value: Any) -> str:
    """Check a webhook URL from a form or the API; return it as stored. Resolves the host."""
    url = value.strip() if isinstance(value, str) else ""
    if not url:
        raise ValidationError("Enter the URL of the receiver, e.g. https://example.com/cctv-hook.")
    if len(url) > MAX_URL_LENGTH:
        raise ValidationError(f"Keep the URL under {MAX_URL_LENGTH} characters.")
    if any(char.isspace() or ord(char) < 32 or ord(char) == 127 for char in url):
        raise ValidationError("A URL cannot contain spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise ValidationError("This is not a valid URL (check the host and the port).") from None
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https"):
        raise ValidationError("Use an http:// or https:// URL.")
    if "@" in parts.netloc:
        raise ValidationError("Leave the user name and password out of the URL: the signature proves who sends.")
    host = parts.hostname
    if not host:
        raise ValidationError("The URL has no host name.")
    unresolved = ValidationError(f"The host name {host} could not be found (DNS).")
    _checked_address(host, port or (443 if scheme == "https" else 80), ValidationError, unresolved)
    return urlunsplit((scheme, parts.netloc, parts.path or "/", parts.query, ""))


def _pinned(url: str) -> tuple[str, str, dict[str, Any]]:
    """The URL with its host replaced by a checked address, the Host header and httpx extensions."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    default_port = 443 if parts.scheme == "https" else 80
    unresolved = DeliveryError(f"The host name {host} could not be resolved.", retryable=True)

    def refuse(message: str) -> DeliveryError:
        return DeliveryError(message, retryable=False)

    address = _checked_address(host, parts.port or default_port, refuse, unresolved)
    literal = f"[{address}]" if address.version == 6 else str(address)
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    extensions = {"sni_hostname": host} if parts.scheme == "https" and _as_ip(host) is None else {}
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, "")), parts.netloc, extensions


# --- sending --------------------------------------------------------------------------


def send(url: str, body: bytes, request_headers: dict[str, str]) -> int:
    """POST one signed body; the 2xx status code, or ``DeliveryError``."""
    target, host_header, extensions = _pinned(url)
    try:
        # trust_env off: an environment proxy would connect to the name, not the checked address.
        with httpx.Client(timeout=TIMEOUT_SECONDS, follow_redirects=False, trust_env=False) as client:
            request = client.build_request(
                "POST", target, content=body, headers={**request_headers, "Host": host_header}, extensions=extensions
            )
            response = client.send(request, stream=True)
            response.close()  # the answer's body is of no interest, and may be large
    except httpx.TimeoutException:
        raise DeliveryError(f"The receiver did not answer within {TIMEOUT_SECONDS:g} s.", retryable=True) from None
    except httpx.HTTPError as exc:
        certificate = "certificate" in str(exc).lower()
        message = "The receiver's TLS certificate was not accepted." if certificate else (
            "Could not connect to the receiver (connection refused or network error).")
        raise DeliveryError(message, retryable=True) from None
    return _outcome(response.status_code)


def _outcome(code: int) -> int:
    if 200 <= code < 300:
        return code
    if code in (408, 429) or code >= 500:
        raise DeliveryError(f"The receiver answered HTTP {code}; trying again later.", retryable=True,
                            status_code=code)
    if 300 <= code < 400:
        raise DeliveryError(f"The receiver answered with a redirect (HTTP {code}), which is not followed: "
                            "enter the final URL.", retryable=False, status_code=code)
    raise DeliveryError(f"The receiver refused the delivery (HTTP {code}).", retryable=False, status_code=code)
