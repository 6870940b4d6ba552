"""API token authentication for integrators.

A request with ``Authorization: Token <key>`` acts as a *token principal*:
not a user, but something the access gate understands, with exactly one
grant (the token's organization and role, never more than its creator has
now: see ``accounts.scoping.token_grant``). The services revoke or narrow a
token as soon as its creator loses rights; the check here is the backstop
for changes made past them (a deactivation in the shell, a bulk update).
``TokenPrincipal`` itself lives with the other caller questions in
``accounts.callers``; it is imported here under its old name too.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from accounts.callers import TokenPrincipal
from accounts.models import APIToken, hash_token_key
from accounts.scoping import token_grant

REFUSED = "The API token is not valid or has been revoked."
# Writing last_used_at on every call would turn each read into a write.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class APITokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[TokenPrincipal, APIToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the token as 'Authorization: Token <key>'.")
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("The API token is not valid.") from None
        token = (
            APIToken.objects.active()
            .select_related("organization", "created_by")
            .filter(key_hash=hash_token_key(key))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed(REFUSED)
        grant = token_grant(token)
        if grant is None:
            from accounts.services import retire_token

            retire_token(token, reason="its creator no longer has the rights it carries")
            raise exceptions.AuthenticationFailed(REFUSED)
        self._touch(token)
        return TokenPrincipal(token, grant), token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword

    @staticmethod
    def _touch(token: APIToken) -> None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
            APIToken.objects.filter(pk=token.pk).update(last_used_at=now)
