"""Camera stream sources: the allow-list, masking and log scrubbing.

go2rtc treats a source string as a program to run or a device to open for
many schemes (``exec:``, ``echo:``, ``expr:``, ``ffmpeg:``, ``v4l2:``,
``alsa:``), and ``#`` options can smuggle extra ffmpeg arguments. A tenant
may therefore only register network cameras: ``rtsp://`` and ``rtsps://``
URLs to a host that is neither loopback nor a gateway of ours (that would let
a tenant pull another tenant's stream out of the gateway's restream or API).
Private LAN addresses stay allowed: that is where cameras live.

A source's path must never name a gateway stream: go2rtc makes a source
``rtsp://<any host>/<existing stream name>`` an alias of that stream, so one
tenant's camera would show, record and later re-point another's. The path is
compared exactly as go2rtc reads it (Go's ``url.Parse``: cut at ``?``,
percent-decoded), and percent-escapes of characters that never need one
(letters, digits, ``-._~``, ``/``) or of control bytes are refused outright,
so no spelling of a path can differ between what we check and what the
gateway sees.

Error messages never repeat the submitted value, which may hold a password.
"""

from __future__ import annotations

import ipaddress
import logging
import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, unquote_to_bytes, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from cameras.streams import looks_like_stream_name

ALLOWED_SCHEMES = ("rtsp", "rtsps")
MAX_SOURCE_LENGTH = 1024
# The ports go2rtc dials when a source names none (pkg/tcp Dial: 554 for both).
DEFAULT_PORTS = {"rtsp": 554, "rtsps": 554}
SENSITIVE_QUERY_KEYS = {"user", "username", "password", "pass", "pwd", "passwd", "token", "auth", "key"}
MASK = "***"

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_PRINTABLE_ASCII_RE = re.compile(r"^[\x21-\x7e]+$")
_NUMERIC_HOST_RE = re.compile(r"^(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+))*$", re.IGNORECASE)
_ESCAPE_RE = re.compile(r"%(..?)", re.DOTALL)
_HEX2_RE = re.compile(r"^[0-9A-Fa-f]{2}$")
# Characters a path never needs to escape, and "/" (go2rtc would decode %2F).
_NEEDLESS_ESCAPES = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def validate_source(
    value: str,
    *,
    reserved_hosts: Iterable[str] = (),
    extra_allowed: Iterable[str] = (),
) -> str:
    """Check a camera source and return it re-serialised.

    ``reserved_hosts`` are gateway hosts a camera must never point at;
    ``extra_allowed`` are operator-approved ``host`` or ``host:port`` entries
    that bypass the host rules (never tenant input).
    """
    if not isinstance(value, str) or not value:
        raise _refuse("Enter a stream source URL.", "required")
    if len(value) > MAX_SOURCE_LENGTH:
        raise _refuse(f"The source URL is too long (at most {MAX_SOURCE_LENGTH} characters).", "too_long")
    if any(ch.isspace() for ch in value):
        raise _refuse("The source URL must not contain spaces or line breaks.", "whitespace")
    if not _PRINTABLE_ASCII_RE.match(value):
        raise _refuse(
            "The source URL contains control or non-ASCII characters; use plain ASCII (punycode for names).",
            "characters",
        )
    if "#" in value:
        raise _refuse("The source URL must not contain '#' (gateway options are not allowed).", "fragment")
    scheme_match = _SCHEME_RE.match(value)
    if not scheme_match:
        raise _refuse("Enter a network camera URL starting with rtsp:// or rtsps://.", "scheme")
    scheme = scheme_match.group(1).lower()
    if scheme not in ALLOWED_SCHEMES:
        raise _refuse(
            f"Only rtsp:// and rtsps:// camera sources are allowed, not '{scheme[:20]}:'.", "scheme"
        )
    if not value[len(scheme) + 1 :].startswith("//"):
        raise _refuse("Enter a full URL such as rtsp://192.168.1.20:554/stream1.", "format")
    return _check_network_parts(value, scheme, reserved_hosts, extra_allowed)


def _check_network_parts(value: str, scheme: str, reserved: Iterable[str], extra: Iterable[str]) -> str:
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise _refuse("The source URL's host or port is not valid.", "format") from None
    host = (parts.hostname or "").lower()
    if not host:
        raise _refuse("The source URL has no camera host.", "host")
    if port == 0:
        raise _refuse("The source URL's port is not valid.", "format")
    effective_port = port or DEFAULT_PORTS[scheme]
    if not _explicitly_allowed(host, effective_port, extra):
        _check_host(host, reserved)
    _check_path(value)
    netloc = parts.netloc.rsplit("@", 1)
    hostport = netloc[-1].lower()
    userinfo = netloc[0] + "@" if len(netloc) == 2 else ""
    return urlunsplit((scheme, userinfo + hostport, parts.path, parts.query, ""))


def gateway_path(source: str) -> str:
    """The path go2rtc reads from a source, as Go's ``url.Parse`` does; ``ValueError`` if Go could not.

    Cut at ``#`` and ``?``; after ``scheme://authority`` (or straight after
    the scheme's colon when no ``//`` follows); percent-decoded byte for byte.
    """
    rest = source.split("#", 1)[0].split("?", 1)[0]
    rest = rest.split(":", 1)[1] if ":" in rest else rest
    if rest.startswith("//"):
        slash = rest.find("/", 2)
        rest = rest[slash:] if slash >= 0 else ""
    elif not rest.startswith("/"):
        return ""  # an opaque URL: Go leaves Path empty
    for escape in _ESCAPE_RE.findall(rest):
        if not _HEX2_RE.match(escape):
            raise ValueError("invalid percent-escape in the path")
    return unquote_to_bytes(rest).decode("latin-1")


def names_a_stream(source: str, names: Iterable[str]) -> str | None:
    """The stream among ``names`` that go2rtc would alias this source to, if any.

    go2rtc aliases on an exact match of the whole source or of the decoded
    path after its first "/"; a match ignoring case and extra slashes counts
    too, to leave no near miss.
    """
    try:
        path = gateway_path(source)
    except ValueError:
        path = ""
    wanted = {source.lower(), path[1:].lower(), path.lstrip("/").lower()} - {""}
    return next((name for name in names if name.lower() in wanted), None)


def _check_path(value: str) -> None:
    raw_path = urlsplit(value).path
    for escape in _ESCAPE_RE.findall(raw_path):
        if not _HEX2_RE.match(escape):
            raise _refuse("The source path has a '%' that is not followed by two hex digits.", "format")
        char = chr(int(escape, 16))
        if char in _NEEDLESS_ESCAPES or ord(char) < 0x20 or ord(char) == 0x7F:
            raise _refuse(
                "The source path percent-encodes a letter, digit, '/' or control character; write the path plainly.",
                "encoding",
            )
    path = gateway_path(value)
    if looks_like_stream_name(path[1:]) or looks_like_stream_name(path.lstrip("/")):
        # go2rtc would turn such a source into an alias of a gateway stream.
        raise _refuse("The source path looks like a gateway stream name; enter the camera's own path.", "gateway")


def _explicitly_allowed(host: str, port: int, extra: Iterable[str]) -> bool:
    entries = {entry.lower() for entry in extra}
    return host in entries or f"{host}:{port}" in entries


def _check_host(host: str, reserved: Iterable[str]) -> None:
    if host == "localhost" or host.endswith(".localhost"):
        raise _refuse("A camera source cannot point at the gateway's own machine (localhost).", "loopback")
    address = _parse_ip(host)
    if address is not None and (address.is_loopback or address.is_unspecified):
        raise _refuse("A camera source cannot point at a loopback or unspecified address.", "loopback")
    if address is not None and address.is_multicast:
        raise _refuse("A camera source cannot be a multicast address.", "host")
    if address is None and _NUMERIC_HOST_RE.match(host):
        raise _refuse("The camera host is not a valid IP address or host name.", "host")
    if host in {name.lower() for name in reserved}:
        raise _refuse(
            "A camera source cannot point at a video gateway of this portal; enter the camera's own address.",
            "gateway",
        )


def _parse_ip(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def reserved_gateway_hosts() -> set[str]:
    """Hosts of every gateway this portal knows (settings and, later, Gateway rows)."""
    hosts = set()
    for url in (settings.GO2RTC_API_URL, settings.GO2RTC_RTSP_URL):
        host = urlsplit(url).hostname if url else None
        if host:
            hosts.add(host.lower())
    return hosts


def check_camera_source(value: str) -> str:
    """Validate a tenant-supplied source with this deployment's gateway hosts."""
    return validate_source(
        value,
        reserved_hosts=reserved_gateway_hosts(),
        extra_allowed=settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS,
    )


def mask_source(value: str) -> str:
    """The source as it may be shown to a person: no user, password or secret query values."""
    if not value:
        return ""
    try:
        parts = urlsplit(value)
    except ValueError:
        return MASK
    hostport = parts.netloc.rsplit("@", 1)[-1]
    netloc = f"{MASK}@{hostport}" if "@" in parts.netloc else hostport
    query = urlencode(
        [(k, MASK if k.lower() in SENSITIVE_QUERY_KEYS else v) for k, v in parse_qsl(parts.query, True)],
        safe="*",
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, ""))


_URL_USERINFO_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*://)[^/@\s]+@")
_SECRET_PARAM_RE = re.compile(r"\b(password|passwd|pwd|pass|token|auth)=[^&\s\"']+", re.IGNORECASE)


_ENCODED_USERINFO_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*%3A%2F%2F)(?:(?!%2F|%40)[^\s&/])+%40", re.IGNORECASE)


def scrub(text: str) -> str:
    """Mask credentials in any free text (log lines, error messages), percent-encoded URLs too."""
    text = _URL_USERINFO_RE.sub(rf"\g<1>{MASK}@", text)
    text = _ENCODED_USERINFO_RE.sub(rf"\g<1>{MASK}%40", text)
    return _SECRET_PARAM_RE.sub(rf"\g<1>={MASK}", text)


class CredentialScrubFilter(logging.Filter):
    """Logging filter that masks URL credentials in every record it sees."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        scrubbed = scrub(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        return True
