"""Relay filtering and stream naming: what may cross, and what never does."""

import json
import uuid
from typing import Any

import pytest

from cameras.streams import desired_streams, is_portal_stream, stream_name
from signaling.relay import RelayRefused, client_to_gateway, explain_gateway_error, gateway_to_client


@pytest.mark.parametrize("kind", ["webrtc/offer", "webrtc/candidate", "mse"])
def test_allowed_client_messages_pass_with_only_type_and_value(kind: str) -> None:
    sent = client_to_gateway(json.dumps({"type": kind, "value": "v=0", "src": "other-stream", "extra": 1}))
    assert json.loads(sent) == {"type": kind, "value": "v=0"}


@pytest.mark.parametrize(
    "frame",
    [
        json.dumps({"type": "webrtc/answer", "value": "x"}),  # only the gateway answers
        json.dumps({"type": "mjpeg"}),
        json.dumps({"type": "hls", "value": ""}),
        json.dumps({"type": "mp4", "value": ""}),
        json.dumps({"type": "webrtc", "value": "x"}),
        json.dumps({"type": "webrtc/offer", "value": {"sdp": "x"}}),
        json.dumps(["webrtc/offer"]),
        "not json",
        json.dumps({"type": "webrtc/offer", "value": "a" * 70_000}),
    ],
)
def test_other_client_messages_are_refused(frame: str) -> None:
    with pytest.raises(RelayRefused):
        client_to_gateway(frame)


def test_gateway_answer_and_candidates_reach_the_client() -> None:
    for kind in ("webrtc/answer", "webrtc/candidate", "mse"):
        assert json.loads(gateway_to_client(json.dumps({"type": kind, "value": "x"}))) == {"type": kind, "value": "x"}


def test_unknown_gateway_messages_are_dropped() -> None:
    assert gateway_to_client(json.dumps({"type": "debug", "value": "rtsp://a:b@c"})) is None
    assert gateway_to_client("garbage") is None


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("webrtc/offer: stream not found", "stream_unavailable"),
        ("webrtc/offer: streams: codecs not matched: video:H265 => video:H264", "codec_mismatch"),
        ("webrtc/offer: streams: dial tcp rtsp://admin:Secret@10.0.0.9:554/live: i/o timeout", "camera_unreachable"),
    ],
)
def test_gateway_errors_become_fixed_sentences_without_the_source(raw: str, code: str) -> None:
    relayed = json.loads(gateway_to_client(json.dumps({"type": "error", "value": raw})))
    assert relayed["value"].startswith(code)
    assert "Secret" not in relayed["value"] and "10.0.0.9" not in relayed["value"]
    assert explain_gateway_error(raw).startswith(code)


def test_stream_names_come_from_the_public_id_and_the_server_key_only(settings: Any) -> None:
    public_id = uuid.UUID("12345678-1234-5678-1234-567812345678")
    settings.CCTV_STREAM_NAME_KEY = "test key"
    # Pinned: a change of the construction renames every stream of every deployment.
    assert stream_name(public_id) == "cam-662c6e905f6f0ab0a67f2c07104120b24ff4969c-main"
    assert stream_name(public_id, "sub") == "cam-662c6e905f6f0ab0a67f2c07104120b24ff4969c-sub"
    assert is_portal_stream(stream_name(public_id, "sub"))
    assert not is_portal_stream("front door")
    with pytest.raises(ValueError):
        stream_name(public_id, "../other")


def test_desired_streams_skip_a_missing_sub_stream() -> None:
    public_id = uuid.uuid4()
    assert [s.name for s in desired_streams(public_id, "rtsp://a/1")] == [stream_name(public_id)]
    assert len(desired_streams(public_id, "rtsp://a/1", "rtsp://a/2")) == 2
