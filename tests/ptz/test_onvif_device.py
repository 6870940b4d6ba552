"""The simulated ONVIF camera itself: WS-Security checks, mechanics, faults (raw SOAP, no client library)."""

from __future__ import annotations

import base64
import hashlib
import os
import re
import time
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import httpx
import pytest

from tests.ptz.conftest import DEVICE_PASSWORD, DEVICE_USER
from tests.support.onvif_device import NS, OnvifDevice, Preset, PTZMechanics, parse_duration

WSSE = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd"
WSU = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"


def token(password: str, *, digest: bool = True, created: datetime | None = None) -> str:
    created_text = (created or datetime.now(tz=UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    nonce = os.urandom(16)
    if digest:
        value = base64.b64encode(hashlib.sha1(nonce + created_text.encode() + password.encode()).digest()).decode()  # noqa: S324
        kind = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest"
    else:
        value = password
        kind = "http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordText"
    return (
        f'<s:Header><w:Security xmlns:w="{WSSE}" xmlns:u="{WSU}"><w:UsernameToken>'
        f"<w:Username>{DEVICE_USER}</w:Username><w:Password Type=\"{kind}\">{value}</w:Password>"
        f"<w:Nonce>{base64.b64encode(nonce).decode()}</w:Nonce><u:Created>{created_text}</u:Created>"
        "</w:UsernameToken></w:Security></s:Header>"
    )


def call(device: OnvifDevice, body: str, header: str = "", service: str = "ptz_service") -> httpx.Response:
    envelope = (
        f'<s:Envelope xmlns:s="{NS["env"]}" xmlns:p="{NS["tptz"]}" xmlns:d="{NS["tds"]}" xmlns:t="{NS["tt"]}">'
        f"{header}<s:Body>{body}</s:Body></s:Envelope>"
    )
    return httpx.post(f"http://{device.host}:{device.port}/onvif/{service}", content=envelope,
                      headers={"Content-Type": "application/soap+xml"})


STATUS = "<p:GetStatus><p:ProfileToken>profile_main</p:ProfileToken></p:GetStatus>"


def test_a_password_digest_is_accepted(device: OnvifDevice) -> None:
    response = call(device, STATUS, token(DEVICE_PASSWORD))

    assert response.status_code == 200
    assert "PTZStatus" in response.text and 'x="0.0"' in response.text


def test_a_plain_text_password_is_accepted_too(device: OnvifDevice) -> None:
    assert call(device, STATUS, token(DEVICE_PASSWORD, digest=False)).status_code == 200


@pytest.mark.parametrize(
    "header",
    [
        "",
        token("wrong"),
        token("wrong", digest=False),
        token(DEVICE_PASSWORD, created=datetime.now(tz=UTC) - timedelta(hours=1)),
    ],
    ids=["no-token", "wrong-digest", "wrong-text", "stale-created"],
)
def test_bad_credentials_get_a_not_authorized_fault(device: OnvifDevice, header: str) -> None:
    response = call(device, STATUS, header)

    assert response.status_code == 400
    assert "ter:NotAuthorized" in response.text and "Sender not Authorized" in response.text
    assert device.received("GetStatus")[0].authenticated is False


def test_the_clock_is_readable_without_credentials(device: OnvifDevice) -> None:
    response = call(device, "<d:GetSystemDateAndTime/>", service="device_service")

    assert response.status_code == 200 and "UTCDateTime" in response.text


def test_unknown_operations_are_not_supported(device: OnvifDevice) -> None:
    response = call(device, "<p:SetHomePosition><p:ProfileToken>profile_main</p:ProfileToken></p:SetHomePosition>",
                    token(DEVICE_PASSWORD))

    assert response.status_code == 500 and "ter:ActionNotSupported" in response.text


def test_vendor_prefixes_change_only_the_prefixes(make_device) -> None:  # type: ignore[no-untyped-def]
    device = make_device(vendor_prefixes=True)

    response = call(device, STATUS, token(DEVICE_PASSWORD))

    assert "<ns3:GetStatusResponse>" in response.text and f'xmlns:ns3="{NS["tptz"]}"' in response.text


def test_the_position_integrates_velocity_and_clamps() -> None:
    mechanics = PTZMechanics(speed=2.0)

    mechanics.continuous({"pan": 0.5, "zoom": 1.0}, timeout=None)
    time.sleep(0.2)
    position, moving = mechanics.snapshot()
    time.sleep(0.4)
    clamped, _ = mechanics.snapshot()

    assert position["pan"] == pytest.approx(0.2, abs=0.05) and moving == {"pan_tilt": True, "zoom": True}
    assert clamped["zoom"] == 1.0  # the top of its range


def test_a_move_ends_at_its_timeout_unless_the_device_ignores_it() -> None:
    honest, careless = PTZMechanics(), PTZMechanics(honour_timeout=False)

    for mechanics in (honest, careless):
        mechanics.continuous({"tilt": -0.5}, timeout=0.2)
    time.sleep(0.4)

    assert honest.snapshot()[0]["tilt"] == pytest.approx(-0.1, abs=0.02)
    assert not any(honest.snapshot()[1].values())
    assert careless.snapshot()[1]["pan_tilt"] is True


@pytest.mark.parametrize(("text", "seconds"), [("PT1S", 1), ("PT0.5S", 0.5), ("PT1M30S", 90), ("P1DT1H", 90000)])
def test_durations(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


# --- variants that real cameras show -------------------------------------------------------------

TIME = "<d:GetSystemDateAndTime/>"


def reply_time(response: httpx.Response, tag: str) -> datetime | None:
    """The date and time of a UTCDateTime or LocalDateTime element of a time reply."""
    found = re.search(
        rf"<tt:{tag}><tt:Time><tt:Hour>(\d+)</tt:Hour><tt:Minute>(\d+)</tt:Minute><tt:Second>(\d+)</tt:Second>"
        rf"</tt:Time><tt:Date><tt:Year>(\d+)</tt:Year><tt:Month>(\d+)</tt:Month><tt:Day>(\d+)</tt:Day>",
        response.text,
    )
    if found is None:
        return None
    hour, minute, second, year, month, day = map(int, found.groups())
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def test_the_time_query_may_need_a_login(make_device) -> None:  # type: ignore[no-untyped-def]
    device = make_device(time_needs_auth=True)

    anonymous = call(device, TIME, service="device_service")
    signed = call(device, TIME, token(DEVICE_PASSWORD), service="device_service")

    assert anonymous.status_code == 400 and "ter:NotAuthorized" in anonymous.text
    assert signed.status_code == 200 and "UTCDateTime" in signed.text


def test_every_reply_carries_the_device_clock_in_a_date_header(make_device) -> None:  # type: ignore[no-untyped-def]
    ahead, without = make_device(clock_offset=3600), make_device(http_date=False)

    refused = call(ahead, STATUS)  # a fault carries it too
    date = parsedate_to_datetime(refused.headers["Date"])

    assert refused.status_code == 400
    assert abs((date - datetime.now(tz=UTC)).total_seconds() - 3600) < 5
    assert "Date" not in call(without, TIME, service="device_service").headers


def test_a_time_reply_with_local_time_only(make_device) -> None:  # type: ignore[no-untyped-def]
    device = make_device(time_reply="local", time_zone="CET-1CEST,M3.5.0,M10.5.0/3", daylight_savings=True,
                         local_offset=7200)

    response = call(device, TIME, service="device_service")
    local = reply_time(response, "LocalDateTime")

    assert "UTCDateTime" not in response.text
    assert "<tt:TZ>CET-1CEST,M3.5.0,M10.5.0/3</tt:TZ>" in response.text
    assert "<tt:DaylightSavings>true</tt:DaylightSavings>" in response.text
    assert local is not None and abs((local - datetime.now(tz=UTC)).total_seconds() - 7200) < 5


def test_a_time_reply_without_any_time(make_device) -> None:  # type: ignore[no-untyped-def]
    response = call(make_device(time_reply="none"), TIME, service="device_service")

    assert response.status_code == 200 and "DateTime>" not in response.text.replace("DateTimeType>", "")


def test_a_time_reply_may_misstate_the_clock_it_checks_logins_with(make_device) -> None:  # type: ignore[no-untyped-def]
    device = make_device(reported_time_error=3600)

    said = reply_time(call(device, TIME, service="device_service"), "UTCDateTime")

    assert said is not None and abs((said - datetime.now(tz=UTC)).total_seconds() - 3600) < 5
    assert call(device, STATUS, token(DEVICE_PASSWORD)).status_code == 200  # its real clock is right
    late = datetime.now(tz=UTC) + timedelta(hours=1)
    assert call(device, STATUS, token(DEVICE_PASSWORD, created=late)).status_code == 400


@pytest.mark.parametrize(("refusal", "subcode"),
                         [("not_supported", "ter:ActionNotSupported"), ("refused", "ter:Action")])
def test_remove_preset_may_be_refused(make_device, refusal: str, subcode: str) -> None:  # type: ignore[no-untyped-def]
    device = make_device(remove_presets=refusal)
    device.presets["preset_1"] = Preset("preset_1", "Gate", {"pan": 0.0, "tilt": 0.0, "zoom": 0.0})

    response = call(device, "<p:RemovePreset><p:ProfileToken>profile_main</p:ProfileToken>"
                            "<p:PresetToken>preset_1</p:PresetToken></p:RemovePreset>", token(DEVICE_PASSWORD))

    assert response.status_code == 500 and f"<env:Value>{subcode}</env:Value>" in response.text
    assert list(device.presets) == ["preset_1"]


def test_service_addresses_may_name_another_host_and_port(make_device) -> None:  # type: ignore[no-untyped-def]
    device = make_device(advertised_host="192.0.2.10", advertised_port=8899)

    services = call(device, "<d:GetServices><d:IncludeCapability>false</d:IncludeCapability></d:GetServices>",
                    token(DEVICE_PASSWORD), service="device_service")
    capabilities = call(device, "<d:GetCapabilities/>", token(DEVICE_PASSWORD), service="device_service")

    for response in (services, capabilities):
        assert "http://192.0.2.10:8899/onvif/ptz_service" in response.text
        assert f":{device.port}/" not in response.text


GENERIC_POSITION = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/PositionGenericSpace"
DEGREES = "http://www.onvif.org/ver10/tptz/PanTiltSpaces/SphericalPositionSpaceDegrees"


def absolute(pan: float, tilt: float, space: str | None = None) -> str:
    named = f' space="{space}"' if space else ""
    return (f"<p:AbsoluteMove><p:ProfileToken>profile_main</p:ProfileToken><p:Position>"
            f'<t:PanTilt x="{pan}" y="{tilt}"{named}/></p:Position></p:AbsoluteMove>')


def test_several_spaces_with_the_generic_one_second(make_device) -> None:  # type: ignore[no-untyped-def]
    device = make_device(extra_spaces=True)
    options = call(device, "<p:GetConfigurationOptions><p:ConfigurationToken>ptz_config_1</p:ConfigurationToken>"
                           "</p:GetConfigurationOptions>", token(DEVICE_PASSWORD))

    call(device, absolute(90, -45), token(DEVICE_PASSWORD))  # no space named: its default, degrees
    in_degrees = device.position()
    call(device, absolute(0.25, 0.5, GENERIC_POSITION), token(DEVICE_PASSWORD))
    status = call(device, STATUS, token(DEVICE_PASSWORD))
    unknown = call(device, absolute(0, 0, "http://example.com/NoSuchSpace"), token(DEVICE_PASSWORD))

    uris = re.findall(r"<tt:AbsolutePanTiltPositionSpace><tt:URI>([^<]+)</tt:URI>", options.text)
    assert uris == [DEGREES, GENERIC_POSITION]
    assert in_degrees == pytest.approx({"pan": 0.5, "tilt": -0.5, "zoom": 0.0})
    assert device.position() == pytest.approx({"pan": 0.25, "tilt": 0.5, "zoom": 0.0})
    assert f'x="45.0" y="45.0" space="{DEGREES}"' in status.text  # reported in its default space
    assert unknown.status_code == 400 and "SpaceNotSupported" in unknown.text
    assert device.received("AbsoluteMove")[1].params["PositionSpaces"] == {"PanTilt": GENERIC_POSITION}
