"""Invitation, password-reset and confirmation links never reach a log.

Regression (issue 10): in development the mail went to the log (the console
e-mail backend), and request logs printed the paths of those links, secret
and all. Checked against the development server the way ``bin/start`` runs
it (``manage.py runserver``, DEBUG on, every logger at DEBUG: access lines,
request warnings, SQL), plus the mail settings.
"""

from __future__ import annotations

import contextlib
import json
import re
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.core import mail

from accounts.invitations import invite_member
from accounts.models import AuditEvent
from accounts.roles import Role
from portal.log_filters import REDACTED, redact_secret_links
from tests.conftest import World
from tests.support.services import REPO_ROOT, free_port, stop_process, subprocess_env, wait_for_port

FAKE_SECRETS = {
    "/invitations/": "Inv1tat10nSecretKey_abc-XYZ",
    "/accounts/password/reset/key/": "1a-c3f2ResetSecret0123",
    "/accounts/confirm-email/": "MQ:1tConfirmSecret:abc",
}


@pytest.fixture
def dev_server(transactional_db: None, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """``manage.py runserver`` as bin/start runs it (DEBUG on), logging everything at DEBUG to a file."""
    port, log_path = free_port(), tmp_path / "runserver.log"
    env = subprocess_env(DJANGO_SETTINGS_MODULE="portal.settings", DJANGO_DEBUG="true", DJANGO_LOG_LEVEL="DEBUG",
                         CCTV_DATA_DIR=str(tmp_path), EMAIL_HOST="")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(  # noqa: S603
            [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
            cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    try:
        wait_for_port(port, timeout=30)
        yield f"http://127.0.0.1:{port}", log_path
    finally:
        stop_process(process)


def _get(url: str) -> None:
    with contextlib.suppress(urllib.error.HTTPError):  # 404s and the like are logged too, which is the point
        urllib.request.urlopen(url, timeout=10)  # noqa: S310  (a loopback URL the test built)


def test_the_development_server_logs_no_link_secrets(world: World, dev_server: tuple[str, Path]) -> None:
    base, log_path = dev_server
    invite_member(world.admin, world.org_a, email="fresh@example.test", role=Role.VIEWER)
    real_link = re.search(r"(/invitations/[^/\s]+/)", mail.outbox[-1].body).group(1)

    _get(base + real_link)  # opens the invitation: the key goes into the session, saved with SQL
    for prefix, secret in FAKE_SECRETS.items():
        _get(f"{base}{prefix}{secret}/")
    logged = log_path.read_text(errors="replace")

    for secret in [real_link.split("/")[2], *FAKE_SECRETS.values()]:
        assert secret not in logged
    assert logged.count(REDACTED) >= len(FAKE_SECRETS) + 1  # the lines are there, blanked
    assert "django.db.backends" not in logged  # SQL (with session data) is never logged
    audit_text = json.dumps(list(AuditEvent.objects.values("actor_label", "target_label", "target_id", "detail")))
    assert real_link.split("/")[2] not in audit_text  # nor is the key in the audit trail


def test_development_mail_goes_to_files_not_the_console(tmp_path: Path) -> None:
    env = subprocess_env(DJANGO_DEBUG="true", EMAIL_HOST="", CCTV_DATA_DIR=str(tmp_path))
    code = "import portal.settings as s; print(s.EMAIL_BACKEND); print(s.EMAIL_FILE_PATH)"

    out = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True,  # noqa: S603
                         check=True).stdout.split()

    assert out == ["django.core.mail.backends.filebased.EmailBackend", str(tmp_path / "mail")]


@pytest.mark.parametrize(("text", "expected"), [
    ("GET /invitations/abc_DEF-123/ 302", f"GET /invitations/{REDACTED}/ 302"),
    ("GET /invitations/accept/ 200", "GET /invitations/accept/ 200"),
    ("/accounts/password/reset/key/1a-set-password/", "/accounts/password/reset/key/1a-set-password/"),
    ("/accounts/password/reset/key/1a-abc-def/", f"/accounts/password/reset/key/{REDACTED}/"),
    ("/accounts/password/reset/key/done/", "/accounts/password/reset/key/done/"),
    ("https://x.test/accounts/confirm-email/MQ:1t:x/?next=/", f"https://x.test/accounts/confirm-email/{REDACTED}/?next=/"),
    ("/members/invitations/1f0c/withdraw/", "/members/invitations/1f0c/withdraw/"),
    ("/api/v1/invitations/1f0c/", "/api/v1/invitations/1f0c/"),
])
def test_which_paths_are_blanked(text: str, expected: str) -> None:
    assert redact_secret_links(text) == expected
