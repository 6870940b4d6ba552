"""The signaling relay, end to end: aiortc -> Daphne (portal) -> go2rtc -> camera."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from accounts.roles import Role
from cameras import services, sync
from cameras.streams import stream_name
from tests.support.factories import make_member, make_organization, make_site, make_user
from tests.support.waiting import wait_until
from tests.support.webrtc_peer import watch

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def live_camera(gateway_row, camera_sim):  # type: ignore[no-untyped-def]
    org = make_organization("Live Org")
    admin, viewer = make_user(), make_user()
    make_member(admin, org, Role.ADMIN)
    make_member(viewer, org, Role.VIEWER)
    site = make_site(org, "Yard")
    camera = services.create_camera(admin, site, name="Gate", main_source=camera_sim.source("cam1"))
    sync.push_camera(camera)
    return camera, viewer


def _headers(daphne, cookie: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {"Origin": daphne.http_url, "Cookie": cookie}


def test_viewer_decodes_real_frames_through_the_portal(live_camera, daphne, session_cookie) -> None:  # type: ignore[no-untyped-def]
    camera, viewer = live_camera
    url = f"{daphne.ws_url}/ws/cameras/{camera.public_id}/live/"
    result = asyncio.run(watch(url, headers=_headers(daphne, session_cookie(viewer)), frames=5))
    assert (result.width, result.height) == (640, 360)
    assert result.frames == 5


def test_outsider_is_refused_before_any_upstream_connection(live_camera, daphne, session_cookie, gateway_process):  # type: ignore[no-untyped-def]
    camera, _ = live_camera
    outsider = make_user()
    make_member(outsider, make_organization("Other Org"), Role.OWNER)
    url = f"{daphne.ws_url}/ws/cameras/{camera.public_id}/live/"
    headers = _headers(daphne, session_cookie(outsider))

    async def attempt() -> int | None:
        try:
            async with connect(url, additional_headers=headers) as ws:
                await ws.recv()
        except InvalidStatus as exc:
            return exc.response.status_code
        except ConnectionClosed as exc:
            return exc.rcvd.code if exc.rcvd else None
        return None

    refusal = asyncio.run(attempt())
    assert refusal == 4404  # accepted at once (browsers open sockets one at a time), then closed as not found
    name = stream_name(camera.public_id)
    assert gateway_process.consumers(name) == 0
    assert not gateway_process.producer_started(name)


def test_foreign_origin_is_refused(live_camera, daphne, session_cookie) -> None:  # type: ignore[no-untyped-def]
    camera, viewer = live_camera
    url = f"{daphne.ws_url}/ws/cameras/{camera.public_id}/live/"
    headers = {"Origin": "https://evil.example", "Cookie": session_cookie(viewer)}

    async def attempt() -> int:
        with pytest.raises(InvalidStatus) as caught:
            async with connect(url, additional_headers=headers):
                pass
        return caught.value.response.status_code

    assert asyncio.run(attempt()) == 403


def test_unknown_stream_becomes_a_clear_error(live_camera, daphne, session_cookie, gateway_process) -> None:  # type: ignore[no-untyped-def]
    camera, viewer = live_camera
    sync.remove_camera_streams(camera.gateway, camera.public_id)
    wait_until(lambda: stream_name(camera.public_id) not in gateway_process.stream_names(), timeout=5)
    url = f"{daphne.ws_url}/ws/cameras/{camera.public_id}/live/"
    from tests.support.webrtc_peer import SignalingError

    with pytest.raises(SignalingError, match="stream_unavailable"):
        asyncio.run(watch(url, headers=_headers(daphne, session_cookie(viewer)), timeout=10))


def test_live_session_is_audited_with_start_and_end(live_camera, daphne, session_cookie) -> None:  # type: ignore[no-untyped-def]
    from accounts.models import AuditEvent

    camera, viewer = live_camera
    url = f"{daphne.ws_url}/ws/cameras/{camera.public_id}/live/"
    asyncio.run(watch(url, headers=_headers(daphne, session_cookie(viewer)), frames=2))
    wait_until(lambda: AuditEvent.objects.filter(actor=viewer, action="live.end").exists(), timeout=5)
    start = AuditEvent.objects.get(actor=viewer, action="live.start")
    end = AuditEvent.objects.get(actor=viewer, action="live.end")
    assert start.detail["camera"] == end.detail["camera"] == str(camera.public_id)
    assert start.organization_id == camera.site.organization_id
    assert start.created_at <= end.created_at


def test_unreachable_gateway_is_a_clear_refusal_that_is_audited_and_frees_its_slot(  # type: ignore[no-untyped-def]
    live_camera, daphne, session_cookie
) -> None:
    from accounts.models import AuditEvent
    from cameras.models import Gateway
    from tests.live.conftest import LIVE_SESSION_CAP
    from tests.support.services import free_port

    camera, viewer = live_camera
    Gateway.objects.filter(pk=camera.gateway_id).update(api_url=f"http://127.0.0.1:{free_port()}")
    url = f"{daphne.ws_url}/ws/cameras/{camera.public_id}/live/"
    headers = _headers(daphne, session_cookie(viewer))

    async def attempt() -> tuple[str, int | None]:
        async with connect(url, additional_headers=headers) as ws:
            message = await ws.recv()
            try:
                await ws.recv()
            except ConnectionClosed as closed:
                return str(message), closed.rcvd.code if closed.rcvd else None
        return str(message), None

    # More attempts than the cap: each one's slot must be given back.
    outcomes = [asyncio.run(attempt()) for _ in range(LIVE_SESSION_CAP + 2)]
    assert all("gateway_unreachable" in message and code == 4502 for message, code in outcomes), outcomes
    wait_until(
        lambda: AuditEvent.objects.filter(actor=viewer, action="live.end").count() == len(outcomes), timeout=5
    )
    ends = AuditEvent.objects.filter(actor=viewer, action="live.end")
    assert {end.detail["close_code"] for end in ends} == {4502}
    assert AuditEvent.objects.filter(actor=viewer, action="live.start").count() == len(outcomes)


def test_a_silent_gateway_holds_up_only_its_own_viewers(live_camera, daphne, session_cookie) -> None:  # type: ignore[no-untyped-def]
    """Sessions stuck dialing a gateway that never answers must not hold the connect admission."""
    import socket
    import threading

    from cameras.models import Camera, Gateway
    from signaling.consumers import CONNECTS_IN_FLIGHT

    camera, viewer = live_camera
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    accepted: list[socket.socket] = []

    def accept_and_say_nothing() -> None:
        with contextlib.suppress(OSError):
            while True:
                accepted.append(silent.accept()[0])

    threading.Thread(target=accept_and_say_nothing, daemon=True).start()
    (dead,) = Gateway.objects.bulk_create([Gateway(  # bulk: no sync task for a gateway that cannot answer
        name="silent", api_url=f"http://127.0.0.1:{silent.getsockname()[1]}", rtsp_url="rtsp://127.0.0.1:9"
    )])
    stuck_camera = services.create_camera(
        camera.site.organization.memberships.get(role=Role.ADMIN).user, camera.site, name="Stuck",
        main_source=camera.main_source,
    )
    Camera.objects.filter(pk=stuck_camera.pk).update(gateway=dead)
    # The per-user cap is small in these tests: the stuck sessions come from several people.
    stuck_viewers = [make_user() for _ in range(2)]
    for person in stuck_viewers:
        make_member(person, camera.site.organization, Role.VIEWER)
    stuck_url = f"{daphne.ws_url}/ws/cameras/{stuck_camera.public_id}/live/"
    live_url = f"{daphne.ws_url}/ws/cameras/{camera.public_id}/live/"
    cookies = [session_cookie(person) for person in stuck_viewers]
    viewer_headers = _headers(daphne, session_cookie(viewer))
    per_person = CONNECTS_IN_FLIGHT // len(stuck_viewers)

    async def scenario() -> tuple[int, list[bool]]:
        async def stuck(cookie: str) -> None:
            with contextlib.suppress(Exception):
                async with connect(stuck_url, additional_headers=_headers(daphne, cookie), open_timeout=30) as ws:
                    await ws.recv()

        pending = [asyncio.create_task(stuck(c)) for c in cookies for _ in range(per_person)]
        while len(accepted) < len(pending):  # every one of them is in its dial now
            await asyncio.sleep(0.05)
        result = await watch(live_url, headers=viewer_headers, frames=1, timeout=30)
        still_stuck = [not task.done() for task in pending]
        await asyncio.gather(*pending)
        return result.width, still_stuck

    try:
        width, still_stuck = asyncio.run(scenario())
    finally:
        silent.close()
        for conn in accepted:
            conn.close()
    assert width == 640
    assert len(still_stuck) == CONNECTS_IN_FLIGHT and all(still_stuck)


def test_sessions_over_the_per_user_cap_are_refused_with_a_message(live_camera, daphne, session_cookie) -> None:  # type: ignore[no-untyped-def]
    from tests.live.conftest import LIVE_SESSION_CAP

    camera, viewer = live_camera
    url = f"{daphne.ws_url}/ws/cameras/{camera.public_id}/live/"
    headers = _headers(daphne, session_cookie(viewer))

    async def scenario() -> tuple[str, int | None]:
        held = [await connect(url, additional_headers=headers) for _ in range(LIVE_SESSION_CAP)]
        try:
            async with connect(url, additional_headers=headers) as extra:
                message = await extra.recv()
                try:
                    await extra.recv()
                except ConnectionClosed as closed:
                    return message, closed.rcvd.code if closed.rcvd else None
                return message, None
        finally:
            for ws in held:
                await ws.close()

    message, code = asyncio.run(scenario())
    assert "too_many_sessions" in message
    assert code == 4429
    # Closing frees the slots: a new session works again.
    result = asyncio.run(watch(url, headers=headers, frames=1))
    assert result.width == 640


def test_quiet_sessions_keep_their_slot_past_the_cap_ttl(live_camera, daphne, session_cookie) -> None:  # type: ignore[no-untyped-def]
    """Once WebRTC media flows the socket is silent; the slot must still be renewed on a timer."""
    from tests.live.conftest import LIVE_HEARTBEAT_SECONDS, LIVE_SESSION_CAP

    camera, viewer = live_camera
    url = f"{daphne.ws_url}/ws/cameras/{camera.public_id}/live/"
    headers = _headers(daphne, session_cookie(viewer))

    async def scenario() -> str:
        held = [await connect(url, additional_headers=headers) for _ in range(LIVE_SESSION_CAP)]
        try:
            await asyncio.sleep(LIVE_HEARTBEAT_SECONDS * 5)  # beyond the slots' 3-heartbeat lifetime
            async with connect(url, additional_headers=headers) as extra:
                return await extra.recv()
        finally:
            for ws in held:
                await ws.close()

    assert "too_many_sessions" in asyncio.run(scenario())


def test_removing_a_member_ends_their_open_live_view(live_camera, daphne, session_cookie) -> None:  # type: ignore[no-untyped-def]
    from accounts.models import Membership

    camera, viewer = live_camera
    url = f"{daphne.ws_url}/ws/cameras/{camera.public_id}/live/"
    headers = _headers(daphne, session_cookie(viewer))

    async def scenario() -> tuple[str, int | None]:
        async with connect(url, additional_headers=headers) as ws:
            await asyncio.sleep(0.5)
            await asyncio.to_thread(Membership.objects.filter(user=viewer).delete)
            message = await asyncio.wait_for(ws.recv(), timeout=15)
            try:
                await asyncio.wait_for(ws.recv(), timeout=5)
            except ConnectionClosed as closed:
                return message, closed.rcvd.code if closed.rcvd else None
            return message, None

    message, code = asyncio.run(scenario())
    assert "access_revoked" in message
    assert code == 4404
