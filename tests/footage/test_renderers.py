"""The footage API's orjson renderer writes what DRF's JSONRenderer writes (fast unit tests, no database)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer

from recordings.footage.renderers import FastJSONRenderer

DOCUMENT = {
    "camera": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "start": datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
    "end": datetime(2026, 3, 1, 8, 0, 10, 4000, tzinfo=UTC),
    "segments": [{"duration": 9.5, "bytes": 5_000_000, "has_motion": True, "width": None, "codec": "h264"}],
    "name": "Entrée \u2028 line \u2029 paragraph </script> \"quoted\" 📷",
    "ratio": Decimal("0.25"),
    "message": gettext_lazy("Not found."),
    "empty": [],
}


def test_the_same_bytes_as_drfs_renderer() -> None:
    assert FastJSONRenderer().render(DOCUMENT) == JSONRenderer().render(DOCUMENT)


def test_line_and_paragraph_separators_are_escaped_as_drf_does() -> None:
    content = FastJSONRenderer().render({"name": "a\u2028b\u2029c"})

    assert content == b'{"name":"a\\u2028b\\u2029c"}'


@pytest.mark.parametrize("media_type", ["application/json; indent=2", "application/json; indent=0"])
def test_indented_json_asked_for_is_drfs(media_type: str) -> None:
    assert FastJSONRenderer().render(DOCUMENT, media_type) == JSONRenderer().render(DOCUMENT, media_type)


def test_no_data_is_an_empty_body() -> None:
    assert FastJSONRenderer().render(None) == b""
