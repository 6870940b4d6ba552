"""The playlist text from index rows: pure, no database."""

from __future__ import annotations

from datetime import UTC, datetime

from recordings.playback.playlist import PlaylistSegment, render

T0 = datetime(2026, 3, 1, 8, 0, 0, tzinfo=UTC)


def seg(pk: int, offset: float, seconds: float = 10.0, run: str = "aaaaaaaa", init: int = 700,
        codecs: str = "avc1.640029") -> PlaylistSegment:
    return PlaylistSegment(pk, T0.timestamp() + offset, seconds, 50_000, init, run, codecs)


def test_one_run_back_to_back_is_one_map_and_no_discontinuity() -> None:
    text = render([seg(1, 0), seg(2, 10.02), seg(3, 20.04, 10.4)], final=True)

    assert text.splitlines()[:6] == ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-TARGETDURATION:11",
                                     "#EXT-X-MEDIA-SEQUENCE:0", "#EXT-X-PLAYLIST-TYPE:VOD",
                                     "#EXT-X-INDEPENDENT-SEGMENTS"]
    assert text.count("#EXT-X-MAP") == 1 and "DISCONTINUITY" not in text
    assert "#EXT-X-BYTERANGE:49300@700\ns/2.mp4" in text
    assert "#EXT-X-PROGRAM-DATE-TIME:2026-03-01T08:00:10.020Z\n#EXTINF:10.000," in text
    assert text.endswith("#EXT-X-ENDLIST\n")


def test_a_gap_a_new_run_and_new_codecs_each_start_a_discontinuity_with_its_own_map() -> None:
    rows = [seg(1, 0), seg(2, 30), seg(3, 40, run="bbbbbbbb"), seg(4, 50, run="bbbbbbbb", codecs="hvc1.1.6.L93.B0")]

    lines = render(rows, final=True).splitlines()

    for pk in (2, 3, 4):
        at = lines.index(f'#EXT-X-MAP:URI="s/{pk}.mp4",BYTERANGE="700@0"')
        assert lines[at - 1] == "#EXT-X-DISCONTINUITY"
    assert lines.count("#EXT-X-DISCONTINUITY") == 3


def test_a_changed_init_size_in_one_run_maps_again_without_a_discontinuity() -> None:
    text = render([seg(1, 0), seg(2, 10, init=720)], final=True)

    assert '#EXT-X-MAP:URI="s/2.mp4",BYTERANGE="720@0"' in text and "DISCONTINUITY" not in text


def test_an_open_range_is_an_event_playlist_without_end() -> None:
    text = render([seg(1, 0)], final=False)

    assert "#EXT-X-PLAYLIST-TYPE:EVENT" in text and "ENDLIST" not in text


def test_wall_clock_tags_are_utc_to_the_millisecond_across_midnight() -> None:
    rows = [seg(1, 16 * 3600 - 0.0004), seg(2, 16 * 3600 + 9.9996), seg(3, 16 * 3600 - 0.0004 + 86400 * 366)]

    stamps = [line.split(":", 1)[1] for line in render(rows, final=True).splitlines()
              if line.startswith("#EXT-X-PROGRAM-DATE-TIME")]

    assert stamps == ["2026-03-02T00:00:00.000Z", "2026-03-02T00:00:10.000Z", "2027-03-03T00:00:00.000Z"]
