"""Requests against the portal on SQLite, the embedded default (run by a test in its own process).

``python -m tests.portal.sqlite_requests URL...`` migrates a fresh SQLite
database (under ``CCTV_DATA_DIR``), adds a superuser who owns an organization
and an admin API token of it, sends a GET for each URL (``/api/...`` with the
token, anything else signed in as the superuser) and prints ``{url: status}``
as JSON. The test suite itself runs on PostgreSQL only.
"""

from __future__ import annotations

import json
import os
import sys


def main(urls: list[str]) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client

    from accounts import services
    from accounts.roles import Role
    from tests.support.factories import make_member, make_organization, make_user

    settings.ALLOWED_HOSTS = ["testserver"]
    call_command("migrate", verbosity=0)
    root = make_user("root@example.test", is_staff=True, is_superuser=True)
    organization = make_organization("SQLite Org")
    make_member(root, organization, Role.OWNER)
    _, key = services.create_token(root, organization, name="probe", role=Role.ADMIN)
    api, pages = Client(HTTP_AUTHORIZATION=f"Token {key}", raise_request_exception=False), Client()
    pages.force_login(root)
    pages.raise_request_exception = False
    statuses = {url: (api if url.startswith("/api/") else pages).get(url).status_code for url in urls}
    sys.stdout.write(json.dumps(statuses) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
