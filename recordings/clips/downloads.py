"""Serving a clip's file to someone the gate already let through.

Local storage: the file itself, streamed, with single byte ranges so a
``<video>`` element can seek. S3: a redirect to a short-lived presigned URL
of the private object. The caller has checked access; this module only
shapes the response and writes the audit event once per download (not for
every range request of a playing video).
"""

from __future__ import annotations

import re
from typing import Any

from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, StreamingHttpResponse
from django.utils.text import slugify

from accounts.callers import Visitor
from recordings import storage
from recordings.clips import bundles
from recordings.clips import services as exports
from recordings.models import Clip, ExportBundle, MotionEvent

RANGE_RE = re.compile(r"^bytes=(\d*)-(\d*)$")
STREAM_CHUNK = 256 * 1024
ZIP_TYPE = "application/zip"


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """The inclusive byte range a ``Range`` header asks for, or None to send everything."""
    match = RANGE_RE.match(header.strip())
    if not match or size == 0:
        return None
    first, last = match.groups()
    if not first and not last:
        return None
    if not first:  # the last N bytes
        start, end = max(size - int(last), 0), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    if start > end or start >= size:
        raise ValueError("range not satisfiable")
    return start, end


def stream_range(handle: Any, start: int, length: int) -> Any:
    """``length`` bytes of an open binary file from ``start``, in chunks; the file is closed at the end.

    Shared by clip downloads and playback segments (``recordings.playback.delivery``).
    """
    try:
        handle.seek(start)
        while length > 0:
            data = handle.read(min(STREAM_CHUNK, length))
            if not data:
                break
            length -= len(data)
            yield data
    finally:
        handle.close()


def _disposition(clip: Clip | ExportBundle, inline: bool) -> str:
    return f'{"inline" if inline else "attachment"}; filename="{clip.download_filename}"'


def _local_response(request: HttpRequest, clip: Clip | ExportBundle, inline: bool,
                    content_type: str = "video/mp4") -> HttpResponse:
    """A stored file (a clip's MP4 or an export's zip) with single byte ranges."""
    size = clip.size or 0
    try:
        wanted = parse_range(request.headers.get("Range", ""), size)
    except ValueError:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    try:
        handle = storage.open_clip(clip.file.name)
    except FileNotFoundError:
        raise Http404("The clip's file is gone (it may have just expired).") from None
    if wanted is None:
        response: HttpResponse = FileResponse(handle, as_attachment=not inline, filename=clip.download_filename,
                                              content_type=content_type)
    else:
        start, end = wanted
        response = StreamingHttpResponse(stream_range(handle, start, end - start + 1), status=206,
                                         content_type=content_type)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
        response["Content-Length"] = str(end - start + 1)
        response["Content-Disposition"] = _disposition(clip, inline)
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "private, no-store"
    return response


def is_first_request(request: HttpRequest) -> bool:
    """Whether this request starts a download or playback (no range, or one from byte 0)."""
    header = request.headers.get("Range", "")
    return not header or header.replace(" ", "").startswith("bytes=0-")


def file_response(request: HttpRequest, user: Visitor, clip: Clip, *, inline: bool, ip: str | None) -> HttpResponse:
    """The file (local) or a redirect to it (S3). Raises ValidationError if the clip is not ready."""
    exports.check_downloadable(clip)
    if is_first_request(request):
        exports.record_download(user, clip, ip=ip, mode="inline" if inline else "attachment")
    if storage.is_remote():
        response = HttpResponseRedirect(storage.presigned_url(clip.file.name, clip.download_filename, inline=inline))
        response["Cache-Control"] = "private, no-store"
        return response
    return _local_response(request, clip, inline)


def bundle_response(request: HttpRequest, user: Visitor, bundle: ExportBundle, *, ip: str | None) -> HttpResponse:
    """A multi-camera export's zip (local) or a redirect to it (S3). The caller checked access and readiness."""
    if is_first_request(request):
        bundles.record_download(user, bundle, ip=ip)
    if storage.is_remote():
        url = storage.presigned_url(bundle.file.name, bundle.download_filename, inline=False,
                                    content_type=ZIP_TYPE)
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        return response
    return _local_response(request, bundle, False, content_type=ZIP_TYPE)


# --- motion snapshots ---------------------------------------------------------------


def snapshot_filename(event: MotionEvent) -> str:
    slug = slugify(event.camera_name)[:60].strip("-") or "camera"
    return f"motion-{slug}-{event.started_at:%Y%m%d-%H%M%S}.jpg"


def snapshot_response(event: MotionEvent) -> HttpResponse:
    """A motion event's JPEG (local) or a redirect to it (S3). The caller checked access.

    The picture of an open event may still be replaced by a stronger moment,
    so only a closed event's picture may be kept by the browser for a while.
    """
    if not event.snapshot:
        raise Http404("This alert has no snapshot.")
    filename = snapshot_filename(event)
    if storage.is_remote():
        url = storage.presigned_url(event.snapshot.name, filename, inline=True, content_type="image/jpeg")
        response: HttpResponse = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"
        return response
    try:
        handle = storage.open_clip(event.snapshot.name)
    except FileNotFoundError:
        raise Http404("The snapshot's file is gone (it may have just expired).") from None
    response = FileResponse(handle, filename=filename, content_type="image/jpeg")
    response["Cache-Control"] = "private, no-cache" if event.is_open else "private, max-age=300"
    return response
