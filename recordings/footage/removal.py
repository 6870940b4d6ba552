"""Deleting footage: the one way segments go, with their files and their counters, never held ones.

Retention, quotas, the volume guard and the events-mode buffer all call
``delete_segments`` with the ids they chose. In one transaction it takes
the indexing lock of each camera involved (as setting a hold does, see
``recordings.footage.holds``), re-reads the rows, leaves out every segment a
hold covers (by its flag, and by the holds themselves), deletes each file,
then the rows and their counters (``index.remove_rows``). Files go before
rows, as everywhere in the index: a crash in between leaves a row without
a file, which ``check_footage --repair`` removes, never an unknown file.

Each tier deletes its own files: local files here; the storage tiers
register theirs with ``register_remover``. Segments on a tier that cannot
delete yet are left alone (and callers do not choose them: ``removable_tiers``).
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import transaction

from recordings.footage import holds, index, layout
from recordings.footage.models import CameraUsage, Segment, Tier

logger = logging.getLogger(__name__)

FileRemover = Callable[[str], None]
# An empty day directory is removed only once no recorder can still be writing into it.
DAY_DIRECTORY_AGE = timedelta(days=2)


def _remove_local(key: str) -> None:
    path = layout.path_of(key)
    path.unlink(missing_ok=True)
    day = layout.parse_key(key)
    if day is not None and datetime.now(UTC) - day.start > DAY_DIRECTORY_AGE:
        with contextlib.suppress(OSError):
            os.rmdir(path.parent)  # only succeeds once the day's directory is empty


_REMOVERS: dict[str, FileRemover] = {Tier.LOCAL: _remove_local}


def register_remover(tier: str, remover: FileRemover) -> None:
    """Let deletion remove files of ``tier`` (``remover(key)`` deletes one; missing is not an error)."""
    _REMOVERS[tier] = remover


def removable_tiers() -> list[str]:
    return sorted(_REMOVERS)


@dataclass
class Removed:
    """What one call deleted, and what it spared."""

    segments: int = 0
    bytes: int = 0
    by_organization: Counter = field(default_factory=Counter)
    held: int = 0
    failed: int = 0

    def add(self, other: Removed) -> None:
        self.segments += other.segments
        self.bytes += other.bytes
        self.by_organization.update(other.by_organization)
        self.held += other.held
        self.failed += other.failed


def _remove_file(segment: Segment) -> bool:
    try:
        _REMOVERS[segment.tier](segment.key)
    except Exception:
        logger.exception("could not delete the file of segment %s (%s); it stays for the next run", segment.pk,
                         segment.tier)
        return False
    return True


def delete_segments(segment_ids: Iterable[int]) -> Removed:
    """Delete these segments (files, rows, counters) except those a hold covers; see the module docstring."""
    ids = sorted(set(segment_ids))
    removed = Removed()
    if not ids:
        return removed
    cameras = sorted(set(Segment.objects.filter(pk__in=ids, camera__isnull=False)
                         .values_list("camera_id", flat=True)))
    with transaction.atomic():
        list(CameraUsage.objects.select_for_update().filter(camera_id__in=cameras).order_by("pk"))
        rows = list(Segment.objects.filter(pk__in=ids, tier__in=removable_tiers()).order_by("pk"))
        flagged = [row for row in rows if row.held]
        covered = holds.protected_ids(row for row in rows if not row.held)
        if covered:  # a flag that lagged behind its hold: set it now, and spare the footage
            Segment.objects.filter(pk__in=covered).update(held=True)
        removed.held = len(flagged) + len(covered)
        doomed = [row for row in rows if not row.held and row.pk not in covered]
        gone = [row for row in doomed if _remove_file(row)]
        removed.failed = len(doomed) - len(gone)
        index.remove_rows(gone)
    for row in gone:
        removed.segments += 1
        removed.bytes += row.bytes
        removed.by_organization[row.organization_id] += row.bytes
    return removed
