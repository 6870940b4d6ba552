"""A capture's ffmpeg is told to stop when its recorder dies, however the parent-death signal is set.

The recorder starts ffmpeg through ``setpriv --pdeathsig TERM`` (so Python
can vfork instead of forking the whole recorder) and falls back to setting
the signal from Python where setpriv is missing. Both are checked with a
real recorder-like process that is killed, and a stand-in ffmpeg that notes
the signal it gets. Once its recorder is gone, nobody reads ffmpeg's output:
the line it logs while finishing its file must not end it (SIGPIPE) before
the file is whole.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.services import REPO_ROOT, subprocess_env
from tests.support.waiting import wait_until

# It says when its trap is set: a TERM before that would end it without a note (the recorder is killed
# only then; on a busy machine the shell can take a while to get there).
STAND_IN = """#!/bin/sh
trap 'echo stopped > "$0.signalled"; exit 255' TERM
echo ready > "$0.ready"
while :; do /bin/sleep 0.05; done
"""

# Like ffmpeg on SIGTERM: a warning and a segment-list line to its dead recorder, then the file finished.
FINISHING_STAND_IN = """#!/bin/sh
trap 'echo "[warning] exiting" >&2; echo "seg.mp4,0.0,1.5"; echo whole > "$0.finished"; exit 255' TERM
echo ready > "$0.ready"
while :; do /bin/sleep 0.05; done
"""

RECORDER_LIKE = """
import queue, sys, time
import django
django.setup()
from pathlib import Path
from recordings.footage.capture import StreamCapture
capture = StreamCapture(1, "main", "rtsp://127.0.0.1:9/x", Path(sys.argv[1]), queue.Queue())
capture.start(10)
print(capture.process.pid, " ".join(capture.process.args[:3]), flush=True)
time.sleep(600)
"""


@pytest.mark.parametrize("setpriv", [True, False], ids=["setpriv", "python-fallback"])
def test_ffmpeg_is_told_to_stop_when_its_recorder_is_killed(tmp_path: Path, setpriv: bool) -> None:
    with _killed_recorder(tmp_path, STAND_IN, setpriv) as stand_in:
        wait_until(lambda: Path(f"{stand_in}.signalled").exists(), timeout=10)


@pytest.mark.parametrize("setpriv", [True, False], ids=["setpriv", "python-fallback"])
def test_ffmpeg_finishes_its_file_though_its_recorder_no_longer_reads_its_output(tmp_path: Path,
                                                                                 setpriv: bool) -> None:
    with _killed_recorder(tmp_path, FINISHING_STAND_IN, setpriv) as stand_in:
        wait_until(lambda: Path(f"{stand_in}.finished").exists(), timeout=10)


@contextlib.contextmanager
def _killed_recorder(tmp_path: Path, script: str, setpriv: bool) -> Iterator[Path]:
    """A recorder-like process running ``script`` as its ffmpeg, killed once the script is ready."""
    stand_in = tmp_path / "ffmpeg"
    stand_in.write_text(script)
    stand_in.chmod(0o755)
    env = subprocess_env(CCTV_FFMPEG_BIN=str(stand_in), DJANGO_SETTINGS_MODULE="tests.settings")
    if not setpriv:
        env["PATH"] = str(tmp_path)  # no setpriv to be found
    recorder = subprocess.Popen([sys.executable, "-c", RECORDER_LIKE, str(tmp_path / "out")], cwd=REPO_ROOT,  # noqa: S603
                                env=env, stdout=subprocess.PIPE, text=True)
    pid, launched = recorder.stdout.readline().split(" ", 1)  # type: ignore[union-attr]
    try:
        assert ("setpriv" in launched) is setpriv, launched
        wait_until(lambda: Path(f"{stand_in}.ready").exists(), timeout=30)
        recorder.send_signal(signal.SIGKILL)
        recorder.wait(timeout=10)
        yield stand_in
    finally:
        if recorder.poll() is None:
            recorder.kill()
        recorder.stdout.close()  # type: ignore[union-attr]
        with contextlib.suppress(ProcessLookupError):
            os.kill(int(pid), signal.SIGKILL)
