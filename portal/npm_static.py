"""Static files taken from node_modules: the few built files of npm packages that pages load.

Only the files named in ``settings.NPM_STATIC_FILES`` are published, under
their own static paths: not whole package folders (hls.js's dist alone is
30 MB of builds, source maps and a demo). ``npm ci`` installs them from
package-lock.json (bin/setup, and the Dockerfile's npm stage); browsers get
them from the portal, never from a CDN. collectstatic and the development
server find them through ``NpmFinder`` like any other static file.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.staticfiles import utils
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import CheckMessage, Warning
from django.core.files.storage import FileSystemStorage


def npm_files() -> dict[str, Path]:
    """Static path -> the file under node_modules it is served from."""
    root = Path(settings.NODE_MODULES_DIR)
    return {static_path: root / source for static_path, source in settings.NPM_STATIC_FILES.items()}


class NpmFinder(BaseFinder):
    """A staticfiles finder for the files of ``settings.NPM_STATIC_FILES``."""

    def check(self, **kwargs: Any) -> list[CheckMessage]:
        missing = [str(source) for source in npm_files().values() if not source.is_file()]
        if not missing:
            return []
        return [Warning(
            f"npm files the pages need are missing: {', '.join(missing)}",
            hint="Run bin/setup (it runs `npm ci` from package-lock.json).",
            id="portal.W001",
        )]

    def find(self, path: str, find_all: bool = False, **kwargs: Any) -> str | list[str]:
        """The file's absolute path; [] when it is not ours or not installed (as Django's finders answer)."""
        if kwargs:  # Django 5.2 still accepts the deprecated all=
            find_all = self._check_deprecated_find_param(find_all=find_all, **kwargs)
        source = npm_files().get(path)
        if source is None or not source.is_file():
            return []
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns: list[str] | None) -> Iterator[tuple[str, FileSystemStorage]]:
        for static_path, source in npm_files().items():
            name = os.path.basename(static_path)
            if not source.is_file() or name != source.name or utils.matches_patterns(name, ignore_patterns):
                continue
            # collectstatic writes the file to storage.prefix + name, as for STATICFILES_DIRS prefixes.
            storage = FileSystemStorage(location=source.parent)
            storage.prefix = os.path.dirname(static_path)
            yield name, storage
