"""How go2rtc's probe answers become "Test connection" outcomes (the texts are go2rtc v1.9.14's)."""

from __future__ import annotations

import pytest

from cameras.go2rtc import ProbeReply
from cameras.source_probe import Outcome, judge, with_password


@pytest.mark.parametrize(("error", "outcome"), [
    ("streams: wrong user/pass", Outcome.WRONG_PASSWORD),
    ("streams: user/pass not provided", Outcome.WRONG_PASSWORD),
    ("streams: wrong response on DESCRIBE", Outcome.NO_SUCH_STREAM),
    ("streams: dial tcp 192.168.1.20:554: connect: connection refused", Outcome.UNREACHABLE),
    ("streams: dial tcp 192.168.1.20:554: i/o timeout", Outcome.UNREACHABLE),
    ("streams: codecs not matched: video:H265 => video:H264", Outcome.CODEC),
    ("streams: something new", Outcome.UNREACHABLE),
])
def test_errors(error: str, outcome: Outcome) -> None:
    assert judge(ProbeReply(error=error)).outcome == outcome


def test_an_h264_stream_is_reachable_and_lists_its_codecs() -> None:
    result = judge(ProbeReply(medias=("video, recvonly, H264", "audio, recvonly, PCMA, PCMU")))

    assert result.ok and result.codecs == ("H264", "PCMA", "PCMU")


@pytest.mark.parametrize("medias", [("video, recvonly, H265",), ("audio, recvonly, PCMA",), ()])
def test_video_a_browser_cannot_play_or_no_video_is_a_codec_warning(medias: tuple[str, ...]) -> None:
    assert judge(ProbeReply(medias=medias)).outcome == Outcome.CODEC


def test_a_lost_test_stream_is_not_reported_as_reachable() -> None:
    assert not judge(ProbeReply(found=False)).ok


@pytest.mark.parametrize(("source", "password", "result"), [
    ("rtsp://cam@10.0.0.5/s", "p:w@d/", "rtsp://cam:p%3Aw%40d%2F@10.0.0.5/s"),
    ("rtsp://cam:old@10.0.0.5:554/s?x=1", "new", "rtsp://cam:new@10.0.0.5:554/s?x=1"),
    ("rtsp://cam@10.0.0.5", "p", "rtsp://cam:p@10.0.0.5"),
    ("rtsp://cam:kept@10.0.0.5/s", "", "rtsp://cam:kept@10.0.0.5/s"),
])
def test_the_password_box_goes_into_the_user_part(source: str, password: str, result: str) -> None:
    assert with_password(source, password) == result
