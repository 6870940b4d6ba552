"""Gateway stream names, built by the server from a camera's public id only.

No tenant text ever reaches a go2rtc stream name, so a name cannot collide
with, or be steered towards, another tenant's stream.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

STREAM_NAME_RE = re.compile(r"^cam-[0-9a-f]{32}-(main|sub)$")


def stream_name(public_id: uuid.UUID, variant: str = "main") -> str:
    if variant not in ("main", "sub"):
        raise ValueError(f"unknown stream variant {variant!r}")
    return f"cam-{public_id.hex}-{variant}"


def is_portal_stream(name: str) -> bool:
    return bool(STREAM_NAME_RE.match(name))


@dataclass(frozen=True)
class StreamSpec:
    """One stream a gateway should carry: name and the single source behind it."""

    name: str
    source: str


def desired_streams(public_id: uuid.UUID, main_source: str, sub_source: str = "") -> list[StreamSpec]:
    specs = [StreamSpec(stream_name(public_id, "main"), main_source)]
    if sub_source:
        specs.append(StreamSpec(stream_name(public_id, "sub"), sub_source))
    return specs
