"""A Redis cache backend whose connection pool is shared by the whole process.

Django builds one cache object per thread and, under ASGI, per async
context, and its stock ``RedisCache`` keeps its connection pools on that
object. Under Daphne, then, every HTTP request and every WebSocket handshake
opened a fresh TCP connection to Redis to read its session (a quarter of the
live relay's connect time, measured with py-spy under a 1000-viewer burst).
Here the client, and with it the pools, is made once per process for each
distinct configuration and reused by every cache object; redis-py's pools are
thread-safe and reset themselves in a forked child.
"""

from __future__ import annotations

import threading
from typing import ClassVar

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.utils.functional import cached_property


class SharedPoolRedisCache(RedisCache):
    _clients: ClassVar[dict[tuple, RedisCacheClient]] = {}
    _clients_lock: ClassVar[threading.Lock] = threading.Lock()

    @cached_property
    def _cache(self) -> RedisCacheClient:
        key = (tuple(self._servers), repr(sorted(self._options.items())))
        with self._clients_lock:
            client = self._clients.get(key)
            if client is None:
                client = self._clients[key] = self._class(self._servers, **self._options)
            return client
