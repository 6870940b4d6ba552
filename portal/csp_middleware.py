"""django-csp's middleware with the page's own WebSocket origin in connect-src (the policy: portal/csp.py)."""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponseBase


def socket_origin(request: HttpRequest) -> str | None:
    """ws(s)://<host> of this request, or None when the host is not one we serve."""
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    return f"{'wss' if request.is_secure() else 'ws'}://{host}"


class PortalCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, with the page's own WebSocket origin added to connect-src.

    CSP Level 3 lets ``'self'`` match ws(s) on the same host, but not every
    browser in use does; naming the origin costs nothing.
    """

    def get_policy_parts(
        self, request: HttpRequest, response: HttpResponseBase, report_only: bool = False
    ) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        origin = socket_origin(request)
        if origin:
            update = dict(parts.update or {})
            extra = update.get("connect-src") or []
            update["connect-src"] = [*([extra] if isinstance(extra, str) else extra), origin]
            parts.update = update
        return parts
