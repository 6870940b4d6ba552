"""The PTZ vocabulary is the one list: the model, the adapter's reading and the API agree with it."""

from __future__ import annotations

import dataclasses

from django.db import models

from cameras.models import PTZCapabilities
from cameras.ptz.onvif.replies import PTZFeatures
from cameras.ptz.serializers import PTZCapabilitiesSerializer, PTZCommandSerializer
from cameras.ptz.vocabulary import MOTIONS, PTZ_FEATURES, PTZAction

API_ACTIONS = ["move", "stop", "relative", "absolute", "goto_preset", "home", "release"]


def test_every_feature_is_a_yes_no_column_of_the_capabilities_model() -> None:
    columns = {field.name: field for field in PTZCapabilities._meta.get_fields()}

    assert all(isinstance(columns.get(feature), models.BooleanField) for feature in PTZ_FEATURES)


def test_the_adapter_reads_exactly_the_features_and_a_camera_with_one_is_supported() -> None:
    booleans = [field.name for field in dataclasses.fields(PTZFeatures) if field.type in ("bool", bool)]

    assert booleans == list(PTZ_FEATURES)
    assert all(PTZFeatures(**{feature: True}).supported for feature in PTZ_FEATURES)
    assert not PTZFeatures().supported


def test_the_api_shows_the_features_first_in_their_order() -> None:
    fields = PTZCapabilitiesSerializer.Meta.fields

    assert fields[: len(PTZ_FEATURES)] == list(PTZ_FEATURES)


def test_the_api_accepts_the_actions_it_always_accepted() -> None:
    assert list(PTZCommandSerializer().fields["action"].choices) == API_ACTIONS
    assert [action.value for action in PTZAction] == API_ACTIONS


def test_each_kind_of_move_is_allowed_by_two_features() -> None:
    assert set(MOTIONS) == {PTZAction.MOVE, PTZAction.RELATIVE, PTZAction.ABSOLUTE}
    assert all({motion.pan_tilt, motion.zoom} <= set(PTZ_FEATURES) for motion in MOTIONS.values())
