"""Reading a segment's bytes: the one place that knows where a tier keeps them.

Exports (and anything else that reads footage) ask ``segment_input`` for
something ffmpeg can open. Local segments are files under the recordings
root. Remote tiers (S3, Azure Blob) plug in here: a short-lived signed URL
works as an ffmpeg input as well as a path does.
"""

from __future__ import annotations

from recordings.footage import layout
from recordings.footage.models import Segment, Tier


class SegmentUnavailable(Exception):
    """The segment's bytes cannot be read from here; the message says why, in words for people."""


def segment_input(segment: Segment) -> str:
    """A path (or URL) ffmpeg can read the segment's file from."""
    if segment.tier != Tier.LOCAL:
        raise SegmentUnavailable(f"Footage stored on the {segment.get_tier_display()} tier cannot be exported yet.")
    path = layout.path_of(segment.key)
    if not path.is_file():
        raise SegmentUnavailable("A recorded segment's file is missing from the recordings disk.")
    return str(path)


def media_start(segment: Segment) -> float:
    """The decode time of the segment's first video sample, in the file's own seconds.

    The recorder keeps timestamps running across the files of one run, so a
    file does not start at zero: cutting inside a file needs this origin.
    """
    from recordings.footage.mp4 import NotMP4, read_facts

    try:
        return read_facts(layout.path_of(segment.key)).decode_start
    except (OSError, NotMP4) as exc:
        raise SegmentUnavailable("A recorded segment's file cannot be read.") from exc
