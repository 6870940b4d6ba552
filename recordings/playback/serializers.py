"""Shapes of the playback API: a session request and answer, and a camera's timeline with its thumbnails."""

from __future__ import annotations

from rest_framework import serializers

from portal.api_base import DATETIME_MESSAGE
from recordings.footage.models import StreamVariant
from recordings.footage.serializers import IntervalSerializer

STREAM_FIELD = {"choices": StreamVariant.choices, "required": False,
                "error_messages": {"invalid_choice": "Choose main or sub."},
                "help_text": "Which stream; by default the one recorded (the sub stream first)."}


def _moment(help_text: str) -> serializers.DateTimeField:
    return serializers.DateTimeField(help_text=help_text,
                                     error_messages={"invalid": DATETIME_MESSAGE, "required": DATETIME_MESSAGE})


class PlaybackRequestSerializer(serializers.Serializer):
    start = _moment("Start of the range to play (ISO 8601).")
    end = _moment("End of the range (ISO 8601), at most 24 hours after the start; may be in the future.")
    stream = serializers.ChoiceField(**STREAM_FIELD)


class PlaybackSessionSerializer(serializers.Serializer):
    session = serializers.CharField(help_text="The session's id (as written to the audit log).")
    camera = serializers.UUIDField()
    stream = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    expires_at = serializers.DateTimeField(help_text="The playlist and its segment URLs stop working then.")
    live = serializers.BooleanField(help_text="The range reaches past now: the playlist grows (EVENT playlist).")
    codecs = serializers.CharField(help_text="RFC 6381 codecs of the first segment, e.g. `avc1.640029`: check "
                                             "that the player can decode them (H.265 is `hvc1`/`hev1`).")
    playlist_url = serializers.URLField(
        help_text="HLS playlist (fragmented MP4). Only the principal that opened the session can fetch it "
                  "and its segments, with the same credentials, while it can still view the camera.")


class TimelineQuerySerializer(serializers.Serializer):
    start = _moment("Start of the range (ISO 8601).")
    end = _moment("End of the range (ISO 8601), at most 7 days after the start.")
    stream = serializers.ChoiceField(**STREAM_FIELD)


class TimelineEventSerializer(serializers.Serializer):
    id = serializers.UUIDField(source="public_id")
    started_at = serializers.DateTimeField()
    ended_at = serializers.DateTimeField(allow_null=True, help_text="Empty while the motion goes on.")
    peak_at = serializers.DateTimeField(allow_null=True)
    peak_score = serializers.FloatField()
    play_from = serializers.DateTimeField(help_text="The start minus the camera's pre-roll: where to play it from.")


class TimelineThumbnailSerializer(serializers.Serializer):
    at = serializers.DateTimeField(help_text="Start of the minute (interval) the picture shows.")
    url = serializers.URLField(help_text="The JPEG (`GET /api/v1/cameras/<id>/thumbnails/<at>/`), through the "
                                         "access gate like everything else.")


class TimelineSerializer(serializers.Serializer):
    camera = serializers.UUIDField(source="camera.public_id")
    stream = serializers.CharField()
    start = serializers.DateTimeField()
    end = serializers.DateTimeField()
    covered = IntervalSerializer(many=True)
    gaps = IntervalSerializer(many=True)
    pre_roll_seconds = serializers.IntegerField()
    events = TimelineEventSerializer(many=True)
    events_truncated = serializers.BooleanField(help_text="More events than listed (2,000): ask a shorter range.")
    thumbnails = TimelineThumbnailSerializer(
        many=True, help_text="Preview pictures (about 160 px wide) of the minutes that have one, oldest first.")
    thumbnail_seconds = serializers.IntegerField(
        help_text="Each picture stands for this many seconds from its `at` (a minute; more when a long range "
                  "lists only every n-th picture, at most 1,440).")
