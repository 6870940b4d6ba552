"""npm packages as static files: hls.js is served by the portal itself (portal/npm_static.py), never a CDN."""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib.staticfiles import finders
from django.contrib.staticfiles.views import serve
from django.core.management import call_command
from django.test import RequestFactory, override_settings

from portal.npm_static import NpmFinder
from tests.support.services import REPO_ROOT

HLS = "vendor/hls.js/hls.light.min.mjs"


def _locked_version(package: str) -> str:
    lock = json.loads((REPO_ROOT / "package-lock.json").read_text())
    return lock["packages"][f"node_modules/{package}"]["version"]


def test_the_hls_js_module_is_served_as_javascript() -> None:
    response = serve(RequestFactory().get(f"/static/{HLS}"), HLS, insecure=True)
    body = b"".join(response.streaming_content).decode()

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")  # browsers refuse modules of other types
    assert "export{" in body.replace(" ", "")  # the ES-module build
    assert f'"{_locked_version("hls.js")}"' in body  # the version package-lock.json pins


def test_collectstatic_publishes_only_the_listed_npm_files(tmp_path: Path) -> None:
    with override_settings(STATIC_ROOT=tmp_path):
        call_command("collectstatic", interactive=False, verbosity=0)

    published = sorted(p.name for p in (tmp_path / "vendor" / "hls.js").iterdir())
    assert published == ["LICENSE", "hls.light.min.mjs", "hls.worker.js"]
    assert (tmp_path / "js" / "live-player.js").is_file()  # the portal's own files are still there


def test_a_missing_npm_file_is_not_found_and_the_check_says_how_to_get_it(tmp_path: Path) -> None:
    with override_settings(NODE_MODULES_DIR=tmp_path):
        assert not finders.find(HLS)
        warnings = NpmFinder().check()

    assert [w.id for w in warnings] == ["portal.W001"]
    assert "bin/setup" in warnings[0].hint
