"""Fixtures of the playback tests: the footage tests' recordings root, real fMP4 files and API callers."""

from __future__ import annotations

from tests.api.conftest import api_as, tokens  # noqa: F401  (fixtures)
from tests.footage.conftest import fmp4_files, footage_root  # noqa: F401  (fixtures)
