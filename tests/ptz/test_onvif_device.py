"""The simulated ONVIF camera itself: WS-Security checks, mechanics, faults (raw SOAP, no client library)."""

from __future__ import annotations

import base64
import hashlib
import os
import time
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.onvif_device import NS, OnvifDevice, PTZMechanics, parse_duration
from tests.ptz.conftest import DEVICE_PASSWORD, DEVICE_USER

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
