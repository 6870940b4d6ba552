"""Model fields shared by the apps."""

from __future__ import annotations

from typing import Any

from django.db import models

from portal import crypto


class EncryptedTextField(models.TextField):
    """Text stored encrypted (Fernet) and decrypted when loaded.

    The database only ever sees ciphertext; Python code sees plain text.
    An empty value is stored as an empty string, unencrypted, so "no
    password" stays distinguishable without a key.
    """

    description = "Text encrypted at rest"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        if not value:
            return ""
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> str:
        value = super().get_prep_value(value)
        if not value:
            return ""
        return crypto.encrypt(str(value))

    def to_python(self, value: Any) -> str:
        return "" if value is None else str(value)
