"""Where the ONVIF adapter may send a camera's requests: only to its configured, checked address.

A device tells the client where its services are (the XAddrs of
GetServices/GetCapabilities) and may answer a request with a redirect; a
client that followed either would let the device send the worker to any host
and port. So the adapter's sessions use ``PinnedCamera``: every service is
called on the configured host and port with the advertised path (which
cameras behind port forwarding need anyway), redirects are not followed,
and the host is checked (``cameras.hosts``) before every call, the
connection going to the address that was checked.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from django.conf import settings
from onvif import ONVIFCamera, ONVIFService

from cameras import hosts
from cameras.ptz.onvif.errors import OnvifRefused

if TYPE_CHECKING:
    from cameras.ptz.onvif.client import OnvifAddress

REFUSED_MESSAGE = (
    "The portal does not send ONVIF requests to this address: it is this portal's own machine or a video "
    "gateway, a loopback, link-local, multicast or reserved address, or a host name that does not resolve."
)


def pinned(address: OnvifAddress) -> OnvifAddress:
    """The address with ``connect_host`` set to the checked IP; ``OnvifRefused`` before anything is dialled.

    Every refusal has the same message, so a refused target tells nothing
    about which of its ports are open.
    """
    extra = settings.CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS
    try:
        target = hosts.allowed_by_operator(address.host, address.port, extra) or hosts.check_host(
            address.host, address.port, forbidden=hosts.recent_forbidden_targets(), extra_allowed=extra
        )
    except hosts.HostRefused:
        raise OnvifRefused(REFUSED_MESSAGE) from None
    connect_host = str(target.pinned) if target.pinned is not None else target.host
    return dataclasses.replace(address, connect_host=connect_host)


class _NoRedirects:
    """One service's aiohttp session, seen by the transport, with redirects never followed."""

    def __init__(self, session: Any) -> None:
        self._session = session

    def post(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.post(*args, allow_redirects=False, **kwargs)

    def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.get(*args, allow_redirects=False, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._session, name)


class PinnedCamera(ONVIFCamera):
    """An ONVIFCamera that calls every service on the host and port it was made with."""

    def __init__(self, host: str, port: int, user: str, passwd: str, **options: Any) -> None:
        # nat_override: the library rewrites every advertised service address to host:port, path kept.
        super().__init__(host, port, user, passwd, nat_override=True, **options)

    async def create_onvif_service(self, *args: Any, **kwargs: Any) -> ONVIFService:
        service = await super().create_onvif_service(*args, **kwargs)
        if not isinstance(service.transport.session, _NoRedirects):
            service.transport.session = _NoRedirects(service.transport.session)
        return service
