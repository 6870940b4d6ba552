"""Camera stream sources: the allow-list, masking and log scrubbing.

go2rtc treats a source string as a program to run or a device to open for
many schemes (``exec:``, ``echo:``, ``expr:``, ``ffmpeg:``, ``v4l2:``,
``alsa:``), and ``#`` options can smuggle extra ffmpeg arguments. A tenant
may therefore only register network cameras: ``rtsp://`` and ``rtsps://``
URLs to a host that ``cameras.hosts`` accepts: never this machine, a gateway
of ours (that would let a tenant pull another tenant's stream out of the
gateway's restream or API), loopback or link-local. Private LAN addresses
stay allowed: that is where cameras live. The host is checked again when the
source is pushed (``gateway_source``), which also pins it to the checked
address.

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

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import parse_qsl, unquote_to_bytes, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from cameras import hosts
from cameras.streams import looks_like_stream_name

ALLOWED_SCHEMES = ("rtsp", "rtsps")
MAX_SOURCE_LENGTH = 1024
# The ports go2rtc dials when a source names none (pkg/tcp Dial: 554 for both).
DEFAULT_PORTS = {"rtsp": 554, "rtsps": 554}
SENSITIVE_QUERY_KEYS = {"user", "username", "password", "pass", "pwd", "passwd", "token", "auth", "key"}
MASK = "***"
# The query values a person retypes after a form error (a user name is given back).
SECRET_QUERY_KEYS = SENSITIVE_QUERY_KEYS - {"user", "username"}

_SCHEME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_PRINTABLE_ASCII_RE = re.compile(r"^[\x21-\x7e]+$")
_ESCAPE_RE = re.compile(r"%(..?)", re.DOTALL)
_HEX2_RE = re.compile(r"^[0-9A-Fa-f]{2}$")
# Characters a path never needs to escape, and "/" (go2rtc would decode %2F).
_NEEDLESS_ESCAPES = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~/")


NOTHING_FORBIDDEN = hosts.Forbidden()
HOST_MESSAGES = {
    "host": "The camera host is not a valid IP address or host name.",
    "unresolved": "The camera's host name could not be found from the portal (DNS); check the name or enter "
                  "the camera's IP address.",
}
# One message for every refused address: which rule refused it (this portal's
# machine, a gateway, loopback...) is nobody's business but the operator's.
ADDRESS_MESSAGE = (
    "A camera source cannot point at this portal's own machines or video gateways, or at a loopback, "
    "link-local, multicast or reserved address; enter the camera's own address."
)


def _refuse(message: str, code: str) -> ValidationError:
    return ValidationError(message, code=code)


def validate_source(
    value: str,
    *,
    forbidden: hosts.Forbidden = NOTHING_FORBIDDEN,
    extra_allowed: Iterable[str] = (),
) -> str:
    """Check a camera source and return it normalised (scheme and host in canonical form).

    ``forbidden`` are this machine's and the gateways' names and addresses;
    ``extra_allowed`` are operator-approved ``host`` or ``host:port`` entries
    that bypass the host rules (never tenant input). Host names are resolved.
    """
    return _checked(value, forbidden, extra_allowed).url


def _checked(value: str, forbidden: hosts.Forbidden, extra_allowed: Iterable[str]) -> CheckedSource:
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
    return _check_network_parts(value, scheme, forbidden, extra_allowed)


@dataclass(frozen=True)
class CheckedSource:
    """A source that passed every rule, with the host it leads to."""

    scheme: str
    userinfo: str
    target: hosts.Target
    explicit_port: int | None
    path: str
    query: str

    def _with_host(self, host: str, port: int | None) -> str:
        literal = f"[{host}]" if ":" in host else host
        netloc = self.userinfo + literal + (f":{port}" if port is not None else "")
        return urlunsplit((self.scheme, netloc, self.path, self.query, ""))

    @property
    def url(self) -> str:
        """The source as stored: what the tenant gave, with the host in canonical form."""
        return self._with_host(self.target.host, self.explicit_port)

    @property
    def gateway_url(self) -> str:
        """What the gateway is given: an rtsp:// source goes to the checked address, not the name.

        So the gateway never looks the name up itself and a DNS answer that
        changed since the check (rebinding) cannot steer it. An rtsps:// source
        with a host name keeps the name: go2rtc verifies the certificate against
        it, and would skip that check for an address.
        """
        pinned = self.target.pinned
        if pinned is None or (self.scheme == "rtsps" and hosts.parse_ip(self.target.host) is None):
            return self.url
        return self._with_host(str(pinned), self.target.port)


def _check_network_parts(value: str, scheme: str, forbidden: hosts.Forbidden, extra: Iterable[str]) -> CheckedSource:
    try:
        parts = urlsplit(value)
        port = parts.port
    except ValueError:
        raise _refuse("The source URL's host or port is not valid.", "format") from None
    raw_host = parts.netloc.rsplit("@", 1)[-1]
    raw_host = raw_host.rsplit(":", 1)[0] if port is not None or raw_host.endswith(":") else raw_host
    if not raw_host.strip("[]"):
        raise _refuse("The source URL has no camera host.", "host")
    if port == 0:
        raise _refuse("The source URL's port is not valid.", "format")
    try:
        target = hosts.check_host(raw_host, port or DEFAULT_PORTS[scheme], forbidden=forbidden, extra_allowed=extra)
    except hosts.HostRefused as refused:
        raise _refuse(HOST_MESSAGES.get(refused.code, ADDRESS_MESSAGE), refused.code) from None
    _check_path(value)
    netloc = parts.netloc.rsplit("@", 1)
    userinfo = netloc[0] + "@" if len(netloc) == 2 else ""
    return CheckedSource(scheme, userinfo, target, port, parts.path, parts.query)


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


def check_camera_source(value: str) -> str:
    """Validate a tenant-supplied source against this deployment's machines and gateways."""
    return validate_source(
        value, forbidden=hosts.forbidden_targets(), extra_allowed=settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS
    )


def gateway_source(value: str, forbidden: hosts.Forbidden) -> str:
    """Check a stored source again, at the moment it goes to a gateway; the URL to give the gateway.

    Raises ``ValidationError`` like validation does: DNS may have changed
    since the camera was saved, and rows saved under older rules get the
    current ones.
    """
    checked = _checked(value, forbidden, settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS)
    return checked.gateway_url


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


def without_password(value: str) -> str:
    """The source as its author may see it again: the user name kept, the password and secret query values gone.

    Used to give a person back what they typed after a form error, so they
    retype only the password. Text that is no URL comes back as it was typed
    (it holds no recognisable password).
    """
    scheme, sep, rest = value.partition("://")
    if not sep:
        return value
    authority, slash, tail = rest.partition("/")
    if "@" in authority:
        userinfo, host = authority.rsplit("@", 1)
        authority = f"{userinfo.split(':', 1)[0]}@{host}"
    path, question, query = tail.partition("?")
    if question:
        pairs = [pair.split("=", 1) for pair in query.split("&")]
        query = "&".join(f"{p[0]}=" if p[0].lower() in SECRET_QUERY_KEYS else "=".join(p) for p in pairs)
    return f"{scheme}://{authority}{slash}{path}{question}{query}"


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
