"""Footage models: recording settings, storage policy, the segment index, counters, health, recorders.

Writes go through ``recordings.footage.services`` (settings, policy) and
``recordings.footage.index`` (segments and the counters that move with them).
Every tenant model reaches its organization for the access gate: segments
through their denormalised ``organization`` (``FootageQuerySet``), per-camera
rows through their camera (``CameraSettingsQuerySet``), per-organization rows
through their organization (``OrganizationOwnedQuerySet``). Recorders are
platform infrastructure, like gateways: superusers only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from accounts.callers import Visitor
from accounts.scoping import Scope, ScopedQuerySet
from recordings.footage.epochs import MICROSECONDS, EpochMicroseconds, to_microseconds

MAX_RETENTION_DAYS = 3650
MAX_ROLL_SECONDS = 300
# No segment is longer than this: the range query bounds its index scan with it.
MAX_SEGMENT_SECONDS = 300


class RecordingMode(models.TextChoices):
    OFF = "off", "Off"
    CONTINUOUS = "continuous", "Continuous"
    EVENTS = "events", "Motion events only"


class StreamChoice(models.TextChoices):
    MAIN = "main", "Main stream"
    SUB = "sub", "Sub stream (main if the camera has none)"
    BOTH = "both", "Both streams"


class StreamVariant(models.TextChoices):
    MAIN = "main", "Main"
    SUB = "sub", "Sub"


class SegmentKind(models.TextChoices):
    """Why a segment is kept; retention applies the camera's days of the matching kind."""

    CONTINUOUS = "continuous", "Continuous"
    EVENT = "event", "Event"
    # An "events" camera's rolling buffer: kept only if a motion event (with its
    # pre- and post-roll) claims it before the buffer window passes.
    BUFFER = "buffer", "Buffer"


class Tier(models.TextChoices):
    LOCAL = "local", "Local disk"
    S3 = "s3", "S3"
    AZURE = "azure", "Azure Blob"


class HealthState(models.TextChoices):
    OFF = "off", "Not recording"
    WAITING = "waiting", "Waiting for a recorder"
    RECORDING = "recording", "Recording"
    RECONNECTING = "reconnecting", "Reconnecting"
    FAILING = "failing", "Failing"


def _days(**kwargs: object) -> models.PositiveIntegerField:
    return models.PositiveIntegerField(validators=[MinValueValidator(1), MaxValueValidator(MAX_RETENTION_DAYS)],
                                       **kwargs)


class StoragePolicy(models.Model):
    """An organization's footage quota and default retention. No row means the defaults below.

    A model of its own (not fields on ``Organization``) so ``accounts`` keeps
    no knowledge of footage and the tiers can add their settings here.
    """

    organization = models.OneToOneField(
        "accounts.Organization", on_delete=models.CASCADE, primary_key=True, related_name="storage_policy"
    )
    quota_bytes = models.PositiveBigIntegerField(
        "footage quota (bytes)", null=True, blank=True,
        help_text="All recorded footage of the organization together; empty means no quota.",
    )
    continuous_retention_days = _days(default=7, help_text="Default days to keep continuous footage.")
    event_retention_days = _days(default=30, help_text="Default days to keep footage around motion events.")
    # When owners and admins were last told usage passed 90 % of the quota; empty once it fell back.
    quota_notice_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="organization")

    class Meta:
        verbose_name = "storage policy"
        verbose_name_plural = "storage policies"

    def __str__(self) -> str:
        return f"Storage policy of {self.organization}"


class RecordingSettings(models.Model):
    """How one camera is recorded. No row means ``off``; empty retention means the organization's default."""

    camera = models.OneToOneField(
        "cameras.Camera", on_delete=models.CASCADE, primary_key=True, related_name="recording_settings"
    )
    mode = models.CharField(max_length=12, choices=RecordingMode.choices, default=RecordingMode.OFF)
    stream = models.CharField(max_length=8, choices=StreamChoice.choices, default=StreamChoice.MAIN)
    pre_roll_seconds = models.PositiveIntegerField(
        default=10, validators=[MaxValueValidator(MAX_ROLL_SECONDS)],
        help_text="Events mode: seconds kept before each motion event.",
    )
    post_roll_seconds = models.PositiveIntegerField(
        default=10, validators=[MaxValueValidator(MAX_ROLL_SECONDS)],
        help_text="Events mode: seconds kept after each motion event.",
    )
    continuous_retention_days = _days(null=True, blank=True, help_text="Empty: the organization's default.")
    event_retention_days = _days(null=True, blank=True, help_text="Empty: the organization's default.")
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="camera__site__organization", site="camera__site", camera="camera")

    class Meta:
        verbose_name_plural = "recording settings"
        constraints = [
            models.CheckConstraint(condition=Q(pre_roll_seconds__lte=MAX_ROLL_SECONDS), name="footage_pre_roll_max"),
            models.CheckConstraint(condition=Q(post_roll_seconds__lte=MAX_ROLL_SECONDS), name="footage_post_roll_max"),
        ]

    def __str__(self) -> str:
        return f"Recording settings of {self.camera}"


class SegmentQuerySet(ScopedQuerySet):
    def of_stream(self, camera_id: int, stream: str) -> SegmentQuerySet:
        return self.filter(camera_id=camera_id, stream=stream)

    def overlapping(self, start: datetime, end: datetime) -> SegmentQuerySet:
        """Segments that share some time with [start, end).

        ``start`` is bounded below as well (no segment is longer than
        ``MAX_SEGMENT_SECONDS``), so with a camera and stream this is one
        range scan of the (camera, stream, start_us, end_us) index.
        """
        first, last = to_microseconds(start), to_microseconds(end)
        earliest = first - MAX_SEGMENT_SECONDS * MICROSECONDS
        return self.filter(start_us__gte=earliest, start_us__lt=last, end_us__gt=first)


class Segment(models.Model):
    """One closed, synced piece of recorded footage (about 10 s), written only once its file is durable.

    Times are wall-clock UTC; ``duration`` comes from the media itself.
    ``init_size`` is the length of the file's initialisation section
    (``ftyp`` + ``moov``), the rest being fragments that each start on a
    keyframe (``keyframes``: their offsets in seconds): what an HLS playlist
    needs (``EXT-X-MAP`` and byte ranges). ``run`` names the ffmpeg run that
    wrote it: a new run is a discontinuity even without a time gap.
    ``tier`` + ``key`` say where the bytes are; ``held`` is set by legal holds
    (nothing may delete a held segment).
    """

    organization = models.ForeignKey(
        "accounts.Organization", on_delete=models.CASCADE, related_name="footage_segments"
    )
    camera = models.ForeignKey(
        "cameras.Camera", null=True, blank=True, on_delete=models.SET_NULL, related_name="footage_segments"
    )
    stream = models.CharField(max_length=8, choices=StreamVariant.choices)
    kind = models.CharField(max_length=12, choices=SegmentKind.choices, default=SegmentKind.CONTINUOUS)
    start = models.DateTimeField()
    end = models.DateTimeField()
    duration = models.FloatField(help_text="Seconds of media.")
    bytes = models.PositiveBigIntegerField()
    codec = models.CharField(max_length=16, help_text="Video codec, e.g. h264 or hevc.")
    codecs = models.CharField(max_length=80, blank=True, help_text="RFC 6381 codecs (the HLS CODECS attribute).")
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    has_audio = models.BooleanField(default=False)
    init_size = models.PositiveIntegerField(help_text="Bytes of the initialisation section (ftyp + moov).")
    keyframes = models.JSONField(default=list, blank=True, help_text="Keyframe offsets from the start, seconds.")
    run = models.CharField(max_length=16, help_text="The ffmpeg run that wrote it.")
    tier = models.CharField(max_length=8, choices=Tier.choices, default=Tier.LOCAL)
    key = models.CharField(max_length=255, help_text="Where the file is, relative to its tier's root.")
    sha256 = models.CharField(max_length=64)
    has_motion = models.BooleanField(default=False, help_text="Overlaps a motion event (with pre/post-roll).")
    motion_event = models.ForeignKey(
        "recordings.MotionEvent", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    held = models.BooleanField(default=False, help_text="Under a legal hold: retention and quotas spare it.")
    # Moving to the organization's remote tier failed this many times in a row (a bad copy, a missing
    # file); the mover leaves it alone until ``move_retry_at`` (recordings.footage.mover).
    move_failures = models.PositiveSmallIntegerField(default=0, editable=False)
    move_retry_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    # ``start`` and ``end`` as microseconds since the epoch, kept by the database: range reads use these.
    start_us = models.GeneratedField(expression=EpochMicroseconds("start"), output_field=models.BigIntegerField(),
                                     db_persist=True)
    end_us = models.GeneratedField(expression=EpochMicroseconds("end"), output_field=models.BigIntegerField(),
                                   db_persist=True)

    objects = SegmentQuerySet.as_manager()
    scope = Scope(organization="organization", site="camera__site", camera="camera")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["camera", "stream", "start"], name="footage_segment_unique_start"),
            models.UniqueConstraint(fields=["tier", "key"], name="footage_segment_unique_key"),
            models.CheckConstraint(condition=Q(end__gt=models.F("start")), name="footage_segment_ends_after_start"),
            models.CheckConstraint(condition=Q(duration__gt=0), name="footage_segment_has_duration"),
        ]
        indexes = [
            models.Index(fields=["organization", "start"], name="footage_seg_org_start"),
            models.Index(fields=["kind", "end"], name="footage_seg_kind_end"),
            # The mover's scan: an organization's local segments that ended before its cutoff.
            models.Index(fields=["organization", "tier", "end"], name="footage_seg_org_tier_end"),
            # Range reads: one scan in time order that never visits the table. Coverage and gaps need
            # the times; the API's listing the other columns too, which a narrower index would fetch
            # from rows scattered over the table (recorders write all cameras' rows interleaved): a
            # day's listing took twice as long. Key columns, not INCLUDE, which SQLite does not have.
            models.Index(fields=["camera", "stream", "start_us", "end_us", "duration", "bytes", "kind", "has_motion",
                                 "codec", "width", "height", "tier"], name="footage_seg_range_listed"),
        ]

    def __str__(self) -> str:
        return f"{self.stream} {self.start:%Y-%m-%d %H:%M:%S} ({self.duration:.1f} s)"


class CameraUsage(models.Model):
    """Bytes and segments of one camera's footage, moved in the same transaction as each segment."""

    camera = models.OneToOneField("cameras.Camera", on_delete=models.CASCADE, primary_key=True,
                                  related_name="footage_usage")
    organization = models.ForeignKey("accounts.Organization", on_delete=models.CASCADE, related_name="+")
    # Signed on purpose: a counter bug must not make a delete fail; check_footage repairs drift.
    bytes = models.BigIntegerField(default=0)
    segments = models.BigIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="camera__site__organization", site="camera__site", camera="camera")

    def __str__(self) -> str:
        return f"Footage of camera {self.camera_id}: {self.bytes} bytes"


class OrganizationUsage(models.Model):
    """Bytes and segments of all an organization's footage (deleted cameras' too, until retention)."""

    organization = models.OneToOneField("accounts.Organization", on_delete=models.CASCADE, primary_key=True,
                                        related_name="footage_usage")
    bytes = models.BigIntegerField(default=0)
    segments = models.BigIntegerField(default=0)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="organization")

    def __str__(self) -> str:
        return f"Footage of organization {self.organization_id}: {self.bytes} bytes"


class RecorderQuerySet(models.QuerySet):
    """Recorders are platform infrastructure: only superusers see them."""

    def for_user(self, user: Visitor | None, action: str = "view") -> RecorderQuerySet:
        return self.all() if user is not None and user.is_superuser else self.none()

    def alive(self, now: datetime, stale_after: float) -> RecorderQuerySet:
        return self.filter(heartbeat_at__gte=now - timedelta(seconds=stale_after), stopped_at__isnull=True)


class Recorder(models.Model):
    """One ``manage.py record`` process beside a gateway. Redis leases are the truth; this mirrors them."""

    name = models.CharField(max_length=100, unique=True)
    host = models.CharField(max_length=253)
    pid = models.PositiveIntegerField(default=0)
    gateway = models.ForeignKey("cameras.Gateway", null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="recorders")
    started_at = models.DateTimeField(default=timezone.now)
    heartbeat_at = models.DateTimeField(default=timezone.now)
    stopped_at = models.DateTimeField(null=True, blank=True)

    objects = RecorderQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class RecordingHealth(models.Model):
    """How one camera's recording is going, as its recorder last saw it.

    ``reason`` is in words a person understands; ``bytes_today`` counts the
    site's local day ``day``. ``recorder`` is the recorder holding the camera.
    """

    camera = models.OneToOneField("cameras.Camera", on_delete=models.CASCADE, primary_key=True,
                                  related_name="recording_health")
    state = models.CharField(max_length=16, choices=HealthState.choices, default=HealthState.WAITING)
    reason = models.CharField(max_length=300, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)
    last_segment_at = models.DateTimeField(null=True, blank=True)
    bytes_today = models.BigIntegerField(default=0)
    day = models.DateField(null=True, blank=True)
    recorder = models.ForeignKey(Recorder, null=True, blank=True, on_delete=models.SET_NULL, related_name="cameras")
    # When people were last told that recording stopped; footage newer than this arms the next notice.
    stopped_notice_at = models.DateTimeField(null=True, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope = Scope(organization="camera__site__organization", site="camera__site", camera="camera")

    class Meta:
        verbose_name_plural = "recording health"

    def __str__(self) -> str:
        return f"{self.get_state_display()}: camera {self.camera_id}"



# Holds, notices and guard runs live in their own module; Django finds them through this import.
from recordings.footage.models_lifecycle import LegalHold, Notice, NoticeKind, VolumeGuardRun  # noqa: E402, F401
from recordings.footage.models_motion import MotionSpan  # noqa: E402, F401
from recordings.footage.models_thumbnails import Thumbnail  # noqa: E402, F401
from recordings.footage.models_tiers import StorageTier  # noqa: E402, F401
