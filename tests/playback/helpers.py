"""Real recorded footage for playback tests: fMP4 files placed and indexed as the recorder would."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

from accounts.models import Organization
from accounts.roles import Role
from cameras.models import Camera, Site
from recordings.footage import index, layout, mp4
from recordings.footage.checksums import sha256_of
from recordings.footage.models import Segment, SegmentKind
from tests.support.factories import make_member, make_organization, make_site, make_user


def playback_site(settings, root: Path, organization: str, role: Role) -> tuple[Organization, Site, object]:  # type: ignore[no-untyped-def]
    """An organization with a site "Depot" and one member of ``role``; footage goes under ``root``."""
    settings.CCTV_RECORDINGS_DIR = root
    org = make_organization(organization)
    person = make_user()
    make_member(person, org, role)
    return org, make_site(org, "Depot"), person


def record(camera: Camera, files: list[Path], start: datetime, *, run: str = "0badcafe",
           stream: str = "main") -> list[Segment]:
    """Put ``files`` (one ffmpeg run) back to back from ``start`` in the recordings root and index them."""
    segments = []
    moment = start
    for source in files:
        facts = mp4.read_facts(source)
        key = layout.segment_key(camera.site.organization_id, camera.public_id, stream, moment, run)
        target = layout.root() / key
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
        segment = index.add_segment(index.NewSegment(
            organization_id=camera.site.organization_id, camera_id=camera.pk, stream=stream,
            kind=SegmentKind.CONTINUOUS, start=moment, facts=facts, run=run, key=key, sha256=sha256_of(target),
            local_day=moment.date(),
        ))  # fmt: skip
        assert segment is not None
        segments.append(segment)
        moment += timedelta(seconds=facts.duration)
    return segments


def take_thumbnails(segments: list[Segment]) -> list:
    """Preview pictures of ``segments`` as the recorder takes them: real ffmpeg, the first segment of each minute."""
    import queue

    from recordings.footage import thumbnailer, thumbnails

    taker, taken = thumbnailer.Thumbnailer(queue.Queue()), []
    for segment in segments:
        minute = thumbnails.bucket_of(segment.start)
        if taken and taken[-1].minute == minute:
            continue
        shot = taker.take(thumbnailer.Job(segment.camera_id, segment.pk, minute, layout.path_of(segment.key)))
        assert shot.jpeg is not None, "ffmpeg took no picture"
        row = thumbnails.record(segment.pk, minute, shot.jpeg)
        assert row is not None
        taken.append(row)
    return taken
