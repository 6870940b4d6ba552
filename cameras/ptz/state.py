"""Shared PTZ state of each camera, across every portal and worker process (Redis).

- The **lease**: who controls the camera now. Taken by the first command,
  renewed by each later one of the same caller, lost after
  ``CCTV_PTZ_LOCK_SECONDS`` without commands; another caller is refused
  until then unless they take it over. Compare-and-set runs in Redis (Lua),
  so two processes can never both believe they hold it.
- The **sequence**: every accepted command gets the next number. A worker
  drops a continuous move that a newer command has already superseded (so
  a late move cannot restart a camera that was told to stop), and the
  worker-side move timeout stops a camera only when no command came since.
- The **move note**: the velocity of the current hold, so a renewal of the
  same hold is not a new command for the audit trail.
- The **status**: the last position and error a worker read, for the API.

Without ``REDIS_URL`` (a one-process development setup) the same
operations run in memory.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import redis
from django.conf import settings

if TYPE_CHECKING:
    from cameras.models import Camera

DAY_MS = 86_400_000

_ACQUIRE = """
local current = redis.call('GET', KEYS[1])
if current then
  if cjson.decode(current).principal == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
    return {'renewed', current}
  end
  if ARGV[4] ~= '1' then
    return {'busy', current, redis.call('PTTL', KEYS[1])}
  end
end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
if current then return {'taken_over', ARGV[2], ARGV[3], current} end
return {'new', ARGV[2]}
"""

_RELEASE = """
local current = redis.call('GET', KEYS[1])
if current and cjson.decode(current).principal == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


@dataclass(frozen=True)
class Holder:
    """Who holds a camera's lease. ``principal`` is ``user:<id>`` or ``token:<id>``."""

    principal: str
    label: str
    lease: str
    since: float
    expires_in: float | None = None

    def to_json(self) -> str:
        return json.dumps({"principal": self.principal, "label": self.label, "lease": self.lease,
                           "since": self.since})

    @classmethod
    def from_json(cls, raw: str | bytes, ttl_ms: Any = None) -> Holder:
        data = json.loads(raw)
        expires = int(ttl_ms) / 1000 if ttl_ms is not None and int(ttl_ms) >= 0 else None
        return cls(data["principal"], data["label"], data["lease"], float(data["since"]), expires)


@dataclass(frozen=True)
class LeaseResult:
    outcome: str  # new | renewed | taken_over | busy
    holder: Holder  # who holds it now
    previous: Holder | None = None  # whom a takeover replaced

    @property
    def granted(self) -> bool:
        return self.outcome != "busy"


class PTZStore(Protocol):
    def acquire(self, camera: str, holder: Holder, ttl: float, takeover: bool) -> LeaseResult: ...
    def holder(self, camera: str) -> Holder | None: ...
    def release(self, camera: str, principal: str) -> bool: ...
    def next_seq(self, camera: str) -> int: ...
    def latest_seq(self, camera: str) -> int: ...
    def note_move(self, camera: str, signature: str, ttl: float) -> bool: ...
    def end_move(self, camera: str) -> bool: ...
    def get_state(self, camera: str) -> dict[str, Any]: ...
    def set_state(self, camera: str, state: dict[str, Any]) -> None: ...
    def claim(self, camera: str, name: str, ttl: float) -> bool: ...


def camera_key(camera: Camera) -> str:
    """The name of a camera's PTZ state in the store (what the ``camera`` argument of its methods takes)."""
    return camera.public_id.hex


def _key(camera: str, part: str) -> str:
    return f"cctv:ptz:{camera}:{part}"


class RedisPTZStore:
    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self._acquire = client.register_script(_ACQUIRE)
        self._release = client.register_script(_RELEASE)

    def acquire(self, camera: str, holder: Holder, ttl: float, takeover: bool) -> LeaseResult:
        reply = self._acquire(keys=[_key(camera, "lease")],
                              args=[holder.principal, holder.to_json(), int(ttl * 1000), "1" if takeover else "0"])
        outcome = reply[0]
        if outcome == "busy":
            return LeaseResult(outcome, Holder.from_json(reply[1], reply[2]))
        now = Holder.from_json(reply[1], ttl * 1000)
        previous = Holder.from_json(reply[3]) if outcome == "taken_over" else None
        return LeaseResult(outcome, now, previous)

    def holder(self, camera: str) -> Holder | None:
        key = _key(camera, "lease")
        raw, ttl = self.client.pipeline().get(key).pttl(key).execute()
        return Holder.from_json(raw, ttl) if raw else None

    def release(self, camera: str, principal: str) -> bool:
        return bool(self._release(keys=[_key(camera, "lease")], args=[principal]))

    def next_seq(self, camera: str) -> int:
        key = _key(camera, "seq")
        seq, _ = self.client.pipeline().incr(key).pexpire(key, DAY_MS).execute()
        return int(seq)

    def latest_seq(self, camera: str) -> int:
        return int(self.client.get(_key(camera, "seq")) or 0)

    def note_move(self, camera: str, signature: str, ttl: float) -> bool:
        previous = self.client.set(_key(camera, "move"), signature, px=int(ttl * 1000), get=True)
        return previous != signature

    def end_move(self, camera: str) -> bool:
        return bool(self.client.delete(_key(camera, "move")))

    def get_state(self, camera: str) -> dict[str, Any]:
        raw = self.client.get(_key(camera, "state"))
        return json.loads(raw) if raw else {}

    def set_state(self, camera: str, state: dict[str, Any]) -> None:
        self.client.set(_key(camera, "state"), json.dumps(state), px=DAY_MS)

    def claim(self, camera: str, name: str, ttl: float) -> bool:
        return bool(self.client.set(_key(camera, f"claim:{name}"), "1", nx=True, px=max(1, int(ttl * 1000))))


class MemoryPTZStore:
    """The same operations for a single process without Redis."""

    def __init__(self) -> None:
        self._data: dict[str, tuple[Any, float]] = {}
        self._lock = threading.Lock()

    def _get(self, key: str) -> Any:
        value, expires = self._data.get(key, (None, 0.0))
        if value is not None and expires and expires < time.monotonic():
            del self._data[key]
            return None
        return value

    def _set(self, key: str, value: Any, ttl: float | None) -> None:
        self._data[key] = (value, time.monotonic() + ttl if ttl else 0.0)

    def _ttl(self, key: str) -> float | None:
        expires = self._data.get(key, (None, 0.0))[1]
        return max(0.0, expires - time.monotonic()) if expires else None

    def acquire(self, camera: str, holder: Holder, ttl: float, takeover: bool) -> LeaseResult:
        key = _key(camera, "lease")
        with self._lock:
            current: Holder | None = self._get(key)
            if current is not None and current.principal == holder.principal:
                self._set(key, current, ttl)
                return LeaseResult("renewed", Holder(**{**current.__dict__, "expires_in": ttl}))
            if current is not None and not takeover:
                return LeaseResult("busy", Holder(**{**current.__dict__, "expires_in": self._ttl(key)}))
            self._set(key, holder, ttl)
            fresh = Holder(**{**holder.__dict__, "expires_in": ttl})
            return LeaseResult("taken_over" if current else "new", fresh, current)

    def holder(self, camera: str) -> Holder | None:
        key = _key(camera, "lease")
        with self._lock:
            current = self._get(key)
            return Holder(**{**current.__dict__, "expires_in": self._ttl(key)}) if current else None

    def release(self, camera: str, principal: str) -> bool:
        key = _key(camera, "lease")
        with self._lock:
            current = self._get(key)
            if current is None or current.principal != principal:
                return False
            del self._data[key]
            return True

    def next_seq(self, camera: str) -> int:
        with self._lock:
            seq = (self._get(_key(camera, "seq")) or 0) + 1
            self._set(_key(camera, "seq"), seq, None)
            return seq

    def latest_seq(self, camera: str) -> int:
        with self._lock:
            return self._get(_key(camera, "seq")) or 0

    def note_move(self, camera: str, signature: str, ttl: float) -> bool:
        with self._lock:
            previous = self._get(_key(camera, "move"))
            self._set(_key(camera, "move"), signature, ttl)
            return previous != signature

    def end_move(self, camera: str) -> bool:
        with self._lock:
            return self._data.pop(_key(camera, "move"), None) is not None

    def get_state(self, camera: str) -> dict[str, Any]:
        with self._lock:
            return dict(self._get(_key(camera, "state")) or {})

    def set_state(self, camera: str, state: dict[str, Any]) -> None:
        with self._lock:
            self._set(_key(camera, "state"), dict(state), None)

    def claim(self, camera: str, name: str, ttl: float) -> bool:
        key = _key(camera, f"claim:{name}")
        with self._lock:
            if self._get(key) is not None:
                return False
            self._set(key, True, ttl)
            return True


_stores: dict[str, PTZStore] = {}
_stores_guard = threading.Lock()


def get_store() -> PTZStore:
    """Redis at ``REDIS_URL`` (one client per process), or memory without it."""
    url = settings.REDIS_URL
    with _stores_guard:
        if url not in _stores:
            if url:
                client = redis.Redis.from_url(url, decode_responses=True, socket_timeout=2, socket_connect_timeout=2)
                _stores[url] = RedisPTZStore(client)
            else:
                _stores[url] = MemoryPTZStore()
        return _stores[url]
