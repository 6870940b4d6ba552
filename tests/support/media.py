"""Real media processes for integration tests: go2rtc gateways and cameras.

- ``Gateway``: go2rtc run with the project's hardened ``go2rtc.yaml`` (API
  behind Basic auth with ``local_auth``), only its listen addresses moved to
  free loopback ports and loopback WebRTC candidates allowed, since the
  browser or aiortc peer sits on the same machine.
- ``CameraSimulator``: a *separate* go2rtc acting as a set of RTSP cameras,
  each an ffmpeg test pattern encoded to H.264 on demand; the gateway pulls
  ``rtsp://127.0.0.1:<port>/<name>`` from it, as it would from a camera.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Protocol

import httpx

from tests.support.services import REPO_ROOT, free_port, go2rtc_binary, wait_for_port
from tests.support.waiting import WaitTimeout, wait_until


class Go2RTCProcess:
    def __init__(self, name: str, config_files: list[str], overrides: dict, env: dict[str, str]) -> None:
        binary = go2rtc_binary()
        if binary is None:
            raise RuntimeError("go2rtc is not installed: run bin/test (or bin/setup), which builds it")
        self.binary = binary
        self.name = name
        self.workdir = Path(tempfile.mkdtemp(prefix=f"cctv-{name}-"))
        self.config_files = config_files
        self.overrides = overrides
        self.env = {**os.environ, **env}
        self.api_port = int(overrides["api"]["listen"].rsplit(":", 1)[1])
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        # go2rtc writes API changes into its *first* config file: give it a
        # scratch one, so the repository's go2rtc.yaml is only ever read.
        scratch = self.workdir / "runtime.yaml"
        scratch.touch()
        argv = [self.binary, "-c", str(scratch)]
        for path in self.config_files:
            argv += ["-c", path]
        argv += ["-c", json.dumps(self.overrides)]
        self.log = open(self.workdir / "go2rtc.log", "ab")  # noqa: SIM115  (closed in stop())
        self.process = subprocess.Popen(  # noqa: S603
            argv, cwd=self.workdir, env=self.env, stdout=self.log, stderr=subprocess.STDOUT
        )
        try:
            wait_for_port(self.api_port, timeout=15)
        except TimeoutError:
            self.stop()
            raise RuntimeError(f"{self.name} did not start:\n{self.log_text()[-2000:]}") from None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self.process = None
        if getattr(self, "log", None):
            self.log.close()

    def kill(self) -> None:
        """Die abruptly, as a crashed gateway would."""
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=5)
            self.process = None

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.workdir, ignore_errors=True)

    def log_text(self) -> str:
        path = self.workdir / "go2rtc.log"
        return path.read_text(errors="replace") if path.exists() else ""


class Gateway(Go2RTCProcess):
    def __init__(self) -> None:
        self.username = "portal"
        self.password = secrets.token_urlsafe(16)
        self.rtsp_port, self.webrtc_port = free_port(), free_port()
        overrides = {
            "api": {"listen": f"127.0.0.1:{free_port()}"},
            "rtsp": {"listen": f"127.0.0.1:{self.rtsp_port}"},
            "webrtc": {
                "listen": f"127.0.0.1:{self.webrtc_port}",
                "candidates": [f"127.0.0.1:{self.webrtc_port}"],
            },
        }
        env = {"GO2RTC_API_USERNAME": self.username, "GO2RTC_API_PASSWORD": self.password}
        # The same files as bin/start's gateway, so the browser tests prove what the demo runs.
        configs = [str(REPO_ROOT / "go2rtc.yaml"), str(REPO_ROOT / "go2rtc.single-host.yaml")]
        super().__init__("gateway", configs, overrides, env)

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def rtsp_url(self) -> str:
        return f"rtsp://127.0.0.1:{self.rtsp_port}"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.api_url, auth=(self.username, self.password), timeout=10)

    def stream_names(self) -> set[str]:
        with self.client() as client:
            return set((client.get("/api/streams").json() or {}).keys())

    def _stream(self, stream: str) -> dict:
        with self.client() as client:
            data = client.get("/api/streams").json() or {}
        return data.get(stream) or {}

    def consumers(self, stream: str) -> int:
        return len(self._stream(stream).get("consumers") or [])

    def producer_started(self, stream: str) -> bool:
        """Whether go2rtc ever dialled the camera (an idle producer is just its URL)."""
        return any(set(p) - {"url"} for p in self._stream(stream).get("producers") or [])


TEST_PATTERN = "ffmpeg:virtual?video=testsrc2&size={size}&rate={rate}#video=h264"


class CameraSimulator(Go2RTCProcess):
    """RTSP 'cameras' named ``cam1``, ``cam2``...: test patterns encoded on demand."""

    def __init__(self, count: int = 4, size: str = "640x360", rate: int = 15) -> None:
        self.rtsp_port = free_port()
        streams = {f"cam{i}": TEST_PATTERN.format(size=size, rate=rate) for i in range(1, count + 1)}
        overrides = {
            "api": {"listen": f"127.0.0.1:{free_port()}"},
            "rtsp": {"listen": f"127.0.0.1:{self.rtsp_port}"},
            "webrtc": {"listen": ""},
            "log": {"level": "warn"},
            "streams": streams,
        }
        super().__init__("camera-simulator", [], overrides, {})
        self.names = list(streams)

    def source(self, name: str) -> str:
        return f"rtsp://127.0.0.1:{self.rtsp_port}/{name}"

    @property
    def host_port(self) -> str:
        return f"127.0.0.1:{self.rtsp_port}"


class SourceServer(Protocol):
    """A go2rtc serving synthetic RTSP sources: ``CameraSimulator`` or ``SceneCamera``."""

    api_port: int
    names: list[str]

    def source(self, name: str) -> str: ...

    def log_text(self) -> str: ...


def _simulator_source_running(simulator: SourceServer, name: str) -> bool:
    response = httpx.get(f"http://127.0.0.1:{simulator.api_port}/api/streams", timeout=5)
    producers = ((response.json() or {}).get(name) or {}).get("producers") or []
    return any(set(p) - {"url"} for p in producers)


def keep_sources_open(simulator: SourceServer, names: list[str] | None = None) -> list[subprocess.Popen]:
    """Hold each simulated source open with a cheap reader, started one at a time.

    Real cameras are always on; the simulator's encoders start on demand, and
    go2rtc (1.9.14) can wedge a source for good when several of its exec
    encoders start in the same instant. Opening them one by one up front
    avoids that. Stop the returned processes with ``stop_processes``.
    """
    readers = []
    for name in names or simulator.names:
        readers.append(subprocess.Popen(  # noqa: S603
            ["ffmpeg", "-nostdin", "-loglevel", "quiet", "-rtsp_transport", "tcp",  # noqa: S607
             "-i", simulator.source(name), "-c", "copy", "-f", "null", "-"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        ))
        try:
            wait_until(lambda name=name: _simulator_source_running(simulator, name), timeout=15,
                       what=f"simulated source {name} started", otherwise=lambda: simulator.log_text()[-2000:])
        except WaitTimeout:
            stop_processes(readers)
            raise
    return readers


def stop_processes(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
