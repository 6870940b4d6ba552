"""Gateway stream names, built by the server alone.

A name is ``cam-<40 hex>-main|sub`` where the hex is a keyed HMAC of the
camera's public id with ``CCTV_STREAM_NAME_KEY``: no tenant text reaches a
name, and nothing a tenant sees (public ids are in URLs, alert links and
webhook bodies) lets anyone compute one. That matters because go2rtc turns
a source whose path equals an existing stream name into an alias of that
stream; with unguessable names even a future gap in source validation has
no known stream to aim at.

Names of the earlier scheme (``cam-<public id hex>-...``) still count as the
portal's, so the reconcile removes them and the new names take their place.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import uuid
from dataclasses import dataclass

from django.conf import settings

VARIANTS = ("main", "sub")
NAME_HEX_LENGTH = 40
LEGACY_HEX_LENGTH = 32
STREAM_NAME_RE = re.compile(rf"^cam-(?:[0-9a-f]{{{NAME_HEX_LENGTH}}}|[0-9a-f]{{{LEGACY_HEX_LENGTH}}})-(?:main|sub)$")
# What validation refuses as a source path: anything shaped like a portal
# name, in any case and hex length, so no variant can come close to one.
_NAME_SHAPE_RE = re.compile(r"^cam-[0-9a-f]+-(?:main|sub)$", re.IGNORECASE)


def _check_variant(variant: str) -> None:
    if variant not in VARIANTS:
        raise ValueError(f"unknown stream variant {variant!r}")


def stream_name(public_id: uuid.UUID, variant: str = "main") -> str:
    """The gateway's name for one stream of a camera; the only place names are made."""
    _check_variant(variant)
    key = settings.CCTV_STREAM_NAME_KEY.encode()
    digest = hmac.new(key, b"cctv-stream:" + public_id.bytes, hashlib.sha256).hexdigest()
    return f"cam-{digest[:NAME_HEX_LENGTH]}-{variant}"


def legacy_stream_name(public_id: uuid.UUID, variant: str = "main") -> str:
    """The earlier, derivable name of a stream: only ever deleted from gateways."""
    _check_variant(variant)
    return f"cam-{public_id.hex}-{variant}"


def camera_stream_names(public_id: uuid.UUID) -> list[str]:
    """Every name a camera's streams may have on a gateway, current and legacy."""
    return [make(public_id, variant) for make in (stream_name, legacy_stream_name) for variant in VARIANTS]


def is_portal_stream(name: str) -> bool:
    return bool(STREAM_NAME_RE.match(name))


def looks_like_stream_name(text: str) -> bool:
    """Whether ``text`` has the shape of a portal stream name, ignoring case and hex length."""
    return bool(_NAME_SHAPE_RE.match(text))


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
