"""Run a Python script under cProfile counting CPU time of the main thread, not wall time.

    .venv/bin/python -m bench.profiled OUTPUT.prof manage.py record --name r1

``python -m cProfile`` measures wall time, which on a busy machine is mostly
waiting for the CPU, the disk or the database; this shows what the process
itself spends. The statistics are written when the script ends (a recorder
ends on SIGTERM). Read them with ``pstats``.
"""

from __future__ import annotations

import cProfile
import runpy
import sys
import time


def main() -> None:
    output, script, *arguments = sys.argv[1:]
    sys.argv = [script, *arguments]
    profile = cProfile.Profile(time.thread_time)
    try:
        profile.runcall(runpy.run_path, script, run_name="__main__")
    finally:
        profile.dump_stats(output)


if __name__ == "__main__":
    main()
