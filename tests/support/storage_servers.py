"""Real remote stores for the storage-tier tests: moto's S3 server and Azurite, on free loopback ports.

Started by fixtures (``tests/footage/conftest.py``) only in sessions that
run those tests, each in its own process group under a temporary directory,
and stopped by their own PIDs like PostgreSQL and Redis (``tests.support.services``).
A store started with ``switchable=True`` is reached through a small TCP
forwarder (``Cutoff``): ``go_down()`` closes it (connections are refused and
open ones dropped at once) and ``come_back()`` opens it again on the same port,
while the store keeps running with everything in it. Stopping the store itself
was slow (Azurite waits for idle keep-alive connections that never close, ten
seconds until it was killed) and lossy (a killed Azurite forgets what it had
not saved yet).

Azurite gets two storage accounts of its own (``AZURITE_ACCOUNTS``), so a
test can give two organizations different credentials that Azurite really
checks (Shared Key signatures); moto accepts any credentials.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import os
import selectors
import socket
import subprocess
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.services import REPO_ROOT, ServiceError, _tail, free_port, stop_process, wait_for_port

AZURITE = REPO_ROOT / "node_modules" / ".bin" / "azurite-blob"


def _account_key(name: str) -> str:
    return base64.b64encode(hashlib.sha256(f"test key of {name}".encode()).digest()).decode()


class Cutoff:
    """A TCP forwarder on its own loopback port to ``target_port``, which a test can close and open again."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.come_back()

    def come_back(self) -> None:
        if self._listener is not None:
            return
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self._listener.settimeout(0.1)
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True, name="cutoff-accept").start()

    def go_down(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            connections, self._open = self._open, set()
        for connection in connections:
            _close(connection)

    def _accept(self, listener: socket.socket) -> None:
        while self._listener is listener:
            try:
                client, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return  # closed by go_down
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port), timeout=5)
            except OSError:
                _close(client)
                continue
            with self._lock:
                self._open |= {client, upstream}
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True, name="cutoff-pump").start()

    def _pump(self, client: socket.socket, upstream: socket.socket) -> None:
        """Copy bytes both ways until either side closes (or ``go_down`` closes both)."""
        peer = {client: upstream, upstream: client}
        with selectors.DefaultSelector() as selector:
            for side in peer:
                side.setblocking(True)
                selector.register(side, selectors.EVENT_READ)
            try:
                while True:
                    for key, _ in selector.select(timeout=1):
                        data = key.fileobj.recv(65536)
                        if not data:
                            raise ConnectionError
                        peer[key.fileobj].sendall(data)
            except (OSError, ValueError, ConnectionError):
                pass
        with self._lock:
            self._open -= {client, upstream}
        _close(client)
        _close(upstream)


def _close(connection: socket.socket) -> None:
    with contextlib.suppress(OSError):  # already closed by the other side
        connection.shutdown(socket.SHUT_RDWR)
    connection.close()


@dataclass
class _Process:
    root: Path
    port: int = 0
    process: subprocess.Popen | None = None
    switchable: bool = False  # reached through a Cutoff that go_down()/come_back() close and open
    cutoff: Cutoff | None = None

    def _launch(self, argv: list[str], log_name: str, env: dict[str, str] | None = None) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        log = (self.root / log_name).open("ab")
        try:
            self.process = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,  # noqa: S603
                                            start_new_session=True, env=env)
        finally:
            log.close()
        try:
            wait_for_port(self.port, timeout=60)
        except TimeoutError:
            self.stop()
            raise ServiceError(f"{argv[0]} did not listen on {self.port}:\n{_tail(self.root / log_name)}") from None
        if self.switchable and self.cutoff is None:
            self.cutoff = Cutoff(self.port)

    def stop(self) -> None:
        if self.cutoff is not None:
            self.cutoff.go_down()
            self.cutoff = None
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            stop_process(process)

    def go_down(self) -> None:
        """The store cannot be reached any more (connections refused), until ``come_back``."""
        assert self.cutoff is not None, "start the store with switchable=True"
        self.cutoff.go_down()

    def come_back(self) -> None:
        assert self.cutoff is not None, "start the store with switchable=True"
        self.cutoff.come_back()

    @property
    def host_port(self) -> str:
        """Where the portal reaches the store (through the cutoff when there is one)."""
        return f"127.0.0.1:{self.cutoff.port if self.cutoff else self.port}"

    @property
    def direct_host_port(self) -> str:
        """Where the test itself looks into the store, whether it is "down" or not."""
        return f"127.0.0.1:{self.port}"


@dataclass
class MotoS3(_Process):
    """moto's S3-compatible server (``python -m moto.server``)."""

    buckets: list[str] = field(default_factory=list)

    def start(self) -> None:
        self.port = self.port or free_port()
        self._launch([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)], "moto.log")
        for bucket in self.buckets:
            self.client().create_bucket(Bucket=bucket)

    @property
    def url(self) -> str:
        return f"http://{self.host_port}"

    def client(self):  # type: ignore[no-untyped-def]
        import boto3

        return boto3.client("s3", endpoint_url=f"http://{self.direct_host_port}", region_name="us-east-1",
                            aws_access_key_id="test",
                            aws_secret_access_key="test")  # noqa: S106

    def keys(self, bucket: str) -> set[str]:
        listed = self.client().list_objects_v2(Bucket=bucket)
        return {item["Key"] for item in listed.get("Contents", [])}

    def empty(self) -> None:
        for bucket in self.buckets:
            for key in self.keys(bucket):
                self.client().delete_object(Bucket=bucket, Key=key)


@dataclass
class Azurite(_Process):
    """Azurite's blob service with two accounts of its own."""

    accounts: tuple[str, ...] = ("orgaccounta", "orgaccountb")

    def key(self, account: str) -> str:
        return _account_key(account)

    def start(self) -> None:
        if not AZURITE.exists():
            raise ServiceError("Azurite is not installed: run bin/setup (npm ci installs it from package-lock.json)")
        self.port = self.port or free_port()
        env = {**os.environ, "AZURITE_ACCOUNTS": ";".join(f"{name}:{self.key(name)}" for name in self.accounts)}
        self._launch([str(AZURITE), "--blobHost", "127.0.0.1", "--blobPort", str(self.port), "--location",
                      str(self.root / "data"), "--silent", "--skipApiVersionCheck", "--loose"], "azurite.log", env)

    def account_url(self, account: str) -> str:
        return f"http://{self.host_port}/{account}"

    def container(self, account: str, name: str):  # type: ignore[no-untyped-def]
        from azure.storage.blob import BlobServiceClient

        service = BlobServiceClient(f"http://{self.direct_host_port}/{account}",
                                    credential={"account_name": account, "account_key": self.key(account)})
        return service.get_container_client(name)

    def keys(self, account: str, container: str) -> set[str]:
        return {blob.name for blob in self.container(account, container).list_blobs()}

    def empty(self, container: str) -> None:
        for account in self.accounts:
            for key in self.keys(account, container):
                self.container(account, container).delete_blob(key)
