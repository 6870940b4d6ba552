"""Where the ONVIF adapter keeps a camera's back-off, and how it is forgotten when the settings change.

The back-off (``cameras.ptz.onvif.client.Backoff``) lives in the shared cache under a
key per camera address *and* login: a corrected password starts afresh at
once instead of waiting out the wrong one's back-off. The key is a keyed
hash (the server's secret), so neither the password nor an unsalted hash
of it is ever written to Redis. Light on imports: the web process calls
``forget_backoff`` when a camera's ONVIF settings change.
"""

from __future__ import annotations

from django.core.cache import cache
from django.utils.crypto import salted_hmac

KEY_PREFIX = "onvif:backoff:"


def backoff_key(host: str, port: int, username: str, password: str) -> str:
    # The salt stays as it is (the adapter's old module name): a new one would change every key.
    material = "\0".join((host.strip().lower(), str(int(port)), username, password))
    return KEY_PREFIX + salted_hmac("cameras.onvif.backoff", material, algorithm="sha256").hexdigest()[:32]


def forget_backoff(host: str, port: int | None, username: str, password: str) -> None:
    """Drop the back-off of this address and login, if any."""
    if host and port:
        cache.delete(backoff_key(host, port, username, password))
