"""How ffmpeg's failures are read, and the command that records without re-encoding; no processes."""

from __future__ import annotations

from pathlib import Path

import pytest

from recordings.clips.recorder import ffmpeg_argv
from recordings.footage.restream import Failure, classify, restream_source

URL = "rtsp://127.0.0.1:44013/cam-4014034043b2c1d0e9f8a7b6c5d4e3f2-main?video&audio=aac"


@pytest.mark.parametrize(
    ("stderr", "failure"),
    [
        (f"[rtsp @ 0x1] method DESCRIBE failed: 404 Not Found\n{URL}: Server returned 404", Failure.NOT_FOUND),
        (f"[rtsp @ 0x1] method DESCRIBE failed: 401 Unauthorized\n{URL}: Server returned 401", Failure.REFUSED),
        (f"{URL}: Server returned 403 Forbidden (access denied)", Failure.REFUSED),
        (f"[tcp @ 0x1] Connection to tcp://127.0.0.1:44013 failed: Connection refused\n{URL}: Connection refused",
         Failure.UNREACHABLE),
        (f"{URL}: Connection timed out", Failure.STALLED),
        (f"{URL}: Invalid data found when processing input", Failure.OTHER),
    ],
)
def test_classify_reads_the_rtsp_answer_not_digits_in_the_url(stderr: str, failure: Failure) -> None:
    assert classify(stderr) is failure


def test_the_command_copies_streams_into_a_faststart_mp4(tmp_path: Path) -> None:
    argv = ffmpeg_argv(restream_source("rtsp://gw:8554/cam-x-main"), 10, tmp_path / "out.mp4")

    assert argv[argv.index("-i") + 1] == "rtsp://gw:8554/cam-x-main?video&audio=aac"
    assert argv[argv.index("-c") + 1] == "copy"  # stream copy: never re-encoded
    assert argv[argv.index("-t") + 1] == "10"
    assert argv[argv.index("-rtsp_transport") + 1] == "tcp"
    assert argv[argv.index("-timeout") + 1] == "10000000"  # gives up on a silent gateway
    assert "+faststart" in argv and argv[-1] == str(tmp_path / "out.mp4")
