"""A headless WebRTC viewer (aiortc) that signals over go2rtc's WebSocket protocol.

Used by the integration tests and the benchmarks, through the portal's relay
or straight to go2rtc, so both paths are measured by the same code.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass

from aiortc import RTCConfiguration, RTCPeerConnection, RTCSessionDescription
from websockets.asyncio.client import connect


class SignalingError(Exception):
    """The other side answered with an error or closed the socket."""


@dataclass
class ViewResult:
    offer_to_answer: float
    request_to_first_frame: float
    width: int
    height: int
    frames: int


async def prepared_offer() -> str:
    """A recvonly video offer's SDP, made once and sent many times by the signaling benchmarks."""
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("video", direction="recvonly")
    await pc.setLocalDescription(await pc.createOffer())
    sdp = pc.localDescription.sdp
    await pc.close()
    return sdp


async def await_answer(ws) -> str:  # type: ignore[no-untyped-def]
    async for raw in ws:
        if isinstance(raw, bytes):
            continue
        message = json.loads(raw)
        if message.get("type") == "webrtc/answer":
            return message["value"]
        if message.get("type") == "error":
            raise SignalingError(message.get("value", ""))
    raise SignalingError(f"socket closed before an answer (code {ws.close_code})")


async def watch(url: str, *, headers: dict[str, str] | None = None, frames: int = 3, timeout: float = 20) -> ViewResult:
    """Open the stream at ``url``, decode ``frames`` frames, and report timings."""
    started = time.perf_counter()
    pc = RTCPeerConnection(RTCConfiguration(iceServers=[]))
    pc.addTransceiver("video", direction="recvonly")
    try:
        async with asyncio.timeout(timeout):
            async with connect(url, additional_headers=headers or {}, open_timeout=timeout) as ws:
                await pc.setLocalDescription(await pc.createOffer())
                sent = time.perf_counter()
                await ws.send(json.dumps({"type": "webrtc/offer", "value": pc.localDescription.sdp}))
                answer = await await_answer(ws)
                answered = time.perf_counter()
                await pc.setRemoteDescription(RTCSessionDescription(sdp=answer, type="answer"))
                track = next(t.receiver.track for t in pc.getTransceivers() if t.kind == "video")
                first = await track.recv()
                first_at = time.perf_counter()
                for _ in range(frames - 1):
                    await track.recv()
        return ViewResult(answered - sent, first_at - started, first.width, first.height, frames)
    finally:
        await pc.close()
