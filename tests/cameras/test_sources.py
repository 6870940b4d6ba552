"""The source allow-list, masking and scrubbing, as pure functions."""

import logging
from collections.abc import Callable
from ipaddress import ip_address

import pytest
from django.core.exceptions import ValidationError

from cameras.hosts import Forbidden
from cameras.sources import CredentialScrubFilter, gateway_path, mask_source, names_a_stream, scrub, validate_source

GATEWAYS = Forbidden(names=frozenset({"gateway.internal", "10.0.0.2"}), addresses=frozenset({ip_address("10.0.0.2")}))
LAN_NAMES = {"camera-7.site.lan": ["192.168.7.7"], "cam.lan": ["192.168.1.9"]}

HOSTILE_SOURCES = [
    ("exec:ffmpeg -i x", "whitespace"),
    ("exec:/bin/sh", "scheme"),
    ("echo:/bin/cat", "scheme"),
    ("expr:fetch('http://x')", "scheme"),
    ("ffmpeg:rtsp://192.168.1.5/x", "scheme"),
    ("ffmpeg:virtual?video=testsrc", "scheme"),
    ("v4l2:device?video=/dev/video0", "scheme"),
    ("alsa:device?audio=0", "scheme"),
    ("http://192.168.1.5/snapshot.jpg", "scheme"),
    ("rtmp://192.168.1.5/live", "scheme"),
    ("file:///etc/passwd", "scheme"),
    ("/dev/video0", "scheme"),
    ("camera-stream", "scheme"),
    ("rtsp:192.168.1.5/x", "format"),
    ("rtsp://192.168.1.5/x#backchannel=1", "fragment"),
    ("rtsp://192.168.1.5/x#raw=-y", "fragment"),
    ("rtsp://192.168.1.5/a b", "whitespace"),
    ("rtsp://192.168.1.5/a\nb", "whitespace"),
    ("rtsp://192.168.1.5/a\tb", "whitespace"),
    ("rtsp://192.168.1.5/a\x00b", "characters"),
    ("rtsp://192.168.1.5/a\x7fb", "characters"),
    ("rtsp://192.168.1.5/caméra", "characters"),
    ("rtsp://192.168.1.5/" + "a" * 2000, "too_long"),
    ("rtsp://127.0.0.1:8554/other-tenant-stream", "loopback"),
    ("rtsp://127.1.2.3/x", "loopback"),
    ("rtsp://localhost/x", "loopback"),
    ("rtsp://cam.localhost/x", "loopback"),
    ("rtsp://[::1]/x", "loopback"),
    ("rtsp://[::ffff:127.0.0.1]/x", "loopback"),
    ("rtsp://0.0.0.0/x", "unspecified"),
    ("rtsp://2130706433/x", "loopback"),
    ("rtsp://0x7f.1/x", "loopback"),
    ("rtsp://224.1.1.1/x", "multicast"),
    ("rtsp://169.254.169.254/latest", "link_local"),
    ("rtsp://255.255.255.255/x", "reserved"),
    ("rtsp://gateway.internal:8554/cam", "gateway"),
    ("rtsp://GATEWAY.internal/cam", "gateway"),
    ("rtsp://10.0.0.2:1984/api/streams", "gateway"),
    ("rtsp:///no-host", "host"),
    ("rtsp://no-such-camera.lan/x", "unresolved"),
    ("rtsp://192.168.1.5/cam-0123456789abcdef0123456789abcdef-main", "gateway"),
    ("rtsp://192.168.1.5:99999/x", "format"),
    ("rtsp://192.168.1.5:0/x", "format"),
    ("", "required"),
]

GOOD_SOURCES = [
    "rtsp://192.168.1.64:554/Streaming/Channels/101",
    "rtsp://admin:p%40ss@10.1.2.3/cam/realmonitor?channel=1&subtype=0",
    "rtsps://172.16.5.9:322/stream",
    "rtsp://camera-7.site.lan/live",
    "rtsp://[fd00::12]:554/live",
    "RTSP://192.168.1.64/x",
]


@pytest.fixture(autouse=True)
def _lan_dns(fake_dns: Callable[[dict[str, list[str]]], None]) -> None:
    fake_dns(LAN_NAMES)


@pytest.mark.parametrize(("source", "code"), HOSTILE_SOURCES)
def test_hostile_source_is_refused_with_a_reason(source: str, code: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_source(source, forbidden=GATEWAYS)
    assert caught.value.code == code
    assert caught.value.message  # a sentence a person can read


@pytest.mark.parametrize("source", GOOD_SOURCES)
def test_network_camera_source_is_accepted(source: str) -> None:
    assert validate_source(source, forbidden=GATEWAYS).startswith(("rtsp://", "rtsps://"))


def test_error_message_never_repeats_the_password() -> None:
    with pytest.raises(ValidationError) as caught:
        validate_source("rtsp://admin:Hunter2Secret@127.0.0.1/x")
    assert "Hunter2Secret" not in str(caught.value)


def test_scheme_is_normalised_and_host_lowercased() -> None:
    assert validate_source("RTSP://user:PwD@Cam.LAN.:554/Path") == "rtsp://user:PwD@cam.lan:554/Path"


def test_operator_allowed_host_bypasses_loopback_rule_only_for_that_port() -> None:
    allowed = ["127.0.0.1:18554"]
    assert validate_source("rtsp://127.0.0.1:18554/demo1", extra_allowed=allowed)
    with pytest.raises(ValidationError):
        validate_source("rtsp://127.0.0.1:1984/demo1", extra_allowed=allowed)


def test_allowed_host_does_not_relax_scheme_or_fragment_rules() -> None:
    with pytest.raises(ValidationError):
        validate_source("ffmpeg:rtsp://127.0.0.1:18554/x", extra_allowed=["127.0.0.1:18554"])
    with pytest.raises(ValidationError):
        validate_source("rtsp://127.0.0.1:18554/x#raw=-y", extra_allowed=["127.0.0.1:18554"])


def test_an_rtsps_source_without_a_port_is_checked_on_the_port_go2rtc_dials() -> None:
    """go2rtc dials 554 for rtsps:// too: an entry for 322 must not let such a source reach 554."""
    with pytest.raises(ValidationError):
        validate_source("rtsps://127.0.0.1/x", extra_allowed=["127.0.0.1:322"])
    assert validate_source("rtsps://127.0.0.1/x", extra_allowed=["127.0.0.1:554"])


def test_mask_hides_userinfo_and_secret_query_values() -> None:
    masked = mask_source("rtsp://admin:Hunter2@10.0.0.9:554/live?channel=1&password=Hunter2")
    assert "Hunter2" not in masked
    assert "admin" not in masked
    assert masked.startswith("rtsp://***@10.0.0.9:554/live?channel=1")


def test_mask_of_source_without_credentials_is_unchanged() -> None:
    assert mask_source("rtsp://10.0.0.9/live") == "rtsp://10.0.0.9/live"


def test_scrub_masks_credentials_in_free_text() -> None:
    text = "could not open rtsp://admin:Hunter2@10.0.0.9/live?pwd=Hunter2 (timeout)"
    assert "Hunter2" not in scrub(text)
    assert "10.0.0.9/live" in scrub(text)


def test_scrub_masks_percent_encoded_sources_in_query_strings() -> None:
    text = "PATCH /api/streams?name=x&src=rtsp%3A%2F%2Fadmin%3AHunter2%4010.0.0.9%2Flive"
    assert "Hunter2" not in scrub(text)
    assert "10.0.0.9" in scrub(text)


def test_log_filter_scrubs_formatted_messages() -> None:
    record = logging.LogRecord("x", logging.WARNING, __file__, 1, "dial %s failed", ("rtsp://u:Hunter2@h/x",), None)
    CredentialScrubFilter().filter(record)
    assert "Hunter2" not in record.getMessage()


# go2rtc aliases a source to a stream when the source's path, decoded as Go's
# url.Parse decodes it, equals the stream's name (cameras.streams makes them).
VICTIM_HEX = "0123456789abcdef0123456789abcdef"
NEW_NAME = "cam-" + "ab12" * 10 + "-main"
ALIAS_SOURCES = [
    f"rtsp://192.168.1.5/%63am-{VICTIM_HEX}-main",
    f"rtsp://192.168.1.5/%63%61%6d-{VICTIM_HEX}-main",
    f"rtsp://192.168.1.5/cam%2D{VICTIM_HEX}%2Dsub",
    f"rtsp://192.168.1.5/cam-{VICTIM_HEX}-main?channel=1",
    f"rtsp://192.168.1.5/CAM-{VICTIM_HEX.upper()}-MAIN",
    f"rtsp://192.168.1.5//cam-{VICTIM_HEX}-main",
    f"rtsp://192.168.1.5/%2Fcam-{VICTIM_HEX}-main",
    f"RTSP://user:pw@192.168.1.5:554/%63am-{VICTIM_HEX}-main",
    f"rtsps://192.168.1.5/%63am-{VICTIM_HEX}-main",
    f"rtsp://192.168.1.5/{NEW_NAME}",
    f"rtsp://192.168.1.5/%63am-{NEW_NAME[4:]}",
    "rtsp://192.168.1.5/cam-0-main",
]


@pytest.mark.parametrize("source", ALIAS_SOURCES)
def test_a_path_naming_a_gateway_stream_is_refused_however_it_is_spelled(source: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_source(source)

    assert caught.value.code in {"gateway", "encoding"}
    assert "192.168.1.5" not in caught.value.message and "pw" not in caught.value.message


@pytest.mark.parametrize(
    "source",
    ["rtsp://192.168.1.5/a%zzb", "rtsp://192.168.1.5/a%4", "rtsp://192.168.1.5/a%00b", "rtsp://192.168.1.5/x%7f"],
)
def test_broken_or_control_escapes_in_the_path_are_refused(source: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_source(source)

    assert caught.value.code in {"format", "encoding"}


@pytest.mark.parametrize(
    "source",
    [
        "rtsp://192.168.1.64:554/Streaming/Channels/101",
        "rtsp://admin:p%40ss@10.1.2.3/cam/realmonitor?channel=1&subtype=0",
        "rtsp://10.1.2.3:554/h264Preview_01_main",
        "rtsp://10.1.2.3/live/ch00_0",
        "rtsp://10.1.2.3/Streaming/Channels/101?transportmode=unicast&profile=Profile_1",
        "rtsp://10.1.2.3/user=admin_password=x_channel=1_stream=0.sdp",
        "rtsp://10.1.2.3/cam/main%20stream",
        "rtsp://10.1.2.3/camera-main",
        "rtsp://10.1.2.3/cam-1/main",
    ],
)
def test_real_camera_paths_keep_working(source: str) -> None:
    assert validate_source(source) == source


def test_the_path_is_read_as_go2rtc_reads_it() -> None:
    """Expected values printed by Go 1.26's url.Parse(...).Path for the same strings."""
    assert gateway_path("rtsp://h/%63am-x-main") == "/cam-x-main"
    assert gateway_path("rtsp://h//cam-x-main") == "//cam-x-main"
    assert gateway_path("rtsp://h/cam-x-main?%2F") == "/cam-x-main"
    assert gateway_path("rtsp://u:p@h:554/cam%2Fx") == "/cam/x"
    assert gateway_path("rtsp:/cam-x-main") == "/cam-x-main"
    assert gateway_path("rtsp:cam-x-main") == ""
    assert gateway_path("rtsp://h?x/cam") == ""
    assert gateway_path("rtsp://h/a+b%20c") == "/a+b c"
    assert gateway_path("rtsp://[fe80::1%25lo]/cam") == "/cam"
    with pytest.raises(ValueError):
        gateway_path("rtsp://h/%zz")


def test_a_source_that_go2rtc_would_alias_names_the_stream() -> None:
    names = ["cam-abc-main", "front-door"]

    assert names_a_stream("rtsp://10.0.0.9/%63am-abc-main", names) == "cam-abc-main"
    assert names_a_stream("rtsp://10.0.0.9/front-door?x=1", names) == "front-door"
    assert names_a_stream("front-door", names) == "front-door"
    assert names_a_stream("rtsp://10.0.0.9/front-door/1", names) is None
    assert names_a_stream("rtsp://10.0.0.9/live", names) is None
