"""Motion detection on grey frames: background subtraction, pure numpy + OpenCV.

No Django here on purpose: the recorder feeds this from a decoding loop, the
tests feed it synthetic arrays, and the benchmark measures it alone.

Per frame (``MotionDetector.feed``):

1. frames taller than ``analysis_height`` are downscaled: motion is a
   coarse question, and a 256x144 frame costs a sixth of a 640x360 one in
   every later step. ``INTER_AREA`` (a box average, so noise and fine detail
   do not alias) is fast only for whole-number factors: 640x360 to 256x144
   (2.5x) costs 260 us that way, more than everything else together. So the
   frame is first box-averaged by the largest whole factor per axis that
   divides the size and does not undershoot the target (640x360 -> 320x180),
   and the remaining step, less than 2x, is ``INTER_LINEAR``: 40 us in all;
2. a small Gaussian blur, so sensor noise and compression speckle do not
   exceed the difference threshold;
3. absolute difference against a running-average background (a float32
   image, so the slow ``learning_rate`` blend does not round away);
4. threshold at ``sensitivity_threshold(sensitivity)``, then zero the masked
   pixels;
5. if more than ``recalibrate_fraction`` of the unmasked pixels changed at
   once, that is the lights or the IR cut filter, not an intruder: the
   background is replaced by the current frame and no motion is reported;
6. dilate (3x3, twice) so a body split by the threshold becomes one region,
   find the external contours and keep those whose bounding rectangle covers
   at least ``min_area`` percent of the unmasked area;
7. blend the frame into the background (``cv2.accumulateWeighted``), so
   parked cars and moved furniture stop counting after a while.

Region size is the *bounding rectangle's* area, not ``cv2.contourArea``: it
is what the reported boxes show, and ``contourArea`` measures the polygon
through the outline's pixel centres, which is 0 for one- or two-pixel-thick
regions and under-counts every small one. The score is the kept rectangles'
area over the unmasked area, capped at 1 (rectangles may overlap each other
or the mask).

It must run at thousands of frames per second per core on analysis-size
frames, so the work buffers are allocated once per frame size and reused,
and a frame where no pixel crossed the threshold skips dilation and contours.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import cv2
import numpy as np

Point = tuple[float, float]
Polygon = tuple[Point, ...]

SENSITIVITY_MIN, SENSITIVITY_MAX = 1, 100
# Per-pixel difference thresholds (0..255 grey levels) at the two ends of the
# sensitivity scale: 60 ignores anything short of a clear silhouette, 8 is
# just above what the blurred noise of a decent sensor reaches.
THRESHOLD_AT_MIN, THRESHOLD_AT_MAX = 60, 8
MIN_AREA_MIN, MIN_AREA_MAX = 0.01, 100.0
ANALYSIS_HEIGHT_MIN = 16
BLUR_KERNEL = (5, 5)
DILATE_KERNEL = np.ones((3, 3), np.uint8)
DILATE_ITERATIONS = 2
# Sub-pixel bits for cv2.fillPoly, so polygon corners are not snapped to whole pixels.
_MASK_SHIFT = 4


@dataclass(frozen=True)
class DetectorSettings:
    """One camera's motion settings; validated on construction, so a bad value fails where it is set.

    ``masks`` may be given as lists (as they come out of JSON); they are stored as tuples of float pairs.
    """

    sensitivity: int = 50
    min_area: float = 0.5
    masks: tuple[tuple[tuple[float, float], ...], ...] = ()
    analysis_height: int = 144
    recalibrate_fraction: float = 0.5
    learning_rate: float = 0.05

    def __post_init__(self) -> None:
        if not _is_int(self.sensitivity) or not SENSITIVITY_MIN <= self.sensitivity <= SENSITIVITY_MAX:
            raise ValueError(
                f"sensitivity must be an integer from {SENSITIVITY_MIN} to {SENSITIVITY_MAX}, got {self.sensitivity!r}"
            )
        if not _is_number(self.min_area) or not MIN_AREA_MIN <= self.min_area <= MIN_AREA_MAX:
            raise ValueError(
                f"min_area must be a percentage from {MIN_AREA_MIN} to {MIN_AREA_MAX}, got {self.min_area!r}"
            )
        if not _is_int(self.analysis_height) or self.analysis_height < ANALYSIS_HEIGHT_MIN:
            raise ValueError(
                f"analysis_height must be an integer of at least {ANALYSIS_HEIGHT_MIN}, got {self.analysis_height!r}"
            )
        if not _is_number(self.recalibrate_fraction) or not 0 < self.recalibrate_fraction <= 1:
            raise ValueError(f"recalibrate_fraction must be above 0 and at most 1, got {self.recalibrate_fraction!r}")
        if not _is_number(self.learning_rate) or not 0 < self.learning_rate <= 1:
            raise ValueError(f"learning_rate must be above 0 and at most 1, got {self.learning_rate!r}")
        object.__setattr__(self, "masks", _normalise_masks(self.masks))


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(value, bool)


def _normalise_masks(masks: Iterable[Iterable[Sequence[float]]]) -> tuple[Polygon, ...]:
    """Masks as tuples of (x, y) float pairs in 0..1; ValueError naming the bad polygon otherwise."""
    if isinstance(masks, str | bytes):
        raise ValueError("masks must be a sequence of polygons, got a string")
    polygons = []
    for index, polygon in enumerate(masks):
        try:
            points = [tuple(point) for point in polygon]
        except TypeError:
            raise ValueError(f"mask {index} must be a sequence of (x, y) points") from None
        if len(points) < 3:
            raise ValueError(f"mask {index} needs at least 3 points, got {len(points)}")
        normalised = []
        for point in points:
            if len(point) != 2 or not all(_is_number(value) for value in point):
                raise ValueError(f"mask {index} has a point that is not an (x, y) pair of numbers: {point!r}")
            x, y = float(point[0]), float(point[1])
            if not (0.0 <= x <= 1.0 and 0.0 <= y <= 1.0):
                raise ValueError(f"mask {index} has a point outside the normalised 0..1 range: {point!r}")
            normalised.append((x, y))
        polygons.append(tuple(normalised))
    return tuple(polygons)


@dataclass(frozen=True)
class Box:
    """A changed region, normalised to 0..1 of the frame so it does not depend on the analysis size."""

    x: float
    y: float
    width: float
    height: float

    def as_list(self) -> list[float]:
        """``[x, y, width, height]`` rounded to 4 decimals (enough for 10k-pixel frames; compact in JSON)."""
        return [round(self.x, 4), round(self.y, 4), round(self.width, 4), round(self.height, 4)]


@dataclass(frozen=True)
class Detection:
    """The verdict on one frame. ``score`` is 0 unless ``motion``; ``recalibrated`` frames never carry motion."""

    motion: bool
    score: float
    boxes: tuple[Box, ...]
    recalibrated: bool


# Shared verdicts for the common no-motion outcomes: no allocation per still frame.
_NO_MOTION = Detection(motion=False, score=0.0, boxes=(), recalibrated=False)
_RECALIBRATED = Detection(motion=False, score=0.0, boxes=(), recalibrated=True)


def sensitivity_threshold(sensitivity: int) -> int:
    """Per-pixel absolute grey-level difference above which a pixel counts as changed.

    Linear from 60 at sensitivity 1 to 8 at 100 (34 at the default 50);
    out-of-range input is clamped rather than rejected, so a stale stored
    value still gives a usable detector.
    """
    clamped = min(max(int(sensitivity), SENSITIVITY_MIN), SENSITIVITY_MAX)
    span = (THRESHOLD_AT_MIN - THRESHOLD_AT_MAX) / (SENSITIVITY_MAX - SENSITIVITY_MIN)
    return round(THRESHOLD_AT_MIN - (clamped - SENSITIVITY_MIN) * span)


def analysis_size(width: int, height: int, target_height: int) -> tuple[int, int]:
    """(width, height) to analyse a ``width`` x ``height`` frame at.

    Frames taller than ``target_height`` shrink to that height with the
    aspect ratio kept and the width rounded to an even number (what video
    scalers want), at least 2. Smaller frames keep their size exactly:
    upscaling adds no information, only work.
    """
    if width <= 0 or height <= 0 or target_height <= 0:
        raise ValueError(f"sizes must be positive, got {width}x{height} to height {target_height}")
    if height <= target_height:
        return width, height
    scaled_width = max(2, 2 * round(width * target_height / height / 2))
    return scaled_width, target_height


def mask_image(masks: Iterable[Iterable[Sequence[float]]], width: int, height: int) -> np.ndarray | None:
    """uint8 ``height`` x ``width`` image, 255 where pixels are analysed and 0 where a mask covers them.

    ``None`` when there are no masks, so the caller can skip masking
    altogether. Pixels that a polygon's outline touches are masked too
    (``cv2.fillPoly`` fills conservatively), which errs on the side of
    ignoring what the user asked to ignore.
    """
    polygons = _normalise_masks(masks)
    if not polygons:
        return None
    image = np.full((height, width), 255, np.uint8)
    scale = np.array([width, height], np.float64)
    # Normalised 0..1 spans the pixels' outer edges; cv2 puts integer coordinates at pixel centres.
    points = [
        np.round((np.array(polygon, np.float64) * scale - 0.5) * (1 << _MASK_SHIFT)).astype(np.int32)
        for polygon in polygons
    ]
    cv2.fillPoly(image, points, 0, lineType=cv2.LINE_8, shift=_MASK_SHIFT)
    return image


def _whole_factor(source: int, target: int) -> int:
    """Largest k >= 1 dividing ``source`` with ``source / k >= target``: an exact INTER_AREA step."""
    for factor in range(source // target, 1, -1):
        if source % factor == 0:
            return factor
    return 1


class _Buffers:
    """Resize plan, work images and mask for one input frame size, reused frame after frame."""

    def __init__(self, width: int, height: int, settings: DetectorSettings) -> None:
        self.input_size = (width, height)
        self.size = analysis_size(width, height, settings.analysis_height)
        target_width, target_height = self.size
        # (destination buffer, interpolation) per resize step, applied in order.
        self.steps: list[tuple[np.ndarray, int]] = []
        if self.size != self.input_size:
            step_width = width // _whole_factor(width, target_width)
            step_height = height // _whole_factor(height, target_height)
            if (step_width, step_height) != self.input_size:
                self.steps.append((np.empty((step_height, step_width), np.uint8), cv2.INTER_AREA))
            if (step_width, step_height) != self.size:
                residual = max(step_width / target_width, step_height / target_height)
                interpolation = cv2.INTER_LINEAR if residual < 2 else cv2.INTER_AREA
                self.steps.append((np.empty((target_height, target_width), np.uint8), interpolation))
        shape = (target_height, target_width)
        self.blurred = np.empty(shape, np.uint8)
        self.background_u8 = np.empty(shape, np.uint8)
        self.diff = np.empty(shape, np.uint8)
        self.changed = np.empty(shape, np.uint8)
        self.dilated = np.empty(shape, np.uint8)
        self.mask = mask_image(settings.masks, target_width, target_height)
        self.unmasked = target_width * target_height if self.mask is None else int(cv2.countNonZero(self.mask))

    def downscale(self, grey: np.ndarray) -> np.ndarray:
        image = grey
        for destination, interpolation in self.steps:
            image = cv2.resize(
                image, (destination.shape[1], destination.shape[0]), dst=destination, interpolation=interpolation
            )
        return image


class MotionDetector:
    """Stateful detector for one camera: feed it consecutive grey frames, get a ``Detection`` per frame."""

    def __init__(self, settings: DetectorSettings) -> None:
        self.settings = settings
        self._threshold = sensitivity_threshold(settings.sensitivity)
        # Keyed by input frame size: resize plan, buffers and mask image are computed once per size.
        self._buffers: dict[tuple[int, int], _Buffers] = {}
        self._background: np.ndarray | None = None
        self._background_input_size: tuple[int, int] | None = None

    def reset(self) -> None:
        """Forget the background: the next frame primes it again (after a stream gap, say)."""
        self._background = None

    def _buffers_for(self, width: int, height: int) -> _Buffers:
        buffers = self._buffers.get((width, height))
        if buffers is None:
            buffers = self._buffers[(width, height)] = _Buffers(width, height, self.settings)
        return buffers

    def feed(self, grey: np.ndarray) -> Detection:
        """Analyse the next frame (2-D uint8 grey, any size) and learn it into the background.

        The first frame, and the first after ``reset()`` or a change of frame
        size, only primes the background and reports no motion.
        """
        if not isinstance(grey, np.ndarray) or grey.ndim != 2 or grey.dtype != np.uint8 or grey.size == 0:
            raise ValueError("feed() takes a non-empty 2-D uint8 grey image")
        height, width = grey.shape
        buffers = self._buffers_for(width, height)
        blurred = cv2.GaussianBlur(buffers.downscale(grey), BLUR_KERNEL, 0, dst=buffers.blurred)

        background = self._background
        if background is None or self._background_input_size != (width, height):
            self._background = blurred.astype(np.float32)
            self._background_input_size = (width, height)
            return _NO_MOTION

        cv2.convertScaleAbs(background, dst=buffers.background_u8)
        cv2.absdiff(blurred, buffers.background_u8, dst=buffers.diff)
        cv2.threshold(buffers.diff, self._threshold, 255, cv2.THRESH_BINARY, dst=buffers.changed)
        if buffers.mask is not None:
            cv2.bitwise_and(buffers.changed, buffers.mask, dst=buffers.changed)
        # Counted before dilation: the fraction of unmasked pixels that really changed.
        changed = cv2.countNonZero(buffers.changed)
        if buffers.unmasked == 0 or changed == 0:
            cv2.accumulateWeighted(blurred, background, self.settings.learning_rate)
            return _NO_MOTION
        if changed > self.settings.recalibrate_fraction * buffers.unmasked:
            np.copyto(background, blurred)
            return _RECALIBRATED

        detection = self._regions(buffers)
        cv2.accumulateWeighted(blurred, background, self.settings.learning_rate)
        return detection

    def _regions(self, buffers: _Buffers) -> Detection:
        """Boxes of the changed regions big enough to count, largest first."""
        cv2.dilate(buffers.changed, DILATE_KERNEL, dst=buffers.dilated, iterations=DILATE_ITERATIONS)
        contours, _ = cv2.findContours(buffers.dilated, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        min_pixels = self.settings.min_area / 100.0 * buffers.unmasked
        rects: list[tuple[int, int, int, int, int]] = []  # (area, x, y, w, h) in analysis pixels
        for contour in contours:
            x, y, w, h = cv2.boundingRect(contour)
            if w * h >= min_pixels:
                rects.append((w * h, x, y, w, h))
        if not rects:
            return _NO_MOTION
        rects.sort(key=lambda rect: (-rect[0], rect[2], rect[1]))
        width, height = buffers.size
        boxes = tuple(Box(x / width, y / height, w / width, h / height) for _, x, y, w, h in rects)
        score = min(1.0, math.fsum(rect[0] for rect in rects) / buffers.unmasked)
        return Detection(motion=True, score=score, boxes=boxes, recalibrated=False)
