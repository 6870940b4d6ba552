"""Facts about a fragmented MP4 segment, read from its box headers only (no decoding, no subprocess).

ffmpeg writes each segment as ``ftyp`` + ``moov`` (the initialisation
section: codecs, sizes, time scales) followed by ``moof`` + ``mdat`` pairs,
one per keyframe (``movflags=+frag_keyframe+empty_moov+default_base_moof``),
and an ``mfra`` index at the end. Reading the small ``moov`` and ``moof``
boxes and seeking over ``mdat`` gives the media duration, the keyframe
times, the codecs string an HLS playlist announces, and whether the file is
whole: about a millisecond for a 10 s segment, where ffprobe costs a process
and probes (decodes) a few frames.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

NON_SYNC_SAMPLE = 0x00010000
VIDEO_CODECS = {b"avc1": "h264", b"avc3": "h264", b"hvc1": "hevc", b"hev1": "hevc"}


class NotMP4(Exception):
    """The file is not a whole fragmented MP4 segment; the message says what is wrong."""


@dataclass
class Track:
    track_id: int
    handler: str = ""
    timescale: int = 0
    fourcc: str = ""
    codec_string: str = ""
    width: int = 0
    height: int = 0
    default_duration: int = 0
    default_flags: int = 0


@dataclass(frozen=True)
class MediaFacts:
    init_size: int
    size: int
    codec: str
    codecs: str
    width: int
    height: int
    has_audio: bool
    duration: float  # seconds of video
    decode_start: float  # the first video sample's decode time, seconds
    keyframes: tuple[float, ...]  # offsets from the first video sample, seconds


@dataclass
class _Fragments:
    samples: int = 0
    ticks: int = 0
    first_decode: int | None = None
    keyframes: list[int] = field(default_factory=list)


def _boxes(data: bytes, start: int = 0, end: int | None = None) -> Iterator[tuple[bytes, int, int]]:
    """(type, payload start, payload end) of each box in ``data[start:end]``."""
    end = len(data) if end is None else end
    offset = start
    while offset + 8 <= end:
        size, kind = struct.unpack_from(">I4s", data, offset)
        header = 8
        if size == 1:
            size, header = struct.unpack_from(">Q", data, offset + 8)[0], 16
        elif size == 0:
            size = end - offset
        if size < header or offset + size > end:
            raise NotMP4(f"box {kind!r} overruns its parent")
        yield kind, offset + header, offset + size
        offset += size


def _child(data: bytes, start: int, end: int, kind: bytes) -> tuple[int, int] | None:
    for found, child_start, child_end in _boxes(data, start, end):
        if found == kind:
            return child_start, child_end
    return None


def _top_level(handle: BinaryIO, size: int) -> Iterator[tuple[bytes, int, int]]:
    """(type, box start, box size) of each top-level box, reading headers only."""
    offset = 0
    while offset < size:
        handle.seek(offset)
        header = handle.read(16)
        if len(header) < 8:
            raise NotMP4("the file ends inside a box header")
        box_size, kind = struct.unpack_from(">I4s", header)
        if box_size == 1 and len(header) == 16:
            box_size = struct.unpack_from(">Q", header, 8)[0]
        elif box_size == 0:
            box_size = size - offset
        if box_size < 8 or offset + box_size > size:
            raise NotMP4(f"the file ends inside its {kind.decode(errors='replace')} box (still being written?)")
        yield kind, offset, box_size
        offset += box_size


def _avc_string(data: bytes, start: int, end: int, fourcc: str) -> str:
    config = _child(data, start, end, b"avcC")
    if config is None or config[1] - config[0] < 4:
        return fourcc
    profile, compat, level = data[config[0] + 1: config[0] + 4]
    return f"{fourcc}.{profile:02X}{compat:02X}{level:02X}"


def _hevc_string(data: bytes, start: int, end: int, fourcc: str) -> str:
    config = _child(data, start, end, b"hvcC")
    if config is None or config[1] - config[0] < 13:
        return fourcc
    base = config[0]
    first = data[base + 1]
    space = "ABC"[(first >> 6) - 1] if first >> 6 else ""
    tier, profile = "H" if first & 0x20 else "L", first & 0x1F
    compat = int(f"{struct.unpack_from('>I', data, base + 2)[0]:032b}"[::-1], 2)
    constraints = bytes(data[base + 6: base + 12]).rstrip(b"\0")
    level = data[base + 12]
    parts = [fourcc, f"{space}{profile}", f"{compat:X}", f"{tier}{level}"] + [f"{b:X}" for b in constraints]
    return ".".join(parts)


def _sample_entry(data: bytes, start: int, end: int, track: Track) -> None:
    """The first entry of ``stsd``: codec, picture size, codecs string."""
    entries = start + 8  # version/flags, entry count
    for kind, entry_start, entry_end in _boxes(data, entries, end):
        track.fourcc = kind.decode(errors="replace")
        if kind in VIDEO_CODECS:
            track.width, track.height = struct.unpack_from(">HH", data, entry_start + 24)
            children = entry_start + 78
            maker = _avc_string if VIDEO_CODECS[kind] == "h264" else _hevc_string
            track.codec_string = maker(data, children, entry_end, track.fourcc)
        elif kind == b"mp4a":
            track.codec_string = "mp4a.40.2"  # AAC-LC: the audio go2rtc's aac filter sends
        return


def _trak(data: bytes, start: int, end: int) -> Track:
    tkhd = _child(data, start, end, b"tkhd")
    if tkhd is None:
        raise NotMP4("a track has no header")
    version = data[tkhd[0]]
    track = Track(track_id=struct.unpack_from(">I", data, tkhd[0] + (20 if version == 1 else 12))[0])
    mdia = _child(data, start, end, b"mdia")
    if mdia is None:
        raise NotMP4("a track has no media box")
    mdhd, hdlr = _child(data, *mdia, b"mdhd"), _child(data, *mdia, b"hdlr")
    if mdhd is None or hdlr is None:
        raise NotMP4("a track has no media header")
    track.timescale = struct.unpack_from(">I", data, mdhd[0] + (20 if data[mdhd[0]] == 1 else 12))[0]
    track.handler = data[hdlr[0] + 8: hdlr[0] + 12].decode(errors="replace")
    minf = _child(data, *mdia, b"minf")
    stbl = _child(data, *minf, b"stbl") if minf else None
    stsd = _child(data, *stbl, b"stsd") if stbl else None
    if stsd is not None:
        _sample_entry(data, *stsd, track)
    return track


def _moov(data: bytes) -> dict[int, Track]:
    tracks = {}
    for kind, start, end in _boxes(data):
        if kind == b"trak":
            track = _trak(data, start, end)
            tracks[track.track_id] = track
        elif kind == b"mvex":
            for trex_kind, trex_start, _ in _boxes(data, start, end):
                if trex_kind == b"trex":
                    track_id, _index, duration, _size, flags = struct.unpack_from(">5I", data, trex_start + 4)
                    if track_id in tracks:
                        tracks[track_id].default_duration, tracks[track_id].default_flags = duration, flags
    return tracks


def _traf(data: bytes, start: int, end: int, tracks: dict[int, Track], video_id: int, into: _Fragments) -> None:
    tfhd = _child(data, start, end, b"tfhd")
    if tfhd is None:
        raise NotMP4("a fragment has no header")
    flags = struct.unpack_from(">I", data, tfhd[0])[0] & 0xFFFFFF
    track_id = struct.unpack_from(">I", data, tfhd[0] + 4)[0]
    if track_id != video_id:
        return
    track = tracks[track_id]
    cursor = tfhd[0] + 8 + (8 if flags & 0x01 else 0) + (4 if flags & 0x02 else 0)
    duration, sample_flags = track.default_duration, track.default_flags
    if flags & 0x08:
        duration = struct.unpack_from(">I", data, cursor)[0]
        cursor += 4
    cursor += 4 if flags & 0x10 else 0
    if flags & 0x20:
        sample_flags = struct.unpack_from(">I", data, cursor)[0]
    tfdt = _child(data, start, end, b"tfdt")
    decode = 0
    if tfdt is not None:
        decode = struct.unpack_from(">Q" if data[tfdt[0]] == 1 else ">I", data, tfdt[0] + 4)[0]
    if into.first_decode is None:
        into.first_decode = decode
    for kind, run_start, _ in _boxes(data, start, end):
        if kind == b"trun":
            decode = _trun(data, run_start, decode, duration, sample_flags, into)


def _trun(data: bytes, start: int, decode: int, duration: int, sample_flags: int, into: _Fragments) -> int:
    flags, count = struct.unpack_from(">II", data, start)
    flags &= 0xFFFFFF
    cursor = start + 8 + (4 if flags & 0x01 else 0)
    first_flags = None
    if flags & 0x04:
        first_flags = struct.unpack_from(">I", data, cursor)[0]
        cursor += 4
    for index in range(count):
        this_duration, this_flags = duration, sample_flags
        if flags & 0x100:
            this_duration = struct.unpack_from(">I", data, cursor)[0]
            cursor += 4
        cursor += 4 if flags & 0x200 else 0
        if flags & 0x400:
            this_flags = struct.unpack_from(">I", data, cursor)[0]
            cursor += 4
        cursor += 4 if flags & 0x800 else 0
        if index == 0 and first_flags is not None:
            this_flags = first_flags
        if not this_flags & NON_SYNC_SAMPLE:
            into.keyframes.append(decode - (into.first_decode or 0))
        decode += this_duration
        into.ticks += this_duration
        into.samples += 1
    return decode


def read_facts(path: Path) -> MediaFacts:
    """Facts of a whole segment file; ``NotMP4`` if it is not one (or not finished)."""
    size = path.stat().st_size
    tracks: dict[int, Track] = {}
    video: Track | None = None
    fragments = _Fragments()
    init_size = 0
    with path.open("rb") as handle:
        for kind, offset, box_size in _top_level(handle, size):
            if kind == b"moov":
                handle.seek(offset + 8)
                tracks = _moov(handle.read(box_size - 8))
                video = next((t for t in tracks.values() if t.handler == "vide"), None)
                init_size = offset + box_size
            elif kind == b"moof":
                if video is None:
                    raise NotMP4("a fragment comes before the video track is described")
                handle.seek(offset + 8)
                payload = handle.read(box_size - 8)
                for traf_kind, traf_start, traf_end in _boxes(payload):
                    if traf_kind == b"traf":
                        _traf(payload, traf_start, traf_end, tracks, video.track_id, fragments)
    return _facts(tracks, video, fragments, init_size, size)


def _facts(tracks: dict[int, Track], video: Track | None, fragments: _Fragments, init_size: int,
           size: int) -> MediaFacts:
    if video is None or not video.timescale:
        raise NotMP4("no video track")
    if not fragments.samples:
        raise NotMP4("no video samples")
    codecs = [video.codec_string or video.fourcc]
    audio = [t for t in tracks.values() if t.handler == "soun"]
    codecs += [t.codec_string for t in audio if t.codec_string]
    scale = video.timescale
    return MediaFacts(
        init_size=init_size, size=size,
        codec=VIDEO_CODECS.get(video.fourcc.encode(), video.fourcc), codecs=",".join(codecs),
        width=video.width, height=video.height, has_audio=bool(audio),
        duration=fragments.ticks / scale, decode_start=(fragments.first_decode or 0) / scale,
        keyframes=tuple(round(tick / scale, 3) for tick in fragments.keyframes),
    )  # fmt: skip
