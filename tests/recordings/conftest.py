"""Fixtures for the clip tests: the API callers of ``tests/api`` (``api_as`` and its tokens)."""

from tests.api.conftest import api_as, tokens  # noqa: F401  (fixtures)
