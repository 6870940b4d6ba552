"""Choosing a gateway for a camera and talking to it."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from cameras.go2rtc import Go2RTCClient
from cameras.models import Gateway


def gateway_from_settings() -> Gateway:
    """The gateway described by GO2RTC_* settings, created on first use.

    A single-node deployment needs no admin step; more gateways are added
    in the admin.
    """
    gateway, _ = Gateway.objects.get_or_create(
        name="default",
        defaults={
            "api_url": settings.GO2RTC_API_URL,
            "api_username": settings.GO2RTC_API_USERNAME,
            "api_password": settings.GO2RTC_API_PASSWORD,
            "rtsp_url": settings.GO2RTC_RTSP_URL,
            "webrtc_address": settings.GO2RTC_WEBRTC_URL,
        },
    )
    return gateway


@transaction.atomic
def least_loaded_gateway() -> Gateway:
    """The enabled gateway carrying the fewest cameras (ties: the oldest)."""
    candidates = Gateway.objects.enabled().annotate(load=Count("cameras")).order_by("load", "pk")
    gateway = candidates.first()
    if gateway is None and not Gateway.objects.exists():
        gateway = gateway_from_settings()
    if gateway is None:
        raise Gateway.DoesNotExist("no enabled gateway: enable one in the admin")
    return gateway


def client_for(gateway: Gateway) -> Go2RTCClient:
    return Go2RTCClient(
        gateway.api_url,
        gateway.api_username,
        gateway.api_password,
        timeout=settings.GO2RTC_TIMEOUT_SECONDS,
    )


def websocket_url(gateway: Gateway, stream: str) -> str:
    """go2rtc's signaling socket for one stream; only the portal ever opens it."""
    parts = urlsplit(gateway.api_url)
    scheme = "wss" if parts.scheme == "https" else "ws"
    path = parts.path.rstrip("/") + "/api/ws"
    return urlunsplit((scheme, parts.netloc, path, urlencode({"src": stream}), ""))


def restream_url(gateway: Gateway, stream: str) -> str:
    return f"{gateway.rtsp_url.rstrip('/')}/{stream}"
