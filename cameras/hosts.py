"""Which hosts a camera may make the portal's machines connect to.

Camera sources make a gateway connect, and ONVIF hosts make a worker
connect, to an address a tenant chose. Neither may be this machine, a
gateway, one of the portal's own services (database, Redis, mail server) or
any loopback, unspecified, link-local, multicast or reserved address;
private LAN addresses stay allowed, since that is where cameras are.

Every check works on a normalised host (``normalise_host``): lower case, no
trailing dot, percent-escapes decoded, the IPv6 zone dropped, and the
numeric IPv4 spellings that C resolvers accept (``0x7f000001``,
``2130706433``, ``127.1``, ``0177.0.0.1``) turned into dotted quads. A host
name is then resolved (all its addresses, through ``lookup``, the seam tests
replace) and refused if any address is refused. A name that does not resolve
is refused too: the portal cannot tell where it leads, and the gateway would
be the one to find out.

Checks run when a camera is saved and again when the work is done (stream
push, reconcile, every ONVIF call), because a DNS answer can change in
between; the work then goes to the checked address (``Target.pinned``).

``CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS`` lists ``host`` or ``host:port``
entries the operator allows anyway (bin/start's loopback simulators); they
skip every rule above and are never tenant input.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.conf import settings

Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Names that always mean "this machine", whatever a resolver says.
LOCAL_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"})
_LABEL = r"[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?"
_NAME_RE = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*$")
_NUMERIC_RE = re.compile(r"^(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}$")
_THIS_NETWORK = ipaddress.ip_network("0.0.0.0/8")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
FORBIDDEN_CACHE_SECONDS = 10.0


class HostRefused(Exception):
    """The host may not be connected to. ``code`` says why; callers word the message for people."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Forbidden:
    """The portal's own machines and gateways, by normalised name and by address."""

    names: frozenset[str] = frozenset()
    addresses: frozenset[Address] = frozenset()


@dataclass(frozen=True)
class Target:
    """A checked host: its normalised name and, unless the operator allowed it by name, the address to use."""

    host: str
    port: int
    addresses: tuple[Address, ...] = field(default=())
    allowed_by_operator: bool = False

    @property
    def pinned(self) -> Address | None:
        return self.addresses[0] if self.addresses else None


# --- normalising --------------------------------------------------------------------------


def parse_ip(text: str) -> Address | None:
    """An IP address written as one (IPv6 with or without brackets and zone); IPv4-mapped becomes IPv4."""
    text = text.strip("[]").split("%", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _numeric_ipv4(text: str) -> Address | None:
    if not _NUMERIC_RE.match(text):
        return None
    try:  # the C library's own reading, as getaddrinfo would do it
        return ipaddress.IPv4Address(socket.inet_aton(text))
    except OSError:
        raise HostRefused("host") from None


def normalise_host(raw: str) -> str:
    """The canonical text of a host (see the module docstring); ``HostRefused("host")`` if it is none."""
    text = raw.strip()
    if text.startswith("[") != text.endswith("]"):
        raise HostRefused("host")
    try:
        text = unquote(text, errors="strict")
    except UnicodeDecodeError:
        raise HostRefused("host") from None
    text = text.lower()
    if text.endswith(".") and not text.endswith(".."):
        text = text[:-1]
    address = parse_ip(text)
    if address is None and not text.startswith("["):
        address = _numeric_ipv4(text)
    if address is not None:
        return str(address)
    if not text.isascii() or not _NAME_RE.match(text):
        raise HostRefused("host")
    return text


def host_port_key(host: str, port: int | None) -> str:
    return f"{host}:{port}" if port is not None else host


def normalise_entries(entries: Iterable[str]) -> frozenset[str]:
    """``host`` / ``host:port`` allow-list entries in the form ``host_port_key`` makes."""
    keys = set()
    for entry in entries:
        parts = urlsplit("//" + entry.strip())
        try:
            keys.add(host_port_key(normalise_host(parts.hostname or ""), parts.port))
        except (HostRefused, ValueError):
            continue  # an unreadable operator entry allows nothing
    return frozenset(keys)


# --- resolving and classifying ------------------------------------------------------------


def _system_lookup(name: str) -> list[str]:
    infos = socket.getaddrinfo(name, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]


# The resolver: every check goes through it, tests point it at a fake.
lookup: Callable[[str], list[str]] = _system_lookup


def resolve(host: str) -> tuple[Address, ...]:
    """All addresses of a normalised host, sorted (IPv4 first) so the pinned one is stable."""
    literal = parse_ip(host)
    if literal is not None:
        return (literal,)
    try:
        found = {address for text in lookup(host) if (address := parse_ip(text)) is not None}
    except (OSError, UnicodeError):
        found = set()
    if not found:
        raise HostRefused("unresolved")
    return tuple(sorted(found, key=lambda a: (a.version, int(a))))


def _embedded_ipv4(address: Address) -> list[Address]:
    if address.version == 4:
        return []
    embedded: list[Address] = [address.sixtofour] if address.sixtofour else []
    if address.teredo:
        embedded.append(address.teredo[1])
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return embedded


def address_refusal(address: Address) -> str | None:
    """Why no camera may lead to this address (a code), or None."""
    for candidate in (address, *_embedded_ipv4(address)):
        if candidate.is_loopback:
            return "loopback"
        if candidate.is_unspecified or candidate in _THIS_NETWORK:
            return "unspecified"
        if candidate.is_link_local:
            return "link_local"
        if candidate.is_multicast:
            return "multicast"
        if candidate.is_reserved:
            return "reserved"
    return None


# --- this machine and the gateways ----------------------------------------------------------


def interface_addresses() -> set[Address]:
    """This machine's interface addresses, read from /proc on Linux (empty elsewhere)."""
    found: set[Address] = set()
    try:
        for line in Path("/proc/net/if_inet6").read_text().splitlines():
            found.add(ipaddress.IPv6Address(int(line.split()[0], 16)))
        previous = ""
        for line in Path("/proc/net/fib_trie").read_text().splitlines():
            if "/32 host LOCAL" in line:
                found.add(ipaddress.IPv4Address(previous.split()[-1]))
            previous = line
    except (OSError, ValueError, IndexError):
        pass
    return found


def own_names() -> set[str]:
    """This machine's host name (its other names resolve to its addresses, which are checked)."""
    name = _safe_normalise(socket.gethostname())
    return {name} if name else set()


def _safe_normalise(raw: str) -> str:
    try:
        return normalise_host(raw)
    except HostRefused:
        return ""


def _addresses_of(names: Iterable[str]) -> set[Address]:
    found: set[Address] = set()
    for name in names:
        try:
            found.update(resolve(name))
        except HostRefused:
            continue
    return found


def gateway_hosts() -> set[str]:
    """Normalised hosts of every gateway: the GO2RTC_* settings and every Gateway row."""
    from cameras.models import Gateway  # the models import this package's sources module

    urls = [settings.GO2RTC_API_URL, settings.GO2RTC_RTSP_URL]
    webrtc = [settings.GO2RTC_WEBRTC_URL]
    for api_url, rtsp_url, webrtc_address in Gateway.objects.values_list("api_url", "rtsp_url", "webrtc_address"):
        urls += [api_url, rtsp_url]
        webrtc.append(webrtc_address)
    hosts = {urlsplit(url).hostname or "" for url in urls if url}
    hosts |= {urlsplit("//" + address).hostname or "" for address in webrtc if address}
    return {host for host in (_safe_normalise(h) for h in hosts if h) if host}


def service_hosts() -> set[str]:
    """Normalised hosts of the portal's own services: its databases, Redis, the Celery broker, the mail server."""
    hosts = {str(database.get("HOST") or "") for database in settings.DATABASES.values()}
    hosts |= {urlsplit(url).hostname or "" for url in (settings.REDIS_URL, settings.CELERY_BROKER_URL) if url}
    hosts.add(settings.EMAIL_HOST or "")
    return {host for host in (_safe_normalise(h) for h in hosts if h and not h.startswith("/")) if host}


def forbidden_targets() -> Forbidden:
    """This machine, the portal's services and every gateway, by name and by address (resolved now)."""
    names = own_names() | gateway_hosts() | service_hosts()
    addresses = interface_addresses() | _addresses_of(names)
    return Forbidden(frozenset(names), frozenset(addresses))


_cache: dict[str, tuple[float, Forbidden]] = {}


def recent_forbidden_targets() -> Forbidden:
    """``forbidden_targets`` at most ``FORBIDDEN_CACHE_SECONDS`` old, for checks on a hot path (PTZ).

    A gateway added in the admin is known to such checks within that time.
    """
    now = time.monotonic()
    cached = _cache.get("forbidden")
    if cached is None or now - cached[0] > FORBIDDEN_CACHE_SECONDS:
        cached = _cache["forbidden"] = (now, forbidden_targets())
    return cached[1]


def clear_cache() -> None:
    _cache.clear()


# --- the check ---------------------------------------------------------------------------------


def allowed_by_operator(raw_host: str, port: int, extra_allowed: Iterable[str]) -> Target | None:
    """The target if the operator's allow-list names this host or host:port (then no rule applies)."""
    host = normalise_host(raw_host)
    allowed = normalise_entries(extra_allowed)
    if host not in allowed and host_port_key(host, port) not in allowed:
        return None
    literal = parse_ip(host)
    return Target(host, port, (literal,) if literal else (), allowed_by_operator=True)


def check_host(raw_host: str, port: int, *, forbidden: Forbidden, extra_allowed: Iterable[str] = ()) -> Target:
    """Check that a camera may lead to ``raw_host:port``; the ``Target`` to use, or ``HostRefused``."""
    operator_allowed = allowed_by_operator(raw_host, port, extra_allowed)
    if operator_allowed is not None:
        return operator_allowed
    host = normalise_host(raw_host)
    if host in LOCAL_NAMES or host.endswith(".localhost"):
        raise HostRefused("loopback")
    if host in forbidden.names:
        raise HostRefused("gateway")
    addresses = resolve(host)
    for address in addresses:
        reason = address_refusal(address)
        if reason is None and address in forbidden.addresses:
            reason = "own_address"
        if reason:
            raise HostRefused(reason)
    return Target(host, port, addresses)
