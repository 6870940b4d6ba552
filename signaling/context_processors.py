"""Template context every page gets: the page-wide configuration static/js reads.

It lives in ``signaling``, whose close codes, relay error codes and socket
paths it writes; settings (the wiring) names it, so ``portal`` needs no
signaling import.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from signaling.protocol import browser_config


def page_config(request: HttpRequest) -> dict[str, Any]:
    """Rendered once per page by base.html as ``<script type="application/json" id="page-config">``.

    static/js/config.js reads it; the values come from the Python modules
    that own them, so the browser never keeps a hand-made copy.
    """
    return {"page_config": browser_config()}
