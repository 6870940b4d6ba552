"""JSON for the footage API's largest answer, written by orjson: the same document as DRF's ``JSONRenderer``.

A day of one camera's segments is 8,640 objects, about 1.8 MB of JSON.
The standard library's encoder (DRF's) took tens of milliseconds for it,
and calls back into Python for each of its 17,280 datetimes; orjson writes
it in a few, datetimes included. What DRF's renderer does is kept: compact
separators, UTF-8 without escapes except U+2028 and U+2029 (escaped so the
JSON is also valid JavaScript), aware UTC datetimes ending in ``Z``, and
everything orjson does not know (lazy translations, decimals, ...) through
DRF's own encoder. A client that asks for indented JSON (or settings that ask
for spaces or ASCII) gets DRF's renderer.
One difference: a non-finite float becomes ``null`` where DRF refuses it;
footage answers have none.
"""

from __future__ import annotations

from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.encoders import JSONEncoder

_FALLBACK = JSONEncoder()
_LINE_SEPARATOR, _PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()


class FastJSONRenderer(JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None,
               renderer_context: dict | None = None) -> bytes:
        if data is None:
            return b""
        indented = self.get_indent(accepted_media_type or "", renderer_context or {}) is not None
        if indented or not self.compact or self.ensure_ascii:  # what orjson cannot write: DRF's own
            return super().render(data, accepted_media_type, renderer_context)
        content = orjson.dumps(data, default=_FALLBACK.default, option=orjson.OPT_UTC_Z)
        if _LINE_SEPARATOR in content or _PARAGRAPH_SEPARATOR in content:
            content = content.replace(_LINE_SEPARATOR, b"\\u2028").replace(_PARAGRAPH_SEPARATOR, b"\\u2029")
        return content
