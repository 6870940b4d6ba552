"""Real PostgreSQL and Redis servers for the test session (a pytest plugin).

Loaded with ``-p tests.support.services`` (see ``pyproject.toml``), so it runs before
pytest-django reads the Django settings. It starts a throwaway PostgreSQL
cluster and a redis-server on free loopback ports under a temporary
directory, and exports::

    DATABASE_URL=postgres://postgres@127.0.0.1:<port>/cctv
    REDIS_URL=redis://127.0.0.1:<port>/0
    CCTV_DATA_DIR=<temporary directory>/data

The SQLite pass: with ``CCTV_TEST_DATABASE=sqlite`` the database is a SQLite
file in that directory instead (``DATABASE_URL=sqlite:///<directory>/sqlite/db.sqlite3``,
opened with the portal's own SQLite options, as ``bin/start`` does), Redis
stays real, and only the tests marked ``sqlite`` run: the ones that prove
database-specific SQL (beat tasks, retention, quotas, aggregates, sweeps,
concurrent writers). ``bin/test`` runs that pass after the main one.

``portal/settings.py`` reads these, and every subprocess a test starts
(Celery worker, Daphne, ``manage.py``) inherits them. Because the cluster is
ours alone, the test database *is* ``cctv`` (see ``tests/settings.py``), so
such a subprocess reaches the very database the test writes to; use
``transaction=True`` tests so it can see the rows. ``subprocess_env()`` gives
an environment that also works with ``CCTV_TEST_USE_EXISTING_SERVICES``.

Both servers are stopped, by their own PIDs, in ``pytest_unconfigure``.

Under pytest-xdist (``bin/test`` runs two workers) every worker starts its
own servers and data directory the same way, and the tests that start real
processes are grouped so they run one after another (``SERIAL_GROUPS``).

To run against servers you already have, set ``DATABASE_URL`` and
``REDIS_URL`` yourself together with ``CCTV_TEST_USE_EXISTING_SERVICES=1``
(in the SQLite pass only ``REDIS_URL``: its database file is always new).
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Generator
from pathlib import Path
from typing import Any

import pytest

USE_EXISTING_FLAG = "CCTV_TEST_USE_EXISTING_SERVICES"
# "postgresql" (the default) or "sqlite" (the SQLite pass); tests/settings.py reads it too.
DATABASE_FLAG = "CCTV_TEST_DATABASE"
DATABASES = ("postgresql", "sqlite")
# Tests marked with this run in the SQLite pass as well as in the main one.
SQLITE_MARK = "sqlite"
# Set while this plugin owns the servers; tests/settings.py then names the
# test database like the real one (nothing else lives in the cluster).
OWNED_FLAG = "CCTV_TEST_THROWAWAY_SERVICES"
# The data directory this plugin made. pytest-xdist's workers inherit the
# controller's environment: a worker that finds CCTV_DATA_DIR equal to this
# makes its own, so two workers never write the same media paths.
OWNED_DATA_DIR_FLAG = "CCTV_TEST_OWNED_DATA_DIR"
# Under pytest-xdist (bin/test runs two workers), the tests with one of these
# marks form a group that runs on one worker, one test after another: never
# two Chromium tests at once, nor two of the other tests that start real
# processes (gateways, Celery workers, Daphne, ffmpeg). The database-only
# tests share out among the workers.
SERIAL_GROUPS = {"browser": "browser", "integration": "servers"}  # the first mark found decides
DATABASE_NAME = "cctv"
REPO_ROOT = Path(__file__).resolve().parents[2]


class ServiceError(RuntimeError):
    """A test service could not be started; the message says what to do."""


def _install_hint(package: str) -> str:
    return f"run bin/test (or bin/setup), which installs the Debian package {package}"


def session_database() -> str:
    """The database this session runs on: ``postgresql``, or ``sqlite`` in the SQLite pass."""
    chosen = os.environ.get(DATABASE_FLAG, "").strip().lower() or "postgresql"
    if chosen not in DATABASES:
        raise pytest.UsageError(f"{DATABASE_FLAG} must be one of {', '.join(DATABASES)}, not {chosen!r}")
    return chosen


# --- small helpers for tests -------------------------------------------------


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def stop_process(process: subprocess.Popen, timeout: float = 10) -> None:
    """SIGTERM, then SIGKILL if it has not exited within ``timeout`` seconds."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=timeout)


def wait_for_port(port: int, host: str = "127.0.0.1", timeout: float = 10.0) -> None:
    """Block until something accepts TCP connections on host:port."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection((host, port), timeout=0.5):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise TimeoutError(f"nothing listens on {host}:{port} after {timeout:.0f} s") from None
            time.sleep(0.05)


def go2rtc_binary() -> str | None:
    """The go2rtc executable that bin/setup installs, or None when there is none."""
    configured = os.environ.get("GO2RTC_BIN")
    if configured:
        return configured if os.access(configured, os.X_OK) else None
    go = shutil.which("go") or ("/usr/local/go/bin/go" if os.access("/usr/local/go/bin/go", os.X_OK) else None)
    if go:
        try:
            gopath = subprocess.run(  # noqa: S603  (fixed argv, no shell)
                [go, "env", "GOPATH"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            gopath = ""
        candidate = Path(gopath.split(os.pathsep)[0]) / "bin" / "go2rtc" if gopath else None
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which("go2rtc")


def subprocess_env(**extra: str) -> dict[str, str]:
    """Environment for a subprocess that must share this test's database and Redis.

    Points ``DATABASE_URL`` at the database the tests actually use (which is
    ``test_<name>`` when running against existing services).
    """
    env = dict(os.environ)
    try:
        from django.db import connection

        params = connection.settings_dict
        if params.get("ENGINE", "").endswith("sqlite3"):
            env["DATABASE_URL"] = sqlite_url(Path(params["NAME"]))
        elif params.get("ENGINE", "").endswith("postgresql"):
            user = params.get("USER") or ""
            password = f":{params['PASSWORD']}" if params.get("PASSWORD") else ""
            auth = f"{user}{password}@" if user else ""
            port = f":{params['PORT']}" if params.get("PORT") else ""
            env["DATABASE_URL"] = f"postgres://{auth}{params.get('HOST') or '127.0.0.1'}{port}/{params['NAME']}"
    except Exception:  # noqa: S110  (Django not configured yet: keep the inherited URL)
        pass
    env.update(extra)
    return env


# --- process plumbing --------------------------------------------------------


def _run(argv: list[str], *, what: str, user: str | None = None, timeout: float = 60) -> str:
    if user:
        argv = ["runuser", "-u", user, "--", *argv]
    try:
        result = subprocess.run(  # noqa: S603  (argv built here from fixed parts)
            argv, capture_output=True, text=True, timeout=timeout, check=False
        )
    except FileNotFoundError as exc:
        raise ServiceError(f"{what}: {exc.filename} not found: {_install_hint('postgresql')}") from exc
    except subprocess.TimeoutExpired as exc:
        raise ServiceError(f"{what}: timed out after {timeout:.0f} s: {' '.join(argv)}") from exc
    if result.returncode != 0:
        raise ServiceError(
            f"{what} failed (exit {result.returncode}): {' '.join(argv)}\n{result.stdout}{result.stderr}"
        )
    return result.stdout


def _pid_alive(pid: int) -> bool:
    """True while the process runs. A zombie counts as gone: it is not ours to reap."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[-1].split()[0] != "Z"


def _kill_pid(pid: int, timeout: float = 10.0) -> None:
    """Ask one process (by PID) to stop, then insist."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _pid_alive(pid):
                return
            time.sleep(0.05)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


# --- PostgreSQL ----------------------------------------------------------------


def _postgres_bindir() -> Path:
    """Directory with initdb/pg_ctl: on PATH, else Debian's newest versioned dir."""
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    candidates = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0,
    )
    if not candidates:
        raise ServiceError(f"initdb not found (PostgreSQL is not installed): {_install_hint('postgresql')}")
    return Path(candidates[-1]).parent


class PostgresServer:
    """A PostgreSQL cluster in a temporary directory, trusting loopback connections."""

    def __init__(self, root: Path) -> None:
        self.root = root / "postgres"
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = 0
        self.pid: int | None = None
        self.process: subprocess.Popen[bytes] | None = None
        self.user = None
        if os.geteuid() == 0:
            # initdb and postgres refuse to run as root.
            self.user = "postgres"
            try:
                import pwd

                pwd.getpwnam(self.user)
            except KeyError:
                raise ServiceError(f"user 'postgres' does not exist: {_install_hint('postgresql')}") from None

    def start(self) -> None:
        bindir = _postgres_bindir()
        self.root.mkdir(parents=True)
        if self.user:
            shutil.chown(self.root, self.user, self.user)
        _run(
            [
                str(bindir / "initdb"),
                "-D", str(self.data),
                "-U", "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            what="initdb",
            user=self.user,
        )  # fmt: skip
        self.port = free_port()
        settings = {
            "listen_addresses": "'127.0.0.1'",
            "port": str(self.port),
            "unix_socket_directories": f"'{self.root}'",
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
            "max_connections": "200",
            "shared_buffers": "64MB",
        }
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("\n# test-session overrides\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        argv = [str(bindir / "postgres"), "-D", str(self.data)]
        if self.user:
            argv = ["runuser", "-u", self.user, "--", *argv]
        # A child of ours (not daemonised by pg_ctl), so we reap it ourselves;
        # in its own session so a Ctrl-C does not hit it before teardown.
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                argv, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        try:
            self._wait_ready()
        except ServiceError:
            self.stop()
            raise

    def _wait_ready(self, timeout: float = 30.0) -> None:
        """Wait for postmaster.pid to say "ready" (what pg_ctl -w checks) and the port to answer."""
        assert self.process is not None
        pid_file = self.data / "postmaster.pid"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServiceError(f"postgres exited with {self.process.returncode}:\n{_tail(self.log)}")
            try:
                lines = pid_file.read_text().splitlines()
            except OSError:
                lines = []
            if len(lines) >= 8 and lines[7].strip() == "ready":
                self.pid = int(lines[0])
                wait_for_port(self.port, timeout=max(deadline - time.monotonic(), 0.1))
                return
            time.sleep(0.02)
        raise ServiceError(f"postgres was not ready after {timeout:.0f} s:\n{_tail(self.log)}")

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE_NAME}"

    def describe(self) -> str:
        return f"PostgreSQL on 127.0.0.1:{self.port}"

    def stop(self) -> None:
        process, self.process = self.process, None
        pid, self.pid = self.pid, None
        if process is None or process.poll() is not None:
            return
        if pid is None:  # stopped while starting: the pid file may be there already
            with contextlib.suppress(OSError, ValueError, IndexError):
                pid = int((self.data / "postmaster.pid").read_text().split()[0])
        # Immediate shutdown (SIGQUIT to the postmaster): the cluster is thrown
        # away anyway. The postmaster stops its own children before it exits.
        target = pid or process.pid
        with contextlib.suppress(ProcessLookupError):
            os.kill(target, signal.SIGQUIT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            if pid:
                _kill_pid(pid)
            process.kill()
            process.wait(timeout=10)


# --- SQLite ------------------------------------------------------------------


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


class SqliteDatabase:
    """The SQLite pass's database: a file that the test process and its subprocesses all open.

    Never Django's in-memory test database: a Celery worker or Daphne started
    by a test must see the same rows, and WAL and locking only exist on a file.
    """

    def __init__(self, root: Path) -> None:
        self.path = root / "sqlite" / "db.sqlite3"

    def start(self) -> None:
        self.path.parent.mkdir(parents=True)

    @property
    def url(self) -> str:
        return sqlite_url(self.path)

    def describe(self) -> str:
        return f"SQLite file {self.path}"

    def stop(self) -> None:
        """Nothing runs; the file goes with the session's directory."""


# --- Redis -------------------------------------------------------------------


class RedisServer:
    """A redis-server in the foreground of a child process, without persistence."""

    def __init__(self, root: Path) -> None:
        self.root = root / "redis"
        self.log = self.root / "server.log"
        self.port = 0
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if not binary:
            raise ServiceError(f"redis-server not found: {_install_hint('redis-server')}")
        self.root.mkdir(parents=True)
        self.port = free_port()
        argv = [
            binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", str(self.root),
            "--daemonize", "no",
            "--logfile", str(self.log),
        ]  # fmt: skip
        # Its own session: a Ctrl-C in the terminal must not kill it before
        # the tests that still need it have been torn down.
        self.process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, start_new_session=True)  # noqa: S603
        try:
            self._wait_ready()
        except ServiceError:
            self.stop()
            raise

    def _wait_ready(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        assert self.process is not None
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise ServiceError(f"redis-server exited with {self.process.returncode}:\n{_tail(self.log)}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                    sock.sendall(b"PING\r\n")
                    if sock.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            time.sleep(0.02)
        raise ServiceError(f"redis-server did not answer PING on port {self.port}:\n{_tail(self.log)}")

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None or process.poll() is not None:
            return
        stop_process(process)


# --- the session -------------------------------------------------------------


class Services:
    """The session's database (PostgreSQL or a SQLite file), Redis unless the caller has one, and their directory."""

    def __init__(self, database: str, *, own_redis: bool = True) -> None:
        self.root = Path(tempfile.mkdtemp(prefix="cctv-test-"))
        os.chmod(self.root, 0o755)  # noqa: S103  (the postgres user must traverse it)
        self.database = PostgresServer(self.root) if database == "postgresql" else SqliteDatabase(self.root)
        self.redis = RedisServer(self.root) if own_redis else None
        self._previous_env: dict[str, str | None] = {}

    def start(self) -> None:
        started = time.monotonic()
        self.database.start()
        env = {"DATABASE_URL": self.database.url, OWNED_FLAG: "1"}
        running = [self.database.describe()]
        if self.redis is not None:
            self.redis.start()
            env["REDIS_URL"] = self.redis.url
            running.append(f"Redis on 127.0.0.1:{self.redis.port}")
        self._set_env(**env)
        elapsed = time.monotonic() - started
        sys.stderr.write(
            f"tests.support.services: {', '.join(running)} (started in {elapsed:.1f} s, data in {self.root})\n"
        )

    def _set_env(self, **values: str) -> None:
        for key, value in values.items():
            self._previous_env.setdefault(key, os.environ.get(key))
            os.environ[key] = value

    def stop(self) -> None:
        for server in (self.redis, self.database):
            if server is not None:
                with contextlib.suppress(Exception):
                    server.stop()
        for key, value in self._previous_env.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        self._previous_env.clear()
        shutil.rmtree(self.root, ignore_errors=True)


_services: Services | None = None
_data_dir: str | None = None


def _stop_services() -> None:
    global _services, _data_dir
    services, _services = _services, None
    if services is not None:
        services.stop()
    data_dir, _data_dir = _data_dir, None
    if data_dir:
        shutil.rmtree(data_dir, ignore_errors=True)


def _wants_services(args: list[str]) -> bool:
    informational = {"--help", "-h", "--version", "-V", "--fixtures", "--markers"}
    return not informational.intersection(args)


def _start(args: list[str]) -> None:
    global _services, _data_dir
    if not _wants_services(args):
        return
    database = session_database()
    atexit.register(_stop_services)  # in case pytest dies before pytest_unconfigure
    if os.environ.get("CCTV_DATA_DIR", "") in {"", os.environ.get(OWNED_DATA_DIR_FLAG)}:
        # Media and other files the code writes go to a throwaway place, not var/.
        _data_dir = tempfile.mkdtemp(prefix="cctv-test-data-")
        os.environ["CCTV_DATA_DIR"] = os.environ[OWNED_DATA_DIR_FLAG] = _data_dir
    elif worker := os.environ.get("PYTEST_XDIST_WORKER"):
        # A directory the caller chose: each worker writes into its own part of it.
        own = Path(os.environ["CCTV_DATA_DIR"]) / worker
        own.mkdir(parents=True, exist_ok=True)
        os.environ["CCTV_DATA_DIR"] = str(own)
    use_existing = os.environ.get(USE_EXISTING_FLAG, "").lower() in {"1", "true", "yes", "on"}
    if use_existing and os.environ.get("PYTEST_XDIST_WORKER"):
        # Subprocesses reach the database by its real name, which xdist's workers cannot share.
        raise pytest.UsageError(f"{USE_EXISTING_FLAG} runs the tests in one process: add -n 0 (bin/test: "
                                "CCTV_TEST_WORKERS=0)")
    if use_existing:
        # The SQLite pass always gets a fresh file (Django deletes its test database file): only Redis is reused.
        needed = ("DATABASE_URL", "REDIS_URL") if database == "postgresql" else ("REDIS_URL",)
        missing = [name for name in needed if not os.environ.get(name)]
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise pytest.UsageError(f"{USE_EXISTING_FLAG} is set but {' and '.join(missing)} {verb} not set")
        if database == "postgresql":
            return
    _services = Services(database, own_redis=not use_existing)
    try:
        _services.start()
    except ServiceError as exc:
        raise pytest.UsageError(f"tests.support.services: {exc}") from None


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> Generator[Any]:
    """Start the servers before pytest-django's own hook of this name configures Django."""
    try:
        _start(args)
        return (yield)
    except BaseException:
        _stop_services()
        raise


def pytest_unconfigure(config: pytest.Config) -> None:
    _stop_services()


def pytest_report_header(config: pytest.Config) -> str | None:
    if session_database() == "sqlite":
        return f"SQLite pass ({DATABASE_FLAG}=sqlite): only the tests marked {SQLITE_MARK!r} run"
    return None


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Group the tests that start servers or a browser; in the SQLite pass, keep only the ones marked for it."""
    for item in items:
        group = next((group for mark, group in SERIAL_GROUPS.items() if item.get_closest_marker(mark)), None)
        if group:
            item.add_marker(pytest.mark.xdist_group(group))
    if session_database() != "sqlite":
        return
    selected = [item for item in items if item.get_closest_marker(SQLITE_MARK)]
    deselected = [item for item in items if not item.get_closest_marker(SQLITE_MARK)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
