"""Fixtures of the footage tests: a recordings root per test, real fMP4 files made once per module."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.api.conftest import api_as, tokens  # noqa: F401  (fixtures)
from tests.footage.helpers import make_fmp4_segments


@pytest.fixture
def footage_root(settings, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    settings.CCTV_RECORDINGS_DIR = tmp_path / "recordings"
    return settings.CCTV_RECORDINGS_DIR


@pytest.fixture(scope="module")
def fmp4_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Three 2 s segments of a 15 fps H.264 test pattern, one keyframe a second."""
    return make_fmp4_segments(tmp_path_factory.mktemp("fmp4"))


# --- remote stores (tests/support/storage_servers.py), started only by the tests that use them ----------------


@pytest.fixture(scope="session")
def moto_s3(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """moto's S3 server with one bucket per test organization."""
    from tests.support.storage_servers import MotoS3

    server = MotoS3(tmp_path_factory.mktemp("moto"), buckets=["footage-a", "footage-b"], switchable=True)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def azurite(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Azurite's blob service with two accounts, each with a ``footage`` container."""
    from tests.support.storage_servers import Azurite

    server = Azurite(tmp_path_factory.mktemp("azurite"), switchable=True)
    server.start()
    try:
        for account in server.accounts:
            server.container(account, "footage").create_container()
        yield server
    finally:
        server.stop()
