"""The PTZ vocabulary, defined once: the actions a caller can ask for and the features a camera can have.

The capabilities model, the adapter's ``PTZFeatures``, the services, the
worker and the API all name actions and features through this module, so a
new action or feature is added here and nowhere is a list left behind.
Values are what the API accepts and what is stored (audit actions are
``ptz.<action>``): they must not change.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class PTZAction(enum.StrEnum):
    """What a PTZ command asks a camera to do (the API's ``action``)."""

    MOVE = "move"  # continuous, at a velocity, until stopped or timed out
    STOP = "stop"
    RELATIVE = "relative"
    ABSOLUTE = "absolute"
    GOTO_PRESET = "goto_preset"
    HOME = "home"
    RELEASE = "release"  # let go of the camera (no ONVIF call unless it was moving)


AXES = ("pan", "tilt", "zoom")


@dataclass(frozen=True)
class Motion:
    """One kind of move: the features that allow it and the suffix of its ranges (``pan_velocity``...)."""

    kind: str  # as people read it: "continuous", "relative", "absolute"
    pan_tilt: str  # the feature that allows panning and tilting this way
    zoom: str  # the feature that allows zooming this way
    range_suffix: str  # the camera's ranges for it are "<axis><suffix>"


MOTIONS: dict[PTZAction, Motion] = {
    PTZAction.MOVE: Motion("continuous", "continuous_pan_tilt", "continuous_zoom", "_velocity"),
    PTZAction.RELATIVE: Motion("relative", "relative_pan_tilt", "relative_zoom", "_translation"),
    PTZAction.ABSOLUTE: Motion("absolute", "absolute_pan_tilt", "absolute_zoom", ""),
}

# What a camera's PTZ can do, each a yes/no: the fields of PTZCapabilities and PTZFeatures, in the API's order.
PTZ_FEATURES: tuple[str, ...] = (
    *(feature for motion in MOTIONS.values() for feature in (motion.pan_tilt, motion.zoom)),
    "presets",
    "home",
)


def has_any_feature(capabilities: Any) -> bool:
    """Whether a camera (its capabilities row or what the adapter read) can do any PTZ at all."""
    return any(getattr(capabilities, feature) for feature in PTZ_FEATURES)
