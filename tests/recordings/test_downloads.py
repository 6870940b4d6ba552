"""Range parsing and safe file names for downloads; no database."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from recordings.clips.downloads import parse_range
from recordings.storage import clip_name, safe_filename


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("", None),
        ("bytes=0-", (0, 999)),
        ("bytes=100-199", (100, 199)),
        ("bytes=900-5000", (900, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=-5000", (0, 999)),
        ("items=0-1", None),
        ("bytes=0-1,5-6", None),  # several ranges: the whole file instead
    ],
)
def test_parse_range(header: str, expected: tuple[int, int] | None) -> None:
    assert parse_range(header, 1000) == expected


@pytest.mark.parametrize("header", ["bytes=1000-", "bytes=500-100"])
def test_unsatisfiable_range(header: str) -> None:
    with pytest.raises(ValueError):
        parse_range(header, 1000)


def test_file_names_carry_no_user_text_but_a_slug() -> None:
    when = datetime(2026, 3, 1, 12, 30, 5, tzinfo=UTC)
    assert safe_filename('Gate "North"; rm -rf /\r\n', when) == "clip-gate-north-rm-rf-20260301-123005.mp4"
    assert safe_filename("Caméra d'entrée", when) == "clip-camera-dentree-20260301-123005.mp4"
    assert safe_filename("日本", when) == "clip-camera-20260301-123005.mp4"


def test_storage_names_are_built_from_ids_only() -> None:
    import uuid

    public_id = uuid.UUID("12345678-1234-5678-1234-567812345678")
    assert clip_name(7, public_id) == "clips/7/12345678123456781234567812345678.mp4"
