"""The deployment files: docker-compose.yml, go2rtc.yaml, .env.example, production settings, scripts."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
import yaml
from cryptography.fernet import Fernet

from tests.support.services import REPO_ROOT, free_port, go2rtc_binary, wait_for_port

SETTING_CALL = re.compile(r"\benv(?:_bool|_int|_list)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")


def settings_variables() -> list[str]:
    text = (REPO_ROOT / "portal" / "settings.py").read_text()
    return sorted(set(SETTING_CALL.findall(text)))


def env_example() -> dict[str, str]:
    """Active NAME=value lines of .env.example."""
    values = {}
    for line in (REPO_ROOT / ".env.example").read_text().splitlines():
        match = re.match(r"^([A-Z][A-Z0-9_]*)=(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


def compose_command() -> list[str]:
    if shutil.which("docker-compose"):
        return ["docker-compose"]
    pytest.fail("docker-compose not found: run bin/test (or bin/setup), which installs it")


@pytest.fixture
def compose_project(tmp_path: Path) -> Path:
    """A copy of the deployment files with .env taken from .env.example."""
    for name in ("docker-compose.yml", "go2rtc.yaml", "Dockerfile"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    shutil.copytree(REPO_ROOT / "deploy", tmp_path / "deploy")
    shutil.copy(REPO_ROOT / ".env.example", tmp_path / ".env")
    return tmp_path


def compose(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in env_example()}
    return subprocess.run(
        [*compose_command(), "-f", "docker-compose.yml", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_compose_file_is_valid(compose_project: Path) -> None:
    result = compose(compose_project, "config", "-q")
    assert result.returncode == 0, result.stderr


def test_compose_publishes_only_the_proxy_and_webrtc(compose_project: Path) -> None:
    result = compose(compose_project, "config")
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]
    assert set(services) == {
        "postgres", "redis", "go2rtc", "migrate", "web", "worker", "motion-worker", "recorder", "beat", "nginx",
    }

    def published(name: str) -> set[str]:
        return {f"{port['published']}/{port.get('protocol', 'tcp')}" for port in services[name].get("ports", [])}

    assert published("nginx") == {"80/tcp", "443/tcp"}
    assert published("go2rtc") == {"8555/tcp", "8555/udp"}
    for name in ("postgres", "redis", "migrate", "web", "worker", "motion-worker", "recorder", "beat"):
        assert not published(name), f"{name} must not publish ports"
    # The recorder writes footage to a volume of its own, next to the gateway, on the private network.
    mounts = [(v["source"], v["target"]) if isinstance(v, dict) else tuple(v.split(":")[:2])
              for v in services["recorder"]["volumes"]]
    assert ("recordings", "/recordings") in mounts
    assert services["recorder"]["environment"]["CCTV_RECORDINGS_DIR"] == "/recordings"
    assert "frontend" not in services["recorder"]["networks"]
    # The proxy cannot reach go2rtc, PostgreSQL or Redis at all.
    assert set(services["nginx"]["networks"]) == {"frontend"}
    assert "frontend" not in services["go2rtc"]["networks"]
    for name in ("postgres", "redis", "go2rtc", "web", "worker", "nginx"):
        assert "healthcheck" in services[name], f"{name} has no healthcheck"
    assert services["web"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert services["web"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert services["nginx"]["depends_on"]["web"]["condition"] == "service_healthy"
    assert services["go2rtc"]["image"] == "alexxit/go2rtc:1.9.14"
    assert services["web"]["environment"]["GO2RTC_API_URL"] == "http://go2rtc:1984"


def test_compose_refuses_to_start_without_secrets(compose_project: Path) -> None:
    env_file = compose_project / ".env"
    lines = [line for line in env_file.read_text().splitlines() if not line.startswith("GO2RTC_API_PASSWORD=")]
    env_file.write_text("\n".join(lines) + "\n")
    result = compose(compose_project, "config", "-q")
    assert result.returncode != 0
    assert "GO2RTC_API_PASSWORD" in result.stderr


def go2rtc_config() -> dict:
    return yaml.safe_load((REPO_ROOT / "go2rtc.yaml").read_text())


def test_go2rtc_config_is_hardened() -> None:
    config = go2rtc_config()
    modules = config["app"]["modules"]
    assert "ws" in modules and "api" in modules and "webrtc" in modules
    assert {"exec", "ffmpeg"} <= set(modules)
    left_out = ("http", "webtorrent", "echo", "expr", "hass", "homekit", "onvif", "rtmp", "debug", "ngrok", "v4l2")
    assert not set(left_out) & set(modules)
    api = config["api"]
    assert api["local_auth"] is True
    assert api["username"] == "${GO2RTC_API_USERNAME:portal}"
    assert api["password"] == "${GO2RTC_API_PASSWORD}"
    assert api["listen"] == ":1984"
    assert "/api/ws" in api["allow_paths"]
    for dangerous in ("", "/", "/api/config", "/api/restart", "/api/exit", "/api/log", "/api/ffmpeg"):
        assert dangerous not in api["allow_paths"]
    assert config["exec"]["allow_paths"] == ["ffmpeg"]
    assert config["webrtc"]["listen"] == ":8555"
    assert config["webrtc"]["ice_servers"] == []
    assert config["log"]["level"] == "info"
    assert not config.get("streams")


@pytest.mark.integration
def test_go2rtc_config_really_locks_the_api(tmp_path: Path) -> None:
    """Run go2rtc with go2rtc.yaml: no access without the password, even from loopback."""
    binary = go2rtc_binary()
    if binary is None:
        pytest.fail("go2rtc not found: run bin/test (or bin/setup), which builds it")
    api_port, rtsp_port, webrtc_port = free_port(), free_port(), free_port()
    local = {
        "api": {"listen": f"127.0.0.1:{api_port}"},
        "rtsp": {"listen": f"127.0.0.1:{rtsp_port}"},
        "webrtc": {"listen": f"127.0.0.1:{webrtc_port}"},
    }
    password = secrets.token_urlsafe(16)
    env = {**os.environ, "GO2RTC_API_USERNAME": "portal-test", "GO2RTC_API_PASSWORD": password}
    scratch = tmp_path / "runtime.yaml"
    scratch.touch()
    argv = [binary, "-c", str(scratch), "-c", str(REPO_ROOT / "go2rtc.yaml"), "-c", json.dumps(local)]
    with (tmp_path / "go2rtc.log").open("wb") as log:
        process = subprocess.Popen(argv, cwd=tmp_path, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(api_port, timeout=15)
        base = f"http://127.0.0.1:{api_port}"
        assert httpx.get(f"{base}/api", timeout=5).status_code == 401
        assert httpx.get(f"{base}/api", auth=("portal-test", "wrong"), timeout=5).status_code == 401
        info = httpx.get(f"{base}/api", auth=("portal-test", password), timeout=5)
        assert info.status_code == 200
        assert info.json()["config_path"] == str(scratch)
        for path in ("/", "/api/config", "/api/restart", "/api/exit", "/api/log"):
            response = httpx.get(f"{base}{path}", auth=("portal-test", password), timeout=5)
            assert response.status_code == 404, path
        streams = httpx.get(f"{base}/api/streams", auth=("portal-test", password), timeout=5)
        assert streams.status_code == 200
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_env_example_lists_every_setting() -> None:
    documented = env_example()
    commented = set(re.findall(r"^#\s*([A-Z][A-Z0-9_]*)=", (REPO_ROOT / ".env.example").read_text(), re.M))
    missing = [name for name in settings_variables() if name not in documented and name not in commented]
    assert not missing, f"add these settings to .env.example: {missing}"
    assert len(settings_variables()) > 20  # the pattern still matches how settings.py reads the environment


def test_readme_documents_every_setting() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    missing = [name for name in settings_variables() if f"`{name}`" not in readme]
    assert not missing, f"add these settings to the README configuration table: {missing}"


def test_env_example_is_production_safe() -> None:
    values = env_example()
    assert values["DJANGO_DEBUG"] == "false"
    assert values["DJANGO_SECURE_SSL_REDIRECT"] == "true"
    assert values["CAMERA_SOURCE_EXTRA_ALLOWED_HOSTS"] == ""
    assert "CELERY_BROKER_URL" not in values  # set but empty would make tasks run inline
    for key in values["CCTV_ENCRYPTION_KEYS"].split(","):
        Fernet(key.encode())  # a well-formed key


def test_check_deploy_is_clean(tmp_path: Path) -> None:
    """`manage.py check --deploy` with production settings reports nothing."""
    env = {key: value for key, value in os.environ.items() if key not in settings_variables()}
    env.update(env_example())
    for name in ("DATABASE_URL", "REDIS_URL"):  # the check needs no servers
        env.pop(name)
    env.update(
        DJANGO_SETTINGS_MODULE="portal.settings",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        CCTV_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        DJANGO_ALLOWED_HOSTS="cctv.example.com",
        CCTV_DATA_DIR=str(tmp_path),
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        DJANGO_MEDIA_ROOT=str(tmp_path / "media"),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output, output


@pytest.mark.parametrize("script", ["bin/setup", "bin/start", "bin/test", ".ci/run"])
def test_scripts_are_executable_bash(script: str) -> None:
    path = REPO_ROOT / script
    assert os.access(path, os.X_OK), f"{script} is not executable"
    result = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result.stderr


def test_ci_runs_the_readme_test_command() -> None:
    assert "`bin/test`" in (REPO_ROOT / "README.md").read_text()
    lines = [line.strip() for line in (REPO_ROOT / ".ci" / "run").read_text().splitlines()]
    assert "exec bin/test" in lines


def test_setup_is_quick_when_everything_is_installed() -> None:
    """bin/setup is idempotent: a second run skips apt, pip, npm and the go2rtc build."""
    result = subprocess.run([str(REPO_ROOT / "bin" / "setup")], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    result = subprocess.run([str(REPO_ROOT / "bin" / "setup")], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "skipping apt" in result.stdout
    assert "requirements.txt unchanged" in result.stdout
    assert "package-lock.json unchanged" in result.stdout
    assert "using " in result.stdout.splitlines()[-1]
