"""Benchmark: a day of one camera's footage and an organization's storage, on PostgreSQL and SQLite.

    .venv/bin/python -m bench.footage_index [--databases postgresql,sqlite] [--repeat 30]
        [--cameras 100] [--full-cameras 5] [--days 30] [--recent-days 1]

For each database (PostgreSQL from the test tooling's throwaway cluster, and
a SQLite file opened with the portal's own options, as ``bin/start`` runs),
in a process of its own, it builds an index like that of an organization of
``--cameras`` cameras that records continuously, then times what people ask:

- ``coverage``: the covered intervals and gaps of one camera's last 24 hours
  (8,640 segments of 10 s), as the service answers it and as the API answers
  ``GET /api/v1/cameras/<id>/recordings/?start=&end=&segments=false``;
- ``listing``: the same with every segment (what the API returns by default);
- ``playlist_rows``: the segments in the range as the playlist builder reads
  them (``index.segments_in_range``);
- ``storage``: the organization's storage summary (usage, quota, each of the
  100 cameras' share) from the service and ``GET /api/v1/organizations/<id>/storage/``.

API calls go through Django's test client in this process: middleware,
session authentication, the access gate, the serializer and the JSON
rendering, without a network. Each figure is the median (and p95) of
``--repeat`` calls after three warm-up calls, so caches are warm; ``_cpu``
is the median CPU time of this process per call, which a busy machine
inflates much less than the wall clock (on SQLite it is all of the work;
on PostgreSQL the server's share is not in it).

The index, generated in Python with a fixed seed (the same rows on both
databases) and bulk-loaded (COPY on PostgreSQL, one ``executemany``
transaction on SQLite): ``--full-cameras`` cameras (the measured one
among them) with ``--days`` days of footage and the other cameras with
``--recent-days`` day(s), all ending at the same moment, rows in time order
across cameras as recorders write them (so one camera's day is spread over
the table, not stored together). Each camera's footage comes in ffmpeg runs
of 1 to 12 hours separated by gaps of 2 to 30 s, segments of 10 s whose
starts wobble by a few milliseconds, about 5 MB each, 3 % with motion;
the counters are summed from the rows. All 25.9 million rows of 30 days x
100 cameras would take too long to load here; the query reads one camera's
day through the (camera, stream, start_us, end_us) index, whose cost grows
with the rows in the range, not the table.

Every figure is printed as ``name: value unit``, prefixed by the database.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.services import REPO_ROOT, Services

END = datetime(2026, 3, 31, 0, 0, tzinfo=UTC)  # all footage ends here
RANGE_END = END - timedelta(hours=2, minutes=13, seconds=7)  # an unaligned last 24 h
# What an HLS playlist reads of each segment (see ``index.segments_in_range``).
PLAYLIST_COLUMNS = ("start_us", "end_us", "duration", "init_size", "bytes", "run", "tier", "key")
RANGE_START = RANGE_END - timedelta(hours=24)
SEGMENT_BYTES = 5_000_000
RUN = "0badcafe"


def time_calls(call: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock seconds of each call, and this process's CPU seconds of each (less sensitive to a busy machine)."""
    for _ in range(3):
        call()
    times, cpu = [], []
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        call()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return times, cpu


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]


# --- the generated index ---------------------------------------------------------------------------


def camera_segments(rng: random.Random, days: int) -> Iterator[tuple[datetime, float, int]]:
    """(start, duration, run number) of one camera's segments over its last ``days`` days."""
    cursor = END - timedelta(days=days)
    run = 0
    while cursor < END:
        run_end = cursor + timedelta(hours=rng.uniform(1, 12))
        first = True
        while cursor < run_end and cursor < END:
            # The first segment of a run ends at the next multiple of 10 s; the others last 10 s.
            length = 10 - (cursor.timestamp() % 10) if first else 10.0
            length = max(length, 1.0)
            wobble = timedelta(microseconds=rng.randint(-3000, 3000))
            yield cursor + wobble, round(length, 6), run
            cursor += timedelta(seconds=length)
            first = False
        cursor += timedelta(seconds=rng.uniform(2, 30))
        run += 1


def _numbered(number: int, segments: Iterator[tuple[datetime, float, int]]) -> Iterator[tuple]:
    for start, length, run in segments:
        yield start, number, length, run


def generated_rows(organization_id: int, cameras: list, full: int, days: int, recent: int) -> Iterator[dict]:
    """Every camera's segments, merged in time order (as recorders insert them)."""
    rng = random.Random(20260331)  # noqa: S311  (test data, not secrets)
    streams = [_numbered(number, camera_segments(random.Random(rng.random()), days if number < full else recent))  # noqa: S311
               for number in range(len(cameras))]
    for start, number, length, run in heapq.merge(*streams):
        camera = cameras[number]
        run_id = f"{(number * 7919 + run) % (1 << 32):08x}"
        yield {
            "organization_id": organization_id, "camera_id": camera.pk, "stream": "main", "kind": "continuous",
            "start": start, "end": start + timedelta(seconds=length), "duration": length,
            "bytes": SEGMENT_BYTES + rng.randint(-500_000, 500_000), "codec": "h264", "codecs": "avc1.4D4028",
            "width": 1920, "height": 1080, "has_audio": False, "init_size": 785,
            "keyframes": [round(k, 3) for k in range(0, int(length), 2)] or [0.0], "run": run_id,
            "tier": "local", "sha256": f"{rng.getrandbits(256):064x}", "has_motion": rng.random() < 0.03,
            "key": (f"{organization_id}/{camera.public_id.hex}/main/{start:%Y-%m-%d}/"
                    f"{start:%Y%m%dT%H%M%S}.{start.microsecond // 1000:03d}Z-{run_id}.mp4"),
            "created_at": start + timedelta(seconds=length + 0.08),
        }  # fmt: skip


def load_segments(rows: Iterator[dict]) -> int:
    """Bulk-load rows into the segment table (every other column gets its field's default)."""
    from django.db import connection, transaction

    from recordings.footage.models import Segment

    fields = [f for f in Segment._meta.concrete_fields if not f.primary_key and not getattr(f, "generated", False)]
    defaults = {f.attname: f.get_db_prep_save(f.get_default(), connection) for f in fields}
    columns = [f.column for f in fields]
    prepare = _preparer(fields, connection)
    count = 0
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            with cursor.cursor.copy(f"COPY {Segment._meta.db_table} ({quoted}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(prepare(row, defaults))
                    count += 1
        else:
            quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
            placeholders = ", ".join("%s" for _ in columns)
            sql = f"INSERT INTO {Segment._meta.db_table} ({quoted}) VALUES ({placeholders})"  # noqa: S608
            batch = []
            for row in rows:
                batch.append(prepare(row, defaults))
                if len(batch) == 20000:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            cursor.executemany(sql, batch)
            count += len(batch)
    return count


def _preparer(fields: list, connection: Any) -> Callable[[dict, dict], list]:
    names = [f.attname for f in fields]
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        def prepare(row: dict, defaults: dict) -> list:
            return [Jsonb(row[n]) if n == "keyframes" else row[n] if n in row else defaults[n] for n in names]
    else:
        adapt = connection.ops.adapt_datetimefield_value

        def prepare(row: dict, defaults: dict) -> list:
            values = []
            for n in names:
                if n not in row:
                    values.append(defaults[n])
                elif isinstance(row[n], datetime):
                    values.append(adapt(row[n]))
                elif n == "keyframes":
                    values.append(json.dumps(row[n]))
                else:
                    values.append(row[n])
            return values
    return prepare


def set_counters(organization_id: int) -> None:
    from django.db.models import Count, Sum

    from recordings.footage.models import CameraUsage, OrganizationUsage, Segment

    per_camera = Segment.objects.values("camera_id").annotate(total=Sum("bytes"), count=Count("pk")).order_by()
    CameraUsage.objects.bulk_create([
        CameraUsage(camera_id=row["camera_id"], organization_id=organization_id, bytes=row["total"],
                    segments=row["count"])
        for row in per_camera
    ])  # fmt: skip
    totals = Segment.objects.aggregate(total=Sum("bytes"), count=Count("pk"))
    OrganizationUsage.objects.create(organization_id=organization_id, bytes=totals["total"], segments=totals["count"])


# --- one database, in its own process ---------------------------------------------------------------


def measure(args: argparse.Namespace) -> None:
    from django.db import connection
    from rest_framework.test import APIClient

    from accounts.roles import Role
    from cameras.models import Camera
    from recordings.footage import index, usage
    from tests.support.factories import make_member, make_organization, make_site, make_user

    org = make_organization("Bench Org")
    site = make_site(org, "Bench Site")
    cameras = [Camera.objects.create(site=site, name=f"Camera {i + 1:03d}", main_source="rtsp://192.0.2.1/stream")
               for i in range(args.cameras)]
    admin = make_user()
    make_member(admin, org, Role.ADMIN)
    started = time.perf_counter()
    loaded = load_segments(generated_rows(org.pk, cameras, args.full_cameras, args.days, args.recent_days))
    set_counters(org.pk)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE footage_segment")  # what autovacuum does after a bulk of inserts
    name = connection.vendor
    print(f"{name}_rows: {loaded} rows")
    print(f"{name}_load_time: {time.perf_counter() - started:.0f} s")

    camera = cameras[0]
    day = index.footage_in_range(camera.pk, "main", RANGE_START, RANGE_END)
    print(f"{name}_segments_in_range: {len(day.segments)} segments")
    print(f"{name}_gaps_in_range: {len(day.gaps)} gaps")
    client = APIClient()
    client.force_login(admin)
    range_url = f"/api/v1/cameras/{camera.public_id}/recordings/"
    query = {"start": RANGE_START.isoformat(), "end": RANGE_END.isoformat(), "stream": "main"}

    def api(url: str, params: dict) -> Callable[[], Any]:
        def call() -> Any:
            response = client.get(url, params)
            if response.status_code != 200:
                raise RuntimeError(f"{url}: {response.status_code} {response.content[:500]!r}")
            return response.content
        return call

    cases = {
        "coverage_service": lambda: index.footage_in_range(camera.pk, "main", RANGE_START, RANGE_END,
                                                           with_segments=False),
        "coverage_api": api(range_url, {**query, "segments": "false"}),
        "listing_service": lambda: index.footage_in_range(camera.pk, "main", RANGE_START, RANGE_END),
        "listing_api": api(range_url, query),
        "storage_service": lambda: usage.storage_summary(org.pk),
        "storage_api": api(f"/api/v1/organizations/{org.pk}/storage/", {}),
        "playlist_rows": lambda: index.segments_in_range(camera.pk, "main", RANGE_START, RANGE_END, PLAYLIST_COLUMNS),
    }
    print(f"{name}_listing_api_size: {len(cases['listing_api']())} bytes")
    for case, call in cases.items():
        times, cpu = time_calls(call, args.repeat)
        print(f"{name}_{case}_median: {statistics.median(times) * 1000:.1f} ms")
        print(f"{name}_{case}_p95: {p95(times) * 1000:.1f} ms")
        print(f"{name}_{case}_cpu_median: {statistics.median(cpu) * 1000:.1f} ms")
        sys.stdout.flush()


def child_main(args: argparse.Namespace) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    if args.child == "postgresql":
        from bench.stack import setup_django

        setup_django({})
    else:
        import django
        from django.core.management import call_command

        django.setup()
        call_command("migrate", verbosity=0)
    measure(args)


def run_database(database: str, argv: list[str]) -> None:
    """Start the database (and Redis, which the API's cache needs) and measure in a child process."""
    services = Services(database)
    try:
        services.start()
        env = {**os.environ, "CCTV_TEST_DATABASE": database, "DJANGO_SETTINGS_MODULE": "tests.settings"}
        subprocess.run([sys.executable, "-m", "bench.footage_index", *argv, "--child", database],  # noqa: S603
                       cwd=REPO_ROOT, env=env, check=True)
    finally:
        services.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="postgresql,sqlite")
    parser.add_argument("--repeat", type=int, default=30, help="timed calls per figure (after 3 warm-ups)")
    parser.add_argument("--cameras", type=int, default=100)
    parser.add_argument("--full-cameras", type=int, default=5, help="cameras with --days of footage")
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--recent-days", type=int, default=1, help="days of footage of the other cameras")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child_main(args)
        return
    print(f"cpu_cores: {os.cpu_count()} cores")
    print(f"load_average: {os.getloadavg()[0]:.2f} (1 min)")
    sys.stdout.flush()
    passed = ["--repeat", str(args.repeat), "--cameras", str(args.cameras), "--full-cameras", str(args.full_cameras),
              "--days", str(args.days), "--recent-days", str(args.recent_days)]
    for database in args.databases.split(","):
        run_database(database.strip(), passed)
    print(f"load_average_after: {os.getloadavg()[0]:.2f} (1 min)")


if __name__ == "__main__":
    main()
