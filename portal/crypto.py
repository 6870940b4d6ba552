"""Symmetric encryption of secrets at rest (camera credentials, gateway passwords).

Keys come from ``CCTV_ENCRYPTION_KEYS``: the first encrypts, every key
decrypts, so a key can be rotated by putting the new one first and running
``manage.py rotate_encryption``.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed


class DecryptionError(Exception):
    """A stored secret could not be decrypted with any configured key."""


@lru_cache(maxsize=1)
def _cipher() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in settings.CCTV_ENCRYPTION_KEYS])
    except (ValueError, TypeError) as exc:
        raise ImproperlyConfigured(
            "CCTV_ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64 bytes each)"
        ) from exc


def _reset_cipher(*, setting: str, **kwargs: object) -> None:
    if setting == "CCTV_ENCRYPTION_KEYS":
        _cipher.cache_clear()


setting_changed.connect(_reset_cipher)


def encrypt(plaintext: str) -> str:
    return _cipher().encrypt(plaintext.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _cipher().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise DecryptionError("stored secret cannot be decrypted with the configured keys") from exc


def rotate(token: str) -> str:
    return _cipher().rotate(token.encode()).decode()


def generate_key() -> str:
    return Fernet.generate_key().decode()
