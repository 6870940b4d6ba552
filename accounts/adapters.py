from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class PortalAccountAdapter(DefaultAccountAdapter):
    """Self sign-up only when the deployment asks for it (``CCTV_ALLOW_SIGNUP``)."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return settings.CCTV_ALLOW_SIGNUP
