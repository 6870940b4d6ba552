"""``manage.py record``: the recorder process beside a gateway (see ``recordings.footage.recorder``).

Run one or more per gateway host; they share the gateway's cameras through
Redis leases. SIGTERM or Ctrl-C lets every ffmpeg finish the segment it is
writing, indexes it and hands the cameras back.
"""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from recordings.footage import recorders
from recordings.footage.recorder import RecorderLoop


class Command(BaseCommand):
    help = "Record the cameras of one gateway into indexed segments (stream copy), beside that gateway."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--gateway", help="Name of the gateway to record (default: the only one).")
        parser.add_argument("--name", help="This recorder's name (default: <host>/<gateway>); unique per process.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.REDIS_URL:
            raise CommandError("Recording needs Redis (REDIS_URL) for its camera leases.")
        try:
            gateway = recorders.choose_gateway(options["gateway"])
            row = recorders.register(options["name"] or recorders.default_name(gateway), gateway)
        except (recorders.NoGateway, recorders.AlreadyRunning) as error:
            raise CommandError(str(error)) from None
        stopping = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stopping.set())
        self.stdout.write(f"Recorder {row.name} records gateway {gateway.name} into {settings.CCTV_RECORDINGS_DIR}")
        RecorderLoop(row, gateway).run(stopping)
