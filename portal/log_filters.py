"""Keeping sign-in links out of logs.

Invitation, password-reset and address-confirmation links carry a secret
in their path: whoever reads it can join an organization, choose a
password or confirm an address. Request logs (Django's own warnings, the
development server's access lines) print paths, so this filter blanks
those secrets in every record before any handler writes it. The same rule
is applied to nginx's access log in ``deploy/nginx.conf``.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# The secret path segment of each kind of link; the key-free pages the links
# lead on to ("accept", "set-password", "done") and the admins' invitation
# URLs (/members/invitations/<id>/..., /api/v1/invitations/<id>/) are left readable.
SECRET_LINKS = re.compile(
    r"(?P<prefix>(?<!/members)(?<!/api/v1)/invitations/|/accounts/password/reset/key/|/accounts/confirm-email/)"
    r"(?!(?:accept|done|[0-9a-z]+-set-password)/)(?P<secret>[^/\s?#\"']+)"
)


def redact_secret_links(text: str) -> str:
    return SECRET_LINKS.sub(lambda match: match["prefix"] + REDACTED, text)


class SecretLinkFilter(logging.Filter):
    """Rewrites a record whose message holds a secret link; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            return True  # a malformed record is the logging module's to report
        redacted = redact_secret_links(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
