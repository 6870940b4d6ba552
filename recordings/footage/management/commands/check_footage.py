"""``manage.py check_footage [--repair]``: compare the segment index and its counters with the disk and stores."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from recordings.footage.check import check

SHOWN = 20  # per kind of finding; the totals say how many there are


class Command(BaseCommand):
    help = ("Compare recorded footage on disk and in the organizations' remote stores with its index and byte "
            "counters: rows without files, files without rows, sizes and counters that differ. --repair makes "
            "the index true again.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true", help="Fix what is found (see the README).")
        parser.add_argument("--min-age", type=float, default=60.0,
                            help="Leave files and rows younger than this many seconds alone (default: %(default)s).")

    def handle(self, *args: Any, **options: Any) -> None:
        report = check(repair=options["repair"], min_age=options["min_age"])
        for title, items in (("rows without files", report.rows_without_files),
                             ("files without rows", report.files_without_rows),
                             ("sizes that differ", report.size_mismatches),
                             ("counters that differ", report.counters),
                             ("remote stores that could not be listed", report.unreachable)):
            self.stdout.write(f"{title}: {len(items)}")
            for item in items[:SHOWN]:
                self.stdout.write(f"  {item}")
        if options["repair"]:
            self.stdout.write(f"repaired: {report.repaired}")
        elif report.problems:
            raise CommandError(f"{report.problems} difference(s) found; run with --repair to fix them.")
        else:
            self.stdout.write(self.style.SUCCESS("The index, its counters and the disk agree."))
