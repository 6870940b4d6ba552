"""Pure logic of the recorder and the index: names, gaps, event windows, leases, ffmpeg's command and output."""

from __future__ import annotations

import collections
import dataclasses
import os
import queue
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from recordings.footage import ffmpeg, ingest, layout, leases, mp4, timeline, windows
from recordings.footage.capture import StreamCapture
from recordings.footage.clock import RunClock
from recordings.footage.models import HealthState
from recordings.footage.recorder import FAIL_AFTER, Held, camera_state
from tests.footage.helpers import facts

T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)
CAMERA = uuid.UUID("4014034043b2c1d0e9f8a7b6c5d4e3f2")


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


# --- names and keys ---------------------------------------------------------------------


def test_segment_key_is_built_from_ids_and_parses_back() -> None:
    start = at(12.3456)
    key = layout.segment_key(7, CAMERA, "sub", start, "0badcafe")

    assert key == "7/4014034043b2c1d0e9f8a7b6c5d4e3f2/sub/2026-03-01/20260301T080012.345Z-0badcafe.mp4"
    parts = layout.parse_key(key)
    assert parts == layout.KeyParts(7, CAMERA, "sub", start.replace(microsecond=345000), "0badcafe")


@pytest.mark.parametrize("key", [
    "7/4014034043b2c1d0e9f8a7b6c5d4e3f2/sub/2026-03-01/../../etc/passwd",
    "7/4014034043b2c1d0e9f8a7b6c5d4e3f2/other/2026-03-01/20260301T080012.345Z-0badcafe.mp4",
    "7/4014034043b2c1d0e9f8a7b6c5d4e3f2/sub/2026-03-02/20260301T080012.345Z-0badcafe.mp4",  # wrong day folder
    "junk.bin",
])  # fmt: skip
def test_parse_key_refuses_what_the_recorder_never_writes(key: str) -> None:
    assert layout.parse_key(key) is None
    with pytest.raises(ValueError, match="not a segment key"):
        layout.path_of(key)


def test_incoming_names_are_ffmpegs_utc_strftime_of_the_open_moment() -> None:
    pattern = layout.incoming_pattern("0badcafe")
    name = T0.strftime(pattern)

    assert name == "20260301T080000Z-0badcafe.mp4"
    assert layout.parse_incoming_name(name) == layout.IncomingName(T0, "0badcafe")
    assert layout.parse_incoming_name("20260301T080000Z-0badcafe.mp4.tmp") is None
    with pytest.raises(ValueError):
        layout.incoming_pattern("%s; rm -rf")


# --- the start of a segment -----------------------------------------------------------------


def _facts(duration: float, media_start: float = 0.0) -> mp4.MediaFacts:
    return dataclasses.replace(facts(duration), decode_start=media_start)


def test_start_is_the_close_time_minus_the_media_duration() -> None:
    assert ingest.segment_start("20260301T080000Z-0badcafe.mp4", at(10.25), _facts(10.0)) == at(0.25)


def test_a_runs_first_file_may_start_before_its_name_says() -> None:
    """ffmpeg opens the first file after probing the stream, with the probed packets in it."""
    assert ingest.segment_start("20260301T080005Z-0badcafe.mp4", at(9.0), _facts(8.0)) == at(1.0)


def test_the_name_wins_when_the_close_time_cannot_be_right() -> None:
    assert ingest.segment_start("20260301T080000Z-0badcafe.mp4", at(40.0), _facts(10.0)) == T0
    assert ingest.segment_start("20260301T080000Z-0badcafe.mp4", None, _facts(10.0)) == T0  # recovery


def _placed(closes: list[tuple[float, float, float]]) -> list[tuple[datetime, datetime]]:
    """(closed at, media start, duration) -> (start, end) on the wall clock, through one run's clock."""
    clock = RunClock()
    placed = []
    for closed_at, media_start, duration in closes:
        start = clock.place(at(closed_at), media_start, duration)
        placed.append((start, start + timedelta(seconds=duration)))
    return placed


def _worst_gap(spans: list[tuple[datetime, datetime]]) -> float:
    return max((b[0] - a[1]).total_seconds() for a, b in zip(spans, spans[1:], strict=False))


def test_a_close_read_late_by_a_busy_recorder_leaves_no_gap() -> None:
    """Regression: a segment placed by its own (late) close time left a 0.64 s gap before it."""
    spans = _placed([(10.0, 0, 10), (20.64, 10, 10), (30.0, 20, 10), (40.01, 30, 10)])

    assert [s for s, _ in spans] == [at(0), at(10), at(20), at(30)]
    assert _worst_gap(spans) <= 0


def test_a_late_first_close_overlaps_rather_than_gaps() -> None:
    spans = _placed([(10.6, 0, 10), (20.0, 10, 10), (30.0, 20, 10)])

    assert spans[0] == (at(0.6), at(10.6)) and spans[1][0] == at(10)
    assert _worst_gap(spans) <= 0


def test_a_drifting_camera_clock_is_followed() -> None:
    # The camera's 10 s last 10.01 s of wall clock: after an hour the media is 3.6 s behind.
    spans = _placed([(10.01 * (i + 1), 10.0 * i, 10.0) for i in range(360)])

    assert abs((spans[-1][1] - at(3603.6)).total_seconds()) < 0.5
    assert _worst_gap(spans) <= 0.011


def test_a_timestamp_jump_starts_learning_again() -> None:
    spans = _placed([(10.0, 0, 10), (20.0, 10, 10), (35.0, 1000, 10)])

    assert spans[2][0] == at(25)


# --- gaps ---------------------------------------------------------------------------------


def test_back_to_back_segments_are_one_covered_interval() -> None:
    spans = [(at(0), at(10.004)), (at(10.0), at(20.0)), (at(20.3), at(30.0))]  # jitter and a 0.3 s seam
    covered = timeline.merge(spans, at(0), at(30))

    assert covered == [timeline.Interval(at(0), at(30))]
    assert timeline.gaps(covered, at(0), at(30)) == []


def test_a_missing_stretch_is_an_explicit_gap_and_so_are_the_edges() -> None:
    spans = [(at(-5), at(10)), (at(14), at(24))]
    covered = timeline.merge(spans, at(0), at(40))

    assert covered == [timeline.Interval(at(0), at(10)), timeline.Interval(at(14), at(24))]
    assert timeline.gaps(covered, at(0), at(40)) == [timeline.Interval(at(10), at(14)),
                                                      timeline.Interval(at(24), at(40))]


def test_nothing_recorded_is_one_gap() -> None:
    assert timeline.gaps(timeline.merge([], at(0), at(60)), at(0), at(60)) == [timeline.Interval(at(0), at(60))]


# --- event windows -----------------------------------------------------------------------------

PRE, POST = timedelta(seconds=5), timedelta(seconds=8)


def test_an_event_claims_segments_within_its_pre_and_post_roll() -> None:
    events = [windows.EventSpan(1, at(100), at(110))]

    assert windows.claiming_event(at(84), at(94), events, PRE, POST) is None  # ends before 95
    assert windows.claiming_event(at(90), at(96), events, PRE, POST) == 1  # pre-roll from 95
    assert windows.claiming_event(at(117), at(127), events, PRE, POST) == 1  # post-roll until 118
    assert windows.claiming_event(at(118), at(128), events, PRE, POST) is None


def test_an_open_event_claims_everything_after_its_pre_roll() -> None:
    events = [windows.EventSpan(2, at(100), None), windows.EventSpan(1, at(50), at(51))]

    assert windows.claiming_event(at(1000), at(1010), events, PRE, POST) == 2
    assert windows.claiming_event(at(45), at(55), events, PRE, POST) == 1  # the earliest event first


def test_buffer_is_given_up_only_when_no_future_event_could_claim_it() -> None:
    horizon = windows.buffer_horizon(at(100), PRE)
    # An event starting now (at 100) claims from 95: footage ending at the horizon is safely past that.
    assert horizon == at(100) - PRE - windows.CLAIM_MARGIN
    assert windows.claiming_event(horizon - timedelta(seconds=10), horizon,
                                  [windows.EventSpan(3, at(100), None)], PRE, POST) is None


# --- leases ----------------------------------------------------------------------------------


def test_fair_share_spreads_cameras_over_live_recorders() -> None:
    assert leases.fair_share(10, 3) == 4
    assert leases.fair_share(10, 0) == 10  # this recorder has not heartbeated yet
    assert leases.fair_share(0, 2) == 0


def test_a_lease_is_renewed_and_released_only_by_its_holder() -> None:
    camera_id = 987654321
    mine = leases.Lease(camera_id, 5, owner="rec-a")
    other = leases.Lease(camera_id, 5, owner="rec-b")
    try:
        assert mine.acquire()
        assert not other.acquire()
        assert not other.renew()
        other.release()  # not its lease: no effect
        assert leases.holders([camera_id]) == {camera_id: "rec-a"}
        assert mine.renew()
        mine.release()
        assert leases.holders([camera_id]) == {camera_id: None}
        assert other.acquire()
        assert not mine.renew()  # a recorder that stalled past its lease cannot take the camera back
    finally:
        other.release()


def test_recorder_leases_do_not_collide_with_motion_leases() -> None:
    assert leases.lease_key(5) != "cctv:motion:lease:5"


# --- ffmpeg -------------------------------------------------------------------------------------


def test_the_recorder_only_copies_packets_into_clock_aligned_fmp4_segments(settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    argv = ffmpeg.argv("rtsp://gw:8554/cam-x-sub?video&audio=aac", tmp_path, "0badcafe", 10)

    assert argv[argv.index("-c") + 1] == "copy"
    assert not {"-c:v", "-vcodec", "-vf", "-filter_complex", "-s", "-r"} & set(argv)  # nothing re-encodes
    assert argv[argv.index("-f") + 1] == "segment"
    assert argv[argv.index("-segment_time") + 1] == "10"
    assert argv[argv.index("-segment_atclocktime") + 1] == "1"
    assert argv[argv.index("-segment_list") + 1] == "pipe:1"
    assert "frag_keyframe" in argv[argv.index("-segment_format_options") + 1]
    assert argv[-1] == str(tmp_path / "%Y%m%dT%H%M%SZ-0badcafe.mp4")
    assert ffmpeg.ENVIRONMENT == {"TZ": "UTC"}  # strftime names in UTC


def test_segment_list_lines_are_read_and_junk_is_ignored() -> None:
    entry = ffmpeg.parse_list_line("20260301T080000Z-0badcafe.mp4,12.500000,22.533333\n")

    assert entry == ffmpeg.ListEntry("20260301T080000Z-0badcafe.mp4", 12.5, 22.533333)
    assert entry.duration == pytest.approx(10.033333)
    assert ffmpeg.parse_list_line("frame=  121 fps= 20") is None
    assert ffmpeg.parse_list_line("x.mp4,3,1") is None


def _stale_capture(events: queue.Queue) -> StreamCapture:
    capture = StreamCapture(1, "main", "rtsp://gw/x", Path("/nonexistent"), events)
    capture.process, capture.run = object(), "0badcafe"  # type: ignore[assignment]
    capture.progress_at = time.monotonic() - 100  # nothing indexed for 100 s
    return capture


def test_a_run_whose_closed_files_wait_to_be_indexed_is_not_taken_for_stalled() -> None:
    """A recorder behind on indexing (a burst of closes on a busy machine) restarted ffmpegs that worked."""
    events: queue.Queue = queue.Queue()
    capture = _stale_capture(events)

    capture._list_line("0badcafe", "20260301T080000Z-0badcafe.mp4,0.000000,10.000000", collections.deque())

    assert events.qsize() == 1
    assert not capture.stalled(time.monotonic(), 40)


def test_a_late_line_of_an_earlier_run_is_no_progress_of_this_one() -> None:
    capture = _stale_capture(queue.Queue())

    capture._list_line("0ldc10se", "20260301T080000Z-0ldc10se.mp4,0.000000,10.000000", collections.deque())

    assert capture.stalled(time.monotonic(), 40)


# --- MP4 facts ------------------------------------------------------------------------------------


def test_facts_come_from_the_boxes(fmp4_files: list[Path]) -> None:
    facts = [mp4.read_facts(path) for path in fmp4_files]

    assert len(facts) == 3
    for fact in facts:
        assert (fact.codec, fact.width, fact.height, fact.has_audio) == ("h264", 320, 180, False)
        assert fact.codecs.startswith("avc1.")
        assert fact.duration == pytest.approx(2.0, abs=0.07)
        assert fact.keyframes == pytest.approx((0.0, 1.0), abs=0.07)  # -g 15 at 15 fps
        assert 0 < fact.init_size < fact.size
    # Timestamps continue from file to file: one run plays back to back.
    assert [f.decode_start for f in facts] == pytest.approx([0.0, 2.0, 4.0], abs=0.07)


def test_a_file_cut_short_is_refused_and_can_be_trimmed_to_whole_fragments(fmp4_files: list[Path],
                                                                           tmp_path: Path) -> None:
    whole = fmp4_files[0].read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(whole[: len(whole) - 1000])

    with pytest.raises(mp4.NotMP4, match="ends inside"):
        mp4.read_facts(cut)
    length = ingest.complete_length(cut)
    os.truncate(cut, length)
    trimmed = mp4.read_facts(cut)
    assert trimmed.duration == pytest.approx(1.0, abs=0.07)  # the first whole fragment (one second)


def test_something_else_is_not_a_segment(tmp_path: Path) -> None:
    other = tmp_path / "x.mp4"
    other.write_bytes(b"\x00\x00\x00\x10junkjunkjunkjunk")
    with pytest.raises(mp4.NotMP4):
        mp4.read_facts(other)


# --- one state per camera ------------------------------------------------------------------------------


def _capture(segments: int, failures: int, running: bool, reason: str = "") -> StreamCapture:
    capture = StreamCapture(1, "main", "rtsp://gw/x", Path("/nonexistent"), None)  # type: ignore[arg-type]
    capture.segments_in_run, capture.failures, capture.last_reason = segments, failures, reason
    capture.process = object() if running else None  # type: ignore[assignment]
    return capture


def test_a_camera_records_only_when_every_stream_does() -> None:
    held = Held(plan=None, lease=None)  # type: ignore[arg-type]
    held.captures = {"main": _capture(3, 0, True), "sub": _capture(0, 1, False, "The camera stopped sending video.")}

    assert camera_state(held) == (HealthState.RECONNECTING, "The camera stopped sending video.")
    held.captures["sub"] = _capture(1, 0, True)
    assert camera_state(held) == (HealthState.RECORDING, "")
    held.captures["sub"] = _capture(0, FAIL_AFTER, False, "The recorder cannot reach the camera's gateway.")
    assert camera_state(held) == (HealthState.FAILING, "The recorder cannot reach the camera's gateway.")
