"""DRF renderers of the portal's API."""

from __future__ import annotations

from typing import Any

from csp.constants import SELF, UNSAFE_INLINE
from rest_framework import renderers

# DRF's browsable API templates style with two dozen style attributes and an inline <style> of
# Pygments rules. Those pages, and only those, allow inline *styles*; their scripts are static
# files and a JSON block, so script-src stays as strict as everywhere (portal/csp.py).
BROWSABLE_API_STYLES = {"style-src-attr": [UNSAFE_INLINE], "style-src-elem": [SELF, UNSAFE_INLINE]}


class BrowsableAPIRenderer(renderers.BrowsableAPIRenderer):
    """DRF's HTML view of the API, with the one Content-Security-Policy exception it needs."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> Any:
        response = (renderer_context or {}).get("response")
        if response is not None:
            # Read by django-csp's middleware, as its csp_update decorator does.
            response._csp_update = {**(getattr(response, "_csp_update", None) or {}), **BROWSABLE_API_STYLES}
        return super().render(data, accepted_media_type, renderer_context)
