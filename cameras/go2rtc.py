"""The one HTTP client for go2rtc's private API.

Every call has a timeout and sends Basic auth (the gateway runs with
``local_auth: true``). Failures raise ``Go2RTCError`` whose ``retryable``
flag tells a task whether trying again can help. Error texts are scrubbed of
credentials before they travel anywhere.
"""

from __future__ import annotations

import functools
import ssl
from dataclasses import dataclass
from typing import Any

import httpx

from cameras.sources import scrub


class Go2RTCError(Exception):
    def __init__(self, message: str, *, retryable: bool) -> None:
        super().__init__(scrub(message))
        self.retryable = retryable


@dataclass(frozen=True)
class StreamState:
    """One entry of go2rtc's stream listing.

    ``connections`` are the ids of the stream's connected producers and
    consumers: go2rtc numbers every connection once, so two names listing
    the same id are two names of one stream object (an alias).
    """

    name: str
    sources: tuple[str, ...]
    online: bool
    consumers: int
    connections: frozenset[int] = frozenset()


def _state(name: str, raw: dict[str, Any] | None) -> StreamState:
    raw = raw or {}
    producers = raw.get("producers") or []
    consumers = raw.get("consumers") or []
    # An idle producer is just {"url": ...}; a connected one carries medias.
    online = any(p.get("medias") or p.get("receivers") for p in producers)
    ids = frozenset(c["id"] for c in [*producers, *consumers] if isinstance(c, dict) and isinstance(c.get("id"), int))
    return StreamState(
        name=name,
        sources=tuple(p.get("url", "") for p in producers),
        online=online,
        consumers=len(consumers),
        connections=ids,
    )


@dataclass(frozen=True)
class ProbeReply:
    """What a probe of one stream found: ``medias`` like ``"video, recvonly, H264"``, or an ``error``."""

    found: bool = True
    medias: tuple[str, ...] = ()
    error: str = ""


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """One certificate store for every client: building it costs about 25 ms of CPU (measured),
    and a client is made per call (each dashboard picture, each sync, each PTZ status)."""
    return httpx.create_ssl_context()


class Go2RTCClient:
    def __init__(self, base_url: str, username: str = "", password: str = "", timeout: float = 5.0) -> None:
        auth = httpx.BasicAuth(username, password) if username or password else None
        # Gateways sit on the private network: proxy settings in the environment, meant for the
        # outside world, are not for them (the live relay's socket ignores them too).
        self._http = httpx.Client(
            base_url=base_url.rstrip("/"), auth=auth, timeout=timeout, verify=_tls_context(), trust_env=False
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Go2RTCClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _request(self, method: str, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        try:
            response = self._http.request(method, path, params=params)
        except httpx.TimeoutException as exc:
            raise Go2RTCError(f"gateway timed out: {exc}", retryable=True) from exc
        except httpx.HTTPError as exc:
            raise Go2RTCError(f"gateway unreachable: {exc}", retryable=True) from exc
        if response.status_code in (401, 403):
            raise Go2RTCError("gateway refused the portal's credentials", retryable=False)
        if response.status_code >= 500:
            raise Go2RTCError(f"gateway error {response.status_code}: {response.text[:200]}", retryable=True)
        return response

    def info(self) -> dict[str, Any]:
        return self._request("GET", "/api").json()

    def streams(self) -> dict[str, StreamState]:
        raw = self._request("GET", "/api/streams").json() or {}
        return {name: _state(name, value) for name, value in raw.items()}

    def replace_stream(self, name: str, source: str) -> None:
        """Give ``name`` a new stream object with this one source, in memory only.

        The name is deleted first, so the PATCH creates a stream: a PATCH on
        an existing name would change the sources of its object in place,
        and that object may be shared with another name. PATCH, not PUT,
        keeps camera credentials out of go2rtc's config file. The caller
        makes sure the source does not name an existing stream (go2rtc
        would alias it).
        """
        self.delete_stream(name)
        response = self._request("PATCH", "/api/streams", {"name": name, "src": source})
        if response.status_code >= 400:
            raise Go2RTCError(f"gateway refused stream {name}: {response.text[:200]}", retryable=False)

    def delete_stream(self, name: str) -> None:
        """Forget a stream (idempotent). Viewers already attached play on until they leave."""
        response = self._request("DELETE", "/api/streams", {"src": name})
        # go2rtc drops the stream from memory first, then tries to edit its
        # config file; our streams are never in that file, so that step answers
        # 400 ("path not exist") after the deletion has happened.
        if response.status_code >= 400 and response.status_code not in (400, 404):
            raise Go2RTCError(f"gateway could not delete {name}: {response.text[:200]}", retryable=False)

    def snapshot(self, stream: str) -> bytes:
        """One JPEG frame of a stream (``/api/frame.jpeg``); waits for the stream's next keyframe."""
        response = self._request("GET", "/api/frame.jpeg", {"src": stream})
        if response.status_code == 404:
            raise Go2RTCError(f"gateway has no stream {stream}", retryable=False)
        if response.status_code >= 400:
            raise Go2RTCError(f"gateway refused a frame of {stream}: {response.status_code}", retryable=False)
        # go2rtc answers 200 with an empty body when the source cannot be reached.
        if not response.content.startswith(b"\xff\xd8"):
            raise Go2RTCError(f"gateway sent no frame of {stream} (is the camera reachable?)", retryable=True)
        return response.content

    def probe_detail(self, name: str) -> ProbeReply:
        """Attach a probe consumer to ``name`` and say what happened: the producers' medias, or the error text.

        go2rtc answers 500 with its dial or codec error when the source fails
        (``streams: wrong user/pass``, ``streams: dial tcp ...``); the text is
        scrubbed of credentials here. A timeout raises ``Go2RTCError``.
        """
        # Not _request: a 500 here is the source's failure, not the gateway's.
        try:
            response = self._http.get("/api/streams", params={"src": name, "video": "all", "audio": "all"})
        except httpx.TimeoutException as exc:
            raise Go2RTCError(f"gateway timed out: {exc}", retryable=True) from exc
        except httpx.HTTPError as exc:
            raise Go2RTCError(f"gateway unreachable: {exc}", retryable=True) from exc
        if response.status_code in (401, 403):
            raise Go2RTCError("gateway refused the portal's credentials", retryable=False)
        if response.status_code == 404:
            return ProbeReply(found=False)
        if response.status_code >= 400:
            return ProbeReply(error=scrub(response.text.strip()[:300]) or f"status {response.status_code}")
        producers = (response.json() or {}).get("producers") or []
        medias = tuple(m for p in producers for m in (p.get("medias") or []) if isinstance(m, str))
        return ProbeReply(medias=medias)

    def probe(self, name: str) -> StreamState | None:
        """Attach a probe consumer (starts the source) and report what it saw; None if unknown."""
        try:
            response = self._http.get("/api/streams", params={"src": name, "video": "all", "audio": "all"})
        except httpx.HTTPError as exc:
            raise Go2RTCError(f"gateway unreachable: {exc}", retryable=True) from exc
        if response.status_code == 404:
            return None
        if response.status_code >= 400:
            return StreamState(name=name, sources=(), online=False, consumers=0)
        return _state(name, response.json())
