"""The two-factor rule on real sockets: Daphne, the Redis channel layer, go2rtc and a simulated camera.

Regression (issue 10): a member of an organization that requires MFA, signed
in with a password only, watched live video and received motion alerts over
the sockets although every page sent them to set up MFA.
"""

from __future__ import annotations

import asyncio

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from accounts.models import AuditEvent
from accounts.roles import Role
from cameras import services, sync
from cameras.streams import stream_name
from signaling.protocol import CloseCode
from tests.support.factories import make_member, make_organization, make_site, make_user
from tests.support.webrtc_peer import watch

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def strict_camera(gateway_row, camera_sim):  # type: ignore[no-untyped-def]
    organization = make_organization("Strict Org")
    admin, member = make_user(), make_user()
    make_member(admin, organization, Role.ADMIN)
    TOTP.activate(admin, generate_totp_secret())
    make_member(member, organization, Role.VIEWER)
    camera = services.create_camera(admin, make_site(organization, "Yard"), name="Gate",
                                    main_source=camera_sim.source("cam1"))
    sync.push_camera(camera)
    organization.require_mfa = True
    organization.save()
    return camera, member


async def _refusal(url: str, headers: dict[str, str]) -> int | None:
    """The HTTP status of a refused handshake, the close code of an accepted-then-closed
    socket, or None for a socket that stayed open."""
    try:
        async with connect(url, additional_headers=headers) as ws:
            await asyncio.wait_for(ws.recv(), timeout=5)
    except InvalidStatus as exc:
        return exc.response.status_code
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else None
    except TimeoutError:
        return None
    return None


def test_live_view_is_refused_before_the_gateway_is_dialled(  # type: ignore[no-untyped-def]
    strict_camera, daphne, session_cookie, gateway_process
) -> None:
    camera, member = strict_camera
    headers = {"Origin": daphne.http_url, "Cookie": session_cookie(member)}

    refusal = asyncio.run(_refusal(f"{daphne.ws_url}/ws/cameras/{camera.public_id}/live/", headers))

    assert refusal == CloseCode.MFA_REQUIRED  # accepted at once, then closed with the rule's own code
    name = stream_name(camera.public_id)
    assert gateway_process.consumers(name) == 0
    assert not gateway_process.producer_started(name)
    assert not AuditEvent.objects.filter(actor=member, action__startswith="live.").exists()


def test_event_stream_is_refused(strict_camera, daphne, session_cookie) -> None:  # type: ignore[no-untyped-def]
    _, member = strict_camera
    headers = {"Origin": daphne.http_url, "Cookie": session_cookie(member)}

    assert asyncio.run(_refusal(f"{daphne.ws_url}/ws/events/", headers)) == 403


def test_the_same_member_watches_once_the_app_is_set_up(strict_camera, daphne, session_cookie) -> None:  # type: ignore[no-untyped-def]
    camera, member = strict_camera
    TOTP.activate(member, generate_totp_secret())
    headers = {"Origin": daphne.http_url, "Cookie": session_cookie(member)}

    result = asyncio.run(watch(f"{daphne.ws_url}/ws/cameras/{camera.public_id}/live/", headers=headers, frames=2))

    assert result.frames == 2
