"""Benchmark: building a playback playlist from the segment index, for 1 hour and 24 hours of footage.

    .venv/bin/python -m bench.playlist [--database postgresql|sqlite] [--runs 30]

Starts a throwaway database (PostgreSQL by default, as the tests do),
indexes 24 hours of 10 s segments for one camera (8,640 rows, written in
bulk: the counters do not matter here), then times, median of ``--runs``:

- ``playlist_build``: the index query plus the playlist text
  (``playlist.segments_for`` + ``playlist.render``), what every playlist
  request costs beyond the gate;
- ``playlist_request``: a whole playlist request through Django (signed
  session, principal, access gate, query, text), with the test client.

Prints one ``name: value unit`` line per figure, wall time and this
process's CPU time (the database server's work is only in the wall time),
and the machine's load average, since other work stretches wall times. Goal (issue 13): under
50 ms for 24 hours.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from bench.stack import setup_django
from tests.support.services import Services

SEGMENT_SECONDS = 10
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def median_ms(action: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median wall time and median CPU time of this process (the database server's CPU is not in it), in ms."""
    action()  # warm up (connections, caches)
    walls, cpus = [], []
    for _ in range(runs):
        started, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append((time.perf_counter() - started) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


def report(name: str, timing: tuple[float, float]) -> None:
    print(f"{name}: {timing[0]:.1f} ms")
    print(f"{name}_python_cpu: {timing[1]:.1f} ms")


def seed() -> tuple:  # type: ignore[type-arg]
    from accounts.roles import Role
    from recordings.footage import layout
    from recordings.footage.models import Segment
    from tests.support.factories import make_camera, make_member, make_organization, make_site, make_user

    org = make_organization("Bench Org")
    viewer = make_user()
    make_member(viewer, org, Role.VIEWER)
    camera = make_camera(make_site(org, "Bench Site"), "Bench Camera")
    rows = []
    for i in range(24 * 3600 // SEGMENT_SECONDS):
        start = T0 + timedelta(seconds=i * SEGMENT_SECONDS)
        rows.append(Segment(
            organization=org, camera=camera, stream="main", start=start,
            end=start + timedelta(seconds=SEGMENT_SECONDS), duration=SEGMENT_SECONDS, bytes=2_500_000,
            codec="h264", codecs="avc1.640029", width=1920, height=1080, init_size=760,
            keyframes=[0.0, 2.0, 4.0, 6.0, 8.0], run="0badcafe" if i < 4000 else "0ddba11a",
            key=layout.segment_key(org.pk, camera.public_id, "main", start, "0badcafe"), sha256="0" * 64,
        ))  # fmt: skip
    Segment.objects.bulk_create(rows, batch_size=2000)
    return viewer, camera


def migrate_sqlite() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    os.environ["CCTV_TEST_DATABASE"] = "sqlite"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    services = Services(args.database)
    services.start()
    try:
        if args.database == "postgresql":
            setup_django({})
        else:
            migrate_sqlite()
        run(args.runs, args.database)
    finally:
        services.stop()


def run(runs: int, database: str) -> None:
    from django.test import Client
    from django.urls import reverse

    from recordings.playback import playlist, sessions

    viewer, camera = seed()
    # Other work on the machine stretches wall times: say how busy it was.
    print(f"load_average_1min: {os.getloadavg()[0]:.2f} processes")
    print(f"cpu_cores: {os.cpu_count()} cores")
    client = Client()
    client.force_login(viewer)
    for label, hours in (("1h", 1), ("24h", 24)):
        end = T0 + timedelta(hours=hours)
        count = len(playlist.segments_for(camera.pk, "main", T0, end))

        def build(end: datetime = end) -> str:
            return playlist.render(playlist.segments_for(camera.pk, "main", T0, end), final=True)

        print(f"playlist_segments_{label}_{database}: {count} segments")
        report(f"playlist_build_{label}_{database}", median_ms(build, runs))
        print(f"playlist_size_{label}: {len(build()) / 1024:.0f} KiB")
        session = sessions.Session("bench", sessions.principal_of(viewer), camera.public_id, "main", T0, end,
                                   datetime.now(UTC) + timedelta(hours=1))
        url = reverse("playback_playlist", args=[sessions.sign(session)])

        def request(url: str = url) -> None:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"the playlist answered {response.status_code}")

        report(f"playlist_request_{label}_{database}", median_ms(request, runs))


if __name__ == "__main__":
    main()
