"""The Content-Security-Policy of every page (django-csp), and why each directive says what it says.

- Scripts: only the portal's own files (``'self'``): every script of ours is
  an ES module under static/js, page data travels in JSON blocks
  (``json_script``), which are not scripts. Third-party pages that need an
  inline script (drf-spectacular's Swagger UI) mark it with the request's
  nonce; no ``'unsafe-inline'``, no ``'unsafe-eval'``.
- Styles: our stylesheets, plus ``<style>`` blocks that carry the nonce (the
  live grid's column count, Swagger UI's page rules). Style *attributes* are
  refused: the templates have none, and scripts set styles through the CSSOM
  (``element.style``), which the policy does not restrict. Allowing
  ``'unsafe-inline'`` styles would let injected markup restyle the page (for
  example hide a warning or overlay a fake form); nothing needs it.
- Connections: the portal itself, including its own ``ws(s)://`` origin for
  the live relay and the event stream (added per request by
  portal/csp_middleware.py, since the host is the request's).
- Media and images: the portal, ``blob:`` (the MSE fallback and, later,
  hls.js attach a MediaSource through a blob URL), ``data:`` images (QR codes,
  Swagger UI's icons), and the clip storage's origins when it is S3 (downloads
  and snapshots redirect there).
- Workers: ``'self'`` (hls.js's transmuxing worker is a static file, see
  settings.NPM_STATIC_FILES; its ES build does not create blob workers).
- No plugins, no ``<base>``, no framing by anyone, forms post only to us.

One page type is an exception: DRF's browsable API allows inline styles
(portal/renderers.py says why); its scripts stay strict.

Settings read this module (it imports nothing of Django); the middleware is
portal/csp_middleware.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from csp.constants import NONCE, NONE, SELF


def directives(storage_origins: list[str]) -> dict[str, Any]:
    """The policy's directives, for settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]."""
    return {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:", *storage_origins],
        "media-src": [SELF, "blob:", *storage_origins],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }


def s3_origins(bucket: str, endpoint_url: str | None, region: str | None, addressing_style: str | None) -> list[str]:
    """Origins presigned URLs of this bucket can point at (path and virtual-host style)."""
    if endpoint_url:
        parts = urlsplit(endpoint_url)
        origins = [f"{parts.scheme}://{parts.netloc}"]
        if addressing_style != "path":
            origins.append(f"{parts.scheme}://{bucket}.{parts.netloc}")
        return origins
    origins = [f"https://{bucket}.s3.amazonaws.com"]
    if region:
        origins += [f"https://{bucket}.s3.{region}.amazonaws.com", f"https://s3.{region}.amazonaws.com"]
    return origins
