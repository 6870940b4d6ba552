"""Comparing the index and its counters with the recordings on disk (``manage.py check_footage``).

Finds rows whose file is missing or has another size, files without a row
(a crash between the move into place and the row, or a stray file), and
counters that differ from the rows they count. ``repair`` makes the index
true again: rows without files are removed (counters follow), files the
recorder wrote are indexed, anything else is deleted, and counters are set
to what the rows add up to. Only this maintenance command walks the disk;
usage is always read from the counters. Files and rows younger than
``min_age`` are left alone: a recorder may be between the two steps.

Footage on a remote tier (S3, Azure) is compared the same way with the
organization's store, listed under the organization's key prefix: rows whose
object is gone, objects no row names (repair deletes them; an object whose
segment is still local is a move in progress and is left alone), sizes that
differ (reported, not repaired: the only copy is the remote one). A store
that cannot be listed is reported and counts as a difference.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone

from cameras.models import Camera
from recordings.footage import health, index, layout, mp4, stores, thumbnails
from recordings.footage.checksums import sha256_of
from recordings.footage.models import (
    CameraUsage,
    OrganizationUsage,
    Segment,
    SegmentKind,
    StorageTier,
    Thumbnail,
    Tier,
)

logger = logging.getLogger(__name__)


@dataclass
class Report:
    rows_without_files: list[str] = field(default_factory=list)
    files_without_rows: list[str] = field(default_factory=list)
    size_mismatches: list[str] = field(default_factory=list)
    counters: list[str] = field(default_factory=list)
    unreachable: list[str] = field(default_factory=list)  # remote stores that could not be listed
    repaired: int = 0

    @property
    def problems(self) -> int:
        return (len(self.rows_without_files) + len(self.files_without_rows) + len(self.size_mismatches)
                + len(self.counters) + len(self.unreachable))


def check(*, repair: bool = False, min_age: float = 60.0) -> Report:
    report = Report()
    disk, pictures = _files_by_stream(min_age)
    streams = set(disk) | _indexed_streams()
    for org_id, camera_hex, stream in sorted(streams):
        _compare(report, org_id, camera_hex, stream, disk.get((org_id, camera_hex, stream), {}), repair, min_age)
    _compare_thumbnails(report, pictures, repair, min_age)
    _check_remote(report, repair, timezone.now() - timedelta(seconds=min_age))
    _check_counters(report, repair)
    return report


# --- rows and files ---------------------------------------------------------------------


def _files_by_stream(min_age: float) -> tuple[dict[tuple[int, str, str], dict[str, int]], dict[str, int]]:
    """{(organization id, camera hex, stream): {key: size}} of every settled file under the root, and the
    thumbnails' {key: size} apart."""
    root, cutoff = layout.root(), time.time() - min_age
    found: dict[tuple[int, str, str], dict[str, int]] = {}
    pictures: dict[str, int] = {}
    for path in _walk(root):
        stat = path.stat()
        if stat.st_mtime > cutoff:
            continue
        key = path.relative_to(root).as_posix()
        if thumbnails.parse_thumbnail_key(key) is not None:
            pictures[key] = stat.st_size
            continue
        parts = layout.parse_key(key)
        group = (parts.organization_id, parts.camera_public_id.hex, parts.stream) if parts else (0, "", key)
        found.setdefault(group, {})[key] = stat.st_size
    return found, pictures


def _walk(root: Path) -> Iterator[Path]:
    for directory, subdirectories, files in os.walk(root):
        if Path(directory) == root and layout.INCOMING in subdirectories:
            subdirectories.remove(layout.INCOMING)
        for name in files:
            yield Path(directory) / name


def _indexed_streams() -> set[tuple[int, str, str]]:
    """(organization id, camera hex, stream) of every stream with local rows, deleted cameras' too."""
    rows = Segment.objects.filter(tier=Tier.LOCAL)
    live = rows.filter(camera__isnull=False).values_list("organization_id", "camera__public_id", "stream")
    streams = {(org_id, public_id.hex, stream) for org_id, public_id, stream in live.distinct()}
    for key in rows.filter(camera__isnull=True).values_list("key", flat=True).iterator():
        parts = layout.parse_key(key)
        if parts is not None:
            streams.add((parts.organization_id, parts.camera_public_id.hex, parts.stream))
    return streams


def _rows(org_id: int, camera_hex: str, stream: str) -> dict[str, Segment]:
    camera = Camera.objects.filter(public_id=uuid.UUID(camera_hex)).first() if camera_hex else None
    rows = Segment.objects.filter(tier=Tier.LOCAL, organization_id=org_id, stream=stream)
    if camera is not None:
        rows = rows.filter(camera=camera)
    else:
        rows = rows.filter(camera__isnull=True, key__startswith=f"{org_id}/{camera_hex}/{stream}/")
    return {segment.key: segment for segment in rows}


def _compare(report: Report, org_id: int, camera_hex: str, stream: str, files: dict[str, int], repair: bool,
             min_age: float) -> None:
    rows = _rows(org_id, camera_hex, stream) if camera_hex else {}
    young = timezone.now() - timedelta(seconds=min_age)
    missing = [row for key, row in rows.items() if key not in files and row.created_at < young
               and not layout.path_of(key).exists()]
    report.rows_without_files += [row.key for row in missing]
    report.size_mismatches += [key for key, size in files.items() if key in rows and rows[key].bytes != size]
    strays = [key for key in files if key not in rows]
    report.files_without_rows += strays
    if repair:
        report.repaired += index.remove_rows(missing)
        report.repaired += sum(_repair_file(key) for key in strays)
        report.repaired += sum(_reindex(rows[key]) for key in files if key in rows and rows[key].bytes != files[key])


def _repair_file(key: str) -> int:
    """Index a file the recorder wrote whose row is missing; delete anything else."""
    path = layout.root() / key
    parts = layout.parse_key(key)
    camera = Camera.objects.select_related("site").filter(public_id=parts.camera_public_id).first() if parts else None
    if parts is None or camera is None or camera.site.organization_id != parts.organization_id:
        path.unlink(missing_ok=True)
        return 1
    try:
        facts = mp4.read_facts(path)
    except mp4.NotMP4:
        path.unlink(missing_ok=True)
        return 1
    index.add_segment(index.NewSegment(
        organization_id=parts.organization_id, camera_id=camera.pk, stream=parts.stream,
        kind=SegmentKind.CONTINUOUS, start=parts.start, facts=facts, run=parts.run, key=key,
        sha256=sha256_of(path), local_day=health.local_day(parts.start, camera.site.timezone),
    ))  # fmt: skip
    return 1


def _reindex(segment: Segment) -> int:
    """A file whose size differs from its row: take the file's facts if it is whole, else drop both."""
    path = layout.path_of(segment.key)
    try:
        facts = mp4.read_facts(path)
    except mp4.NotMP4:
        path.unlink(missing_ok=True)
        return index.remove_rows([segment])
    with transaction.atomic():
        Segment.objects.filter(pk=segment.pk).update(
            bytes=facts.size, duration=facts.duration, end=segment.start + timedelta(seconds=facts.duration),
            sha256=sha256_of(path),
        )
        index.move_counters(segment.organization_id, segment.camera_id, facts.size - segment.bytes, 0)
    return 1


def _compare_thumbnails(report: Report, files: dict[str, int], repair: bool, min_age: float) -> None:
    """Thumbnail rows against their files, as segments are: a row whose file is gone (repair: the row goes),
    a picture no row names (repair: deleted), a size that differs (repair: the row takes the file's)."""
    young = timezone.now() - timedelta(seconds=min_age)
    rows = {key: (pk, size, created) for pk, key, size, created
            in Thumbnail.objects.values_list("pk", "key", "bytes", "created_at").iterator()}
    missing = [key for key, (_, _, created) in rows.items() if key not in files and created < young
               and not (layout.root() / key).exists()]
    strays = [key for key in files if key not in rows]
    resized = [key for key, size in files.items() if key in rows and rows[key][1] != size]
    report.rows_without_files += missing
    report.files_without_rows += strays
    report.size_mismatches += resized
    if repair:
        report.repaired += Thumbnail.objects.filter(pk__in=[rows[key][0] for key in missing]).delete()[0]
        for key in strays:
            thumbnails.path_of(key).unlink(missing_ok=True)
        report.repaired += len(strays)
        for key in resized:
            report.repaired += Thumbnail.objects.filter(pk=rows[key][0]).update(bytes=files[key])


# --- remote tiers -------------------------------------------------------------------------


def _check_remote(report: Report, repair: bool, young: datetime) -> None:
    """Each organization's remote rows against a listing of its store (under its key prefix)."""
    tiers = Segment.objects.exclude(tier=Tier.LOCAL).values_list("organization_id", "tier").distinct()
    for org_id, kind in sorted(set(tiers) | set(_configured_remote_tiers())):
        try:
            store = stores.store_for(org_id, kind)
            objects = store.listing(f"{org_id}/")
        except stores.StoreUnavailable as error:
            report.unreachable.append(f"organization {org_id}, {Tier(kind).label}: {error}")
            continue
        _compare_remote(report, org_id, kind, store, objects, repair, young)


def _configured_remote_tiers() -> list[tuple[int, str]]:
    return [(row.organization_id, row.kind) for row in StorageTier.objects.all() if row.is_remote]


def _compare_remote(report: Report, org_id: int, kind: str, store: stores.Store, objects: dict[str, stores.Listed],
                    repair: bool, young: datetime) -> None:
    rows = {row.key: row for row in Segment.objects.filter(organization_id=org_id, tier=kind).only(
        "pk", "key", "bytes", "organization_id", "camera_id", "created_at")}
    missing = [row for key, row in rows.items() if key not in objects and row.created_at < young]
    unnamed = [key for key, listed in objects.items() if key not in rows and listed.modified < young]
    moving = _local_keys(org_id, unnamed)  # uploaded, verified next, then the row says so
    strays = [key for key in unnamed if key not in moving]
    report.rows_without_files += [f"{kind}:{row.key}" for row in missing]
    report.files_without_rows += [f"{kind}:{key}" for key in strays]
    report.size_mismatches += [f"{kind}:{key}" for key, row in rows.items()
                               if key in objects and objects[key].size != row.bytes]
    if repair:
        report.repaired += index.remove_rows(missing)
        report.repaired += sum(_delete_object(store, key) for key in strays)


def _local_keys(org_id: int, keys: list[str], chunk: int = 500) -> set[str]:
    """Which of ``keys`` name segments still on the local disk."""
    local = Segment.objects.filter(organization_id=org_id, tier=Tier.LOCAL)
    found: set[str] = set()
    for offset in range(0, len(keys), chunk):
        found.update(local.filter(key__in=keys[offset:offset + chunk]).values_list("key", flat=True))
    return found


def _delete_object(store: stores.Store, key: str) -> int:
    try:
        store.delete(key)
    except stores.StoreUnavailable as error:
        logger.warning("could not delete the stray object %s: %s", key, error)
        return 0
    return 1


# --- counters -----------------------------------------------------------------------------


@transaction.atomic
def _check_counters(report: Report, repair: bool) -> None:
    """Counters against the rows, with the counter rows locked so recorders wait instead of racing."""
    cameras = {row.pk: row for row in CameraUsage.objects.select_for_update()}
    organizations = {row.pk: row for row in OrganizationUsage.objects.select_for_update()}
    by_camera = _totals("camera_id")
    by_organization = _totals("organization_id")
    for label, counters, totals, model in (("camera", cameras, by_camera, CameraUsage),
                                           ("organization", organizations, by_organization, OrganizationUsage)):
        for pk in set(counters) | set(totals):
            counted = (counters[pk].bytes, counters[pk].segments) if pk in counters else (0, 0)
            actual = totals.get(pk, (0, 0))
            if counted != actual:
                report.counters.append(f"{label} {pk}: counted {counted[0]} bytes in {counted[1]} segments, "
                                       f"the index holds {actual[0]} in {actual[1]}")
                if repair:
                    report.repaired += _set_counter(model, label, pk, actual)


def _totals(column: str) -> dict[int, tuple[int, int]]:
    rows = Segment.objects.filter(**{f"{column}__isnull": False}).values(column).annotate(
        total=Sum("bytes"), count=Count("pk")
    ).order_by()
    return {row[column]: (row["total"] or 0, row["count"]) for row in rows}


def _set_counter(model: type, label: str, pk: int, actual: tuple[int, int]) -> int:
    if label == "camera":
        organization_id = Camera.objects.filter(pk=pk).values_list("site__organization_id", flat=True).first()
        if organization_id is None:
            return 0
        model.objects.update_or_create(camera_id=pk, defaults={
            "organization_id": organization_id, "bytes": actual[0], "segments": actual[1]})
    else:
        model.objects.update_or_create(organization_id=pk, defaults={"bytes": actual[0], "segments": actual[1]})
    return 1
