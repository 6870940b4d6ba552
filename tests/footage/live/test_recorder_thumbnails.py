"""Preview pictures end to end: camera simulator -> go2rtc -> the real recorder -> a JPEG per interval, indexed.

The interval is lowered to 4 s (segments of 2 s) so the test sees several
"minutes" go by in seconds; the recorder does the same work per interval as
it does per minute.
"""

from __future__ import annotations

import json
import signal
import subprocess
from datetime import timedelta

import pytest

from recordings.footage import layout, thumbnails
from recordings.footage.models import Segment, Thumbnail
from tests.footage.live.conftest import Recorded
from tests.support.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FAST = {"CCTV_RECORDING_SEGMENT_SECONDS": "2", "CCTV_THUMBNAIL_SECONDS": "4"}
INTERVAL = timedelta(seconds=4)


def _jpeg(key: str) -> dict:
    result = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "stream=codec_name,width", "-of", "json",
                             str(thumbnails.path_of(key))], capture_output=True, text=True, timeout=30, check=True)
    return json.loads(result.stdout)["streams"][0]


def test_the_recorder_takes_one_picture_per_interval_from_its_first_segment(recorded: Recorded, recorder,  # type: ignore[no-untyped-def]
                                                                           settings) -> None:
    settings.CCTV_THUMBNAIL_SECONDS = 4  # this process reads the same intervals as the recorder
    camera = recorded.camera
    server = recorder("r1", **FAST)

    assert wait_until(lambda: Thumbnail.objects.filter(camera=camera).count() >= 4, timeout=90, interval=0.5), (
        server.log_text()[-3000:])
    server.process.send_signal(signal.SIGTERM)
    server.process.wait(timeout=30)

    pictures = list(Thumbnail.objects.filter(camera=camera).select_related("segment").order_by("minute"))
    for picture in pictures:
        assert thumbnails.bucket_of(picture.minute, INTERVAL) == picture.minute
        # Taken from the first segment of its interval, of the recorded stream.
        first = (Segment.objects.filter(camera=camera, stream="main", start__gte=picture.minute,
                                        start__lt=picture.minute + INTERVAL).order_by("start").first())
        assert picture.segment == first, (picture.minute, picture.segment.start, first and first.start)
        assert _jpeg(picture.key) == {"codec_name": "mjpeg", "width": 160}
        assert thumbnails.path_of(picture.key).stat().st_size == picture.bytes
        assert picture.key.startswith(f"{recorded.camera.site.organization_id}/{camera.public_id.hex}/thumbs/")
    # One per interval, every interval the footage started a segment in (none skipped once recording ran).
    starts = {thumbnails.bucket_of(s.start, INTERVAL)
              for s in Segment.objects.filter(camera=camera, stream="main", start__gte=pictures[0].minute,
                                              start__lt=pictures[-1].minute)}
    assert starts <= {picture.minute for picture in pictures}
    assert not list((layout.root() / layout.INCOMING / "thumbs").glob("*.jpg"))  # nothing left in hand
    # The recorder says what the pictures cost when it stops.
    assert "recorder pictures:" in server.log_text() and "ms CPU" in server.log_text()
