"""The compose deployment's byte path for real: nginx in front of Daphne, segment bytes by X-Accel-Redirect.

nginx runs with the ``/_footage/`` location taken from ``deploy/nginx.conf``
itself (only the recordings directory differs), Daphne with
``CCTV_PLAYBACK_ACCEL_PREFIX=/_footage/``. The portal checks every request;
nginx sends the bytes (with byte ranges) only when the portal says so.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import httpx
import pytest
from django.utils import timezone

from accounts import services
from accounts.roles import Role
from recordings.footage import layout
from tests.live.conftest import _start
from tests.playback.helpers import record
from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user
from tests.support.services import REPO_ROOT, free_port, stop_process, wait_for_port

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True),
              pytest.mark.skipif(not shutil.which("nginx"), reason="nginx is not installed")]

NGINX = shutil.which("nginx") or "nginx"


def footage_location(recordings: Path) -> str:
    """The shipped ``location /_footage/`` block, pointed at this test's recordings directory."""
    conf = (REPO_ROOT / "deploy" / "nginx.conf").read_text()
    block = re.search(r"location /_footage/ \{.*?\n\s*\}", conf, re.S)
    assert block, "deploy/nginx.conf has no /_footage/ location"
    assert "internal;" in block.group(0)
    return block.group(0).replace("alias /recordings/;", f"alias {recordings}/;")


@pytest.fixture
def world(settings, tmp_path: Path, fmp4_files: list[Path]) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    settings.CCTV_RECORDINGS_DIR = tmp_path / "recordings"
    org, other = make_organization("Accel Org"), make_organization("Other Org")
    owner, stranger = make_user(), make_user()
    make_member(owner, org, Role.OWNER)
    make_member(stranger, other, Role.OWNER)
    camera = make_camera(make_site(org, "Depot"), "Gate")
    start = timezone.now() - timedelta(minutes=10)
    segments = record(camera, fmp4_files, start)
    _, key = services.create_token(owner, org, name="player", role=Role.VIEWER)
    _, other_key = services.create_token(stranger, other, name="other", role=Role.ADMIN)
    return {"camera": camera, "segments": segments, "start": start, "key": key, "other_key": other_key,
            "root": settings.CCTV_RECORDINGS_DIR}


@pytest.fixture
def nginx(world: dict[str, Any], tmp_path: Path) -> Iterator[str]:
    """Daphne (accel on) behind nginx; yields nginx's base URL."""
    daphne_port, nginx_port = free_port(), free_port()
    daphne = _start([sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(daphne_port),
                     "portal.asgi:application"], tmp_path / "daphne.log", DJANGO_SETTINGS_MODULE="tests.settings",
                    CCTV_RECORDINGS_DIR=str(world["root"]), CCTV_PLAYBACK_ACCEL_PREFIX="/_footage/")
    prefix = tmp_path / "nginx"
    prefix.mkdir()
    (prefix / "nginx.conf").write_text(f"""
daemon off;
user root;
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 64; }}
http {{
    include /etc/nginx/mime.types;
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{nginx_port};
        {footage_location(world["root"])}
        location / {{
            proxy_pass http://127.0.0.1:{daphne_port};
            proxy_set_header Host $host;
        }}
    }}
}}
""")
    server = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(prefix / "nginx.conf")],  # noqa: S603
                              stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        wait_for_port(daphne_port, timeout=30)
        wait_for_port(nginx_port, timeout=10)
        yield f"http://127.0.0.1:{nginx_port}"
    finally:
        stop_process(server)
        stop_process(daphne)


def test_nginx_sends_the_bytes_the_portal_allowed(world: dict[str, Any], nginx: str) -> None:
    owner = httpx.Client(headers={"Authorization": f"Token {world['key']}"}, timeout=10)
    start = world["start"]
    created = owner.post(f"{nginx}/api/v1/cameras/{world['camera'].public_id}/playback/",
                         json={"start": start.isoformat(), "end": (start + timedelta(minutes=5)).isoformat()})
    assert created.status_code == 201, created.text
    playlist_url = urljoin(nginx, httpx.URL(created.json()["playlist_url"]).path)

    playlist = owner.get(playlist_url)
    assert playlist.status_code == 200
    uri = next(line for line in playlist.text.splitlines() if line.startswith("s/"))
    segment_url = urljoin(playlist_url, uri)
    first = world["segments"][0]
    data = layout.path_of(first.key).read_bytes()

    part = owner.get(segment_url, headers={"Range": f"bytes={first.init_size}-{first.bytes - 1}"})

    assert part.status_code == 206
    assert part.content == data[first.init_size:]
    assert part.headers["content-type"] == "video/mp4"
    assert "x-accel-redirect" not in part.headers  # nginx acted on it; the browser never sees the path
    assert "etag" in part.headers  # nginx's own static-file answer, not bytes streamed by Daphne
    assert part.headers["cache-control"].startswith("private")  # the portal's caching rule survives

    # Another organization's token with the copied URLs, and the internal location itself: 404.
    stranger = httpx.Client(headers={"Authorization": f"Token {world['other_key']}"}, timeout=10)
    assert stranger.get(playlist_url).status_code == 404
    assert stranger.get(segment_url).status_code == 404
    assert owner.get(f"{nginx}/_footage/{first.key}").status_code == 404
