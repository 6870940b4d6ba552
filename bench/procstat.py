"""CPU time and memory of processes and their children, read from /proc (Linux only).

CPU is ``utime + stime`` (what the process ran, whatever else the machine
was doing), so a share of one core is CPU seconds over wall seconds.
Memory is RSS and PSS: RSS counts shared pages (libavcodec, the Python
runtime) once per process, PSS splits them among the processes sharing
them, so a sum of PSS is what the processes really cost together.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class CpuTimes:
    own: float  # seconds the process itself ran (all its threads)
    reaped: float  # seconds of its children that exited and were waited for


def _stat_fields(pid: int) -> list[str]:
    # The command name (field 2) may hold spaces and parentheses: split after its closing one.
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_times(pid: int) -> CpuTimes:
    fields = _stat_fields(pid)
    return CpuTimes((int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK)


def cpu_seconds(pid: int) -> float:
    """The process's own CPU seconds; 0 if it is gone."""
    try:
        return cpu_times(pid).own
    except (FileNotFoundError, ProcessLookupError):
        return 0.0


def children(pid: int) -> list[int]:
    """The live direct children of ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if int(_stat_fields(int(entry.name))[1]) == pid:
                found.append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def _status_kb(path: Path, field: str) -> float:
    try:
        for line in path.read_text().splitlines():
            if line.startswith(field):
                return float(line.split()[1])
    except OSError:
        return 0.0
    return 0.0


def rss_mb(pid: int) -> float:
    return _status_kb(Path(f"/proc/{pid}/status"), "VmRSS:") / 1024


def pss_mb(pid: int) -> float:
    return _status_kb(Path(f"/proc/{pid}/smaps_rollup"), "Pss:") / 1024


def family_cpu_seconds(pid: int) -> tuple[float, float]:
    """(the process's own CPU seconds, its children's: live ones plus those it has reaped).

    Differences of the second figure between two readings are exact even
    when children come and go between them: a child that exits moves its
    time from the live sum into the parent's reaped counter.
    """
    times = cpu_times(pid)
    return times.own, times.reaped + sum(cpu_seconds(child) for child in children(pid))


def load_average() -> float:
    return os.getloadavg()[0]


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def descendants(root: int) -> list[int]:
    """Every live process under ``root`` (children, their children, ...)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parents.setdefault(int(_stat_fields(int(entry.name))[1]), []).append(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    found, pending = [], [root]
    while pending:
        kids = parents.get(pending.pop(), [])
        found.extend(kids)
        pending.extend(kids)
    return found


def named_cpu_seconds(root: int, prefix: str) -> dict[int, float]:
    """CPU seconds of each live process under ``root`` whose command name starts with ``prefix``."""
    return {pid: cpu_seconds(pid) for pid in descendants(root) if _comm(pid).startswith(prefix)}


def machine_busy_seconds() -> float:
    """CPU seconds all cores spent on anything but idling and waiting for I/O since boot (/proc/stat)."""
    fields = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]
    return (sum(fields[:8]) - idle) / TICK
