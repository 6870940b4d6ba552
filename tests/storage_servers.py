"""Real remote stores for the storage-tier tests: moto's S3 server and Azurite, on free loopback ports.

Started by fixtures (``tests/footage/conftest.py``) only in sessions that
run those tests, each in its own process group under a temporary directory,
and stopped by their own PIDs like PostgreSQL and Redis (``tests.services``).
Both can be stopped and started again on the same port, so a test can take a
store down and bring it back (Azurite keeps its blobs in ``--location``;
moto keeps nothing, so its buckets are made again).

Azurite gets two storage accounts of its own (``AZURITE_ACCOUNTS``), so a
test can give two organizations different credentials that Azurite really
checks (Shared Key signatures); moto accepts any credentials.
"""

from __future__ import annotations

import base64
import hashlib
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tests.services import REPO_ROOT, ServiceError, _tail, free_port, stop_process, wait_for_port

AZURITE = REPO_ROOT / "node_modules" / ".bin" / "azurite-blob"


def _account_key(name: str) -> str:
    return base64.b64encode(hashlib.sha256(f"test key of {name}".encode()).digest()).decode()


@dataclass
class _Process:
    root: Path
    port: int = 0
    process: subprocess.Popen | None = None

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

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None and process.poll() is None:
            stop_process(process)

    @property
    def host_port(self) -> str:
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

        return boto3.client("s3", endpoint_url=self.url, region_name="us-east-1", aws_access_key_id="test",
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

        service = BlobServiceClient(self.account_url(account),
                                    credential={"account_name": account, "account_key": self.key(account)})
        return service.get_container_client(name)

    def keys(self, account: str, container: str) -> set[str]:
        return {blob.name for blob in self.container(account, container).list_blobs()}

    def empty(self, container: str) -> None:
        for account in self.accounts:
            for key in self.keys(account, container):
                self.container(account, container).delete_blob(key)
