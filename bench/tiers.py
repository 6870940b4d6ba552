"""Benchmark: moving footage to the remote tiers, upload and verified-upload throughput per store.

    .venv/bin/python -m bench.tiers [--segments 40] [--size-mb 2]

Starts moto's S3 server and Azurite on free loopback ports (``tests/support/storage_servers.py``,
as the tests do) and, for each, pushes ``--segments`` segment-sized files of random
bytes through the very ``stores.Store`` the mover uses: ``put`` alone, then
``put`` + ``read_back`` (the mover's verification: the copy is read back and
hashed). Prints one ``name: value unit`` line per figure. Loopback stores
measure the portal's own cost (client, hashing, one request per segment), not
a network; the index update and the local delete are not included.
"""

from __future__ import annotations

import argparse
import io
import os
import tempfile
import time
from pathlib import Path


def _setup_django(data_dir: Path) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    os.environ.setdefault("CCTV_DATA_DIR", str(data_dir))
    import django

    django.setup()


def _store(kind: str, endpoint: str, bucket: str, access_key: str, secret_key: str):  # type: ignore[no-untyped-def]
    from recordings.footage import stores
    from recordings.footage.models import StorageTier

    row = StorageTier(kind=kind, endpoint_url=endpoint, bucket=bucket, access_key=access_key,
                      secret_key=secret_key, region="us-east-1")
    return stores.build_store(row)


def _run(store, label: str, blobs: list[bytes]) -> None:  # type: ignore[no-untyped-def]
    total = sum(len(blob) for blob in blobs) / 1e6
    started = time.perf_counter()
    for number, blob in enumerate(blobs):
        store.put(f"1/bench/main/2026-01-01/{label}-put-{number}.mp4", io.BytesIO(blob))
    put_seconds = time.perf_counter() - started
    started = time.perf_counter()
    for number, blob in enumerate(blobs):
        key = f"1/bench/main/2026-01-01/{label}-verified-{number}.mp4"
        store.put(key, io.BytesIO(blob))
        store.read_back(key)
    verified_seconds = time.perf_counter() - started
    print(f"{label}_upload: {total / put_seconds:.1f} MB/s")
    print(f"{label}_upload_verified: {total / verified_seconds:.1f} MB/s")
    print(f"{label}_segments_verified: {len(blobs) / verified_seconds:.1f} segments/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=40)
    parser.add_argument("--size-mb", type=float, default=2.0, help="bytes of one segment (10 s at ~1.6 Mbit/s)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-tiers-") as directory:
        root = Path(directory)
        from tests.support.storage_servers import Azurite, MotoS3

        moto, azurite = MotoS3(root / "moto", buckets=["bench"]), Azurite(root / "azurite")
        try:
            moto.start()
            azurite.start()
            os.environ["CCTV_STORAGE_EXTRA_ALLOWED_HOSTS"] = f"{moto.host_port},{azurite.host_port}"
            _setup_django(root / "data")
            account = azurite.accounts[0]
            azurite.container(account, "bench").create_container()
            blobs = [os.urandom(int(args.size_mb * 1e6)) for _ in range(args.segments)]
            print(f"segments: {args.segments} of {args.size_mb:g} MB")
            _run(_store("s3", moto.url, "bench", "bench", "bench"), "s3", blobs)
            _run(_store("azure", azurite.account_url(account), "bench", account, azurite.key(account)), "azure",
                 blobs)
        finally:
            moto.stop()
            azurite.stop()


if __name__ == "__main__":
    main()
