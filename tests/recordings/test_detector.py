"""Unit tests of ``recordings.motion.detector`` on synthetic grey frames (no database, no video)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest

from recordings.motion.detector import (
    Box,
    Detection,
    DetectorSettings,
    MotionDetector,
    analysis_size,
    mask_image,
    sensitivity_threshold,
)

WIDTH, HEIGHT = 256, 144  # the default analysis size: these frames are analysed as they are
LEFT_HALF = ((0.0, 0.0), (0.5, 0.0), (0.5, 1.0), (0.0, 1.0))
WHOLE_FRAME = ((0.0, 0.0), (1.0, 0.0), (1.0, 1.0), (0.0, 1.0))
# How far a box may reach beyond the changed square, in analysis pixels: blur (2) plus dilation (2), rounded up.
BOX_SLACK = 5


@dataclass(frozen=True)
class Square:
    """A bright square at pixel (x, y) of side ``side``, ``contrast`` grey levels above the scene."""

    x: int
    y: int
    side: int
    contrast: int = 120


def scene(
    *squares: Square,
    size: tuple[int, int] = (WIDTH, HEIGHT),
    brightness: int = 0,
    noise: float = 0.0,
    seed: int = 0,
) -> np.ndarray:
    """A still, gently shaded scene (a gradient, like a lit wall) with squares on it."""
    width, height = size
    ys, xs = np.mgrid[0:height, 0:width]
    image = 60.0 + 40.0 * xs / width + 20.0 * ys / height + brightness
    for square in squares:
        image[square.y : square.y + square.side, square.x : square.x + square.side] += square.contrast
    if noise:
        image += np.random.default_rng(seed).normal(0.0, noise, image.shape)
    return np.clip(np.round(image), 0, 255).astype(np.uint8)


def run(settings: DetectorSettings, frames: list[np.ndarray]) -> list[Detection]:
    detector = MotionDetector(settings)
    return [detector.feed(frame) for frame in frames]


def assert_box_around(
    box: Box, square: Square, size: tuple[int, int] = (WIDTH, HEIGHT), slack: float = BOX_SLACK
) -> None:
    """``box`` covers ``square`` (given in ``size`` pixels) and reaches at most ``slack`` pixels beyond it."""
    width, height = size
    left, top = box.x * width, box.y * height
    right, bottom = (box.x + box.width) * width, (box.y + box.height) * height
    assert square.x - slack <= left <= square.x, (box, square)
    assert square.y - slack <= top <= square.y, (box, square)
    assert square.x + square.side <= right <= square.x + square.side + slack, (box, square)
    assert square.y + square.side <= bottom <= square.y + square.side + slack, (box, square)


@dataclass(frozen=True)
class Scenario:
    """Frames fed in order; the expectations are about the detection of the last frame."""

    name: str
    frames: list[np.ndarray]
    motion: bool
    settings: DetectorSettings = field(default_factory=DetectorSettings)
    recalibrated: bool = False
    around: Square | None = None  # the last frame's boxes: exactly one, around this square


MOVING = [Square(40, 40, 20), Square(46, 40, 20), Square(52, 40, 20)]
SCENARIOS = [
    Scenario("still scene", [scene()] * 5, motion=False),
    Scenario("first frame only primes", [scene(Square(100, 60, 30))], motion=False),
    Scenario("moving square", [scene(), *(scene(square) for square in MOVING)], motion=True, around=MOVING[-1]),
    Scenario(
        "moving square in noise",
        [scene(noise=4, seed=0), *(scene(square, noise=4, seed=i + 1) for i, square in enumerate(MOVING))],
        motion=True,
        around=MOVING[-1],
    ),
    Scenario("square below min_area", [scene(), scene(Square(100, 60, 4))], motion=False),
    Scenario(
        "same square above a lower min_area",
        [scene(), scene(Square(100, 60, 4))],
        settings=DetectorSettings(min_area=0.1),
        motion=True,
        around=Square(100, 60, 4),
    ),
    Scenario(
        "motion inside a mask",
        [scene(), scene(Square(40, 60, 24))],
        settings=DetectorSettings(masks=(LEFT_HALF,)),
        motion=False,
    ),
    Scenario(
        "same motion outside the mask",
        [scene(), scene(Square(180, 60, 24))],
        settings=DetectorSettings(masks=(LEFT_HALF,)),
        motion=True,
        around=Square(180, 60, 24),
    ),
    Scenario(
        "whole frame masked",
        [scene(), scene(Square(180, 60, 24))],
        settings=DetectorSettings(masks=(WHOLE_FRAME,)),
        motion=False,
    ),
    Scenario("lights on: brightness jump", [scene(), scene(brightness=60)], motion=False, recalibrated=True),
    Scenario("still frame after the jump", [scene(), scene(brightness=60)] + [scene(brightness=60)], motion=False),
    Scenario(
        "motion after the jump",
        [scene(), scene(brightness=60), scene(Square(100, 60, 20), brightness=60)],
        motion=True,
        around=Square(100, 60, 20),
    ),
    Scenario(
        "recalibration follows recalibrate_fraction",
        [scene(), scene(Square(0, 0, 128, contrast=60))],  # a quarter of the frame, 44% with the blur and dilation
        settings=DetectorSettings(recalibrate_fraction=0.2),
        motion=False,
        recalibrated=True,
    ),
    Scenario(
        "the same change under the default recalibrate_fraction",
        [scene(), scene(Square(0, 0, 128, contrast=60))],
        motion=True,
    ),
    Scenario(
        "faint change, default sensitivity",
        [scene(), scene(Square(100, 60, 24, contrast=20))],
        motion=False,
    ),
    Scenario(
        "faint change, high sensitivity",
        [scene(), scene(Square(100, 60, 24, contrast=20))],
        settings=DetectorSettings(sensitivity=90),
        motion=True,
        around=Square(100, 60, 24),
    ),
    Scenario(
        "a parked object becomes background",
        [scene()] + [scene(Square(100, 60, 24))] * 60,
        motion=False,
    ),
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[scenario.name for scenario in SCENARIOS])
def test_scenario(scenario: Scenario) -> None:
    detection = run(scenario.settings, scenario.frames)[-1]

    assert detection.motion is scenario.motion
    assert detection.recalibrated is scenario.recalibrated
    if not scenario.motion:
        assert detection.score == 0.0
        assert detection.boxes == ()
        return
    assert detection.boxes
    # The score is the boxes' share of the (unmasked) frame, capped at 1.
    assert 0.0 < detection.score <= 1.0
    area = math.fsum(box.width * box.height for box in detection.boxes)
    unmasked = 0.5 if scenario.settings.masks else 1.0
    assert detection.score == pytest.approx(min(1.0, area / unmasked), rel=0.02)
    if scenario.around is not None:
        assert len(detection.boxes) == 1
        assert_box_around(detection.boxes[0], scenario.around)


@pytest.mark.parametrize(
    ("sigma", "sensitivity"),
    [
        (2.0, 50),
        (4.0, 50),
        (8.0, 50),
        (3.0, 100),  # the blur is what keeps even the highest sensitivity quiet on a decent sensor
    ],
)
def test_sensor_noise_is_not_motion(sigma: float, sensitivity: int) -> None:
    frames = [scene(noise=sigma, seed=seed) for seed in range(30)]

    detections = run(DetectorSettings(sensitivity=sensitivity), frames)

    assert not any(detection.motion for detection in detections)
    assert not any(detection.recalibrated for detection in detections)


@pytest.mark.parametrize(
    ("frame_size", "analysis_height", "grid"),
    [
        ((640, 360), 144, (256, 144)),  # downscaled, as from a 640x360 sub stream
        ((640, 360), 90, (160, 90)),
        ((640, 360), 360, (640, 360)),  # analysed as it is: the boxes fall on the finer grid
        ((160, 90), 144, (160, 90)),  # smaller than the analysis height: never upscaled
    ],
)
def test_boxes_are_normalised_on_the_analysis_grid(
    frame_size: tuple[int, int], analysis_height: int, grid: tuple[int, int]
) -> None:
    width, height = frame_size
    square = Square(round(width * 0.5) + 1, round(height * 0.5) + 1, round(height * 0.14))
    frames = [scene(size=frame_size), scene(square, size=frame_size)]

    detection = run(DetectorSettings(analysis_height=analysis_height), frames)[-1]

    assert detection.motion
    (box,) = detection.boxes
    # Edges fall on whole pixels of the grid the detector analysed at...
    for value, cells in ((box.x, grid[0]), (box.width, grid[0]), (box.y, grid[1]), (box.height, grid[1])):
        assert value * cells == pytest.approx(round(value * cells), abs=1e-6)
    # ...and, normalised, still mark where the square is in the full frame.
    assert_box_around(box, square, size=frame_size, slack=BOX_SLACK * width / grid[0])


def test_downscaled_boxes_are_not_on_the_full_resolution_grid() -> None:
    """The 640x360 square's box is on the 256x144 grid only because the frame was downscaled."""
    square = Square(321, 181, 50)
    frames = [scene(size=(640, 360)), scene(square, size=(640, 360))]

    full = run(DetectorSettings(analysis_height=360), frames)[-1].boxes[0]
    downscaled = run(DetectorSettings(), frames)[-1].boxes[0]

    assert not (full.x * 256).is_integer()
    assert (downscaled.x * 256).is_integer()


def test_reset_forgets_the_background() -> None:
    detector = MotionDetector(DetectorSettings())
    detector.feed(scene())
    detector.reset()

    assert detector.feed(scene(Square(100, 60, 30))).motion is False  # primes again
    assert detector.feed(scene()).motion is True  # against the primed background, the square left


@pytest.mark.parametrize(
    "new_size",
    [(160, 90), (512, 288)],  # a smaller analysis size; the same analysis size (256x144) from a larger frame
)
def test_new_frame_size_primes_again(new_size: tuple[int, int]) -> None:
    detector = MotionDetector(DetectorSettings())
    detector.feed(scene())
    square = Square(new_size[0] // 4, new_size[1] // 4, new_size[1] // 4)

    assert detector.feed(scene(square, size=new_size)).motion is False
    assert detector.feed(scene(size=new_size)).motion is True


@pytest.mark.parametrize(
    "frame",
    [
        np.zeros((144, 256, 3), np.uint8),  # colour
        np.zeros((144, 256), np.float32),
        np.zeros((0, 256), np.uint8),
        [[0, 0], [0, 0]],
    ],
    ids=["colour", "float", "empty", "list"],
)
def test_feed_rejects_anything_but_2d_uint8(frame: Any) -> None:
    with pytest.raises(ValueError, match="2-D uint8"):
        MotionDetector(DetectorSettings()).feed(frame)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sensitivity": 0}, "sensitivity"),
        ({"sensitivity": 101}, "sensitivity"),
        ({"sensitivity": 50.5}, "sensitivity"),
        ({"sensitivity": True}, "sensitivity"),
        ({"min_area": 0}, "min_area"),
        ({"min_area": 0.001}, "min_area"),
        ({"min_area": 100.5}, "min_area"),
        ({"min_area": float("nan")}, "min_area"),
        ({"analysis_height": 0}, "analysis_height"),
        ({"analysis_height": 8}, "analysis_height"),
        ({"recalibrate_fraction": 0}, "recalibrate_fraction"),
        ({"recalibrate_fraction": 1.5}, "recalibrate_fraction"),
        ({"learning_rate": 0}, "learning_rate"),
        ({"learning_rate": -0.1}, "learning_rate"),
        ({"learning_rate": 2}, "learning_rate"),
        ({"masks": (((0.1, 0.1), (0.9, 0.1)),)}, "at least 3 points"),
        ({"masks": (((0.1, 0.1), (1.5, 0.1), (0.5, 0.9)),)}, "outside the normalised 0..1 range"),
        ({"masks": (((0.1, -0.1), (0.9, 0.1), (0.5, 0.9)),)}, "outside the normalised 0..1 range"),
        ({"masks": (((0.1, 0.1, 0.1), (0.9, 0.1), (0.5, 0.9)),)}, r"\(x, y\) pair"),
        ({"masks": (((0.1, "a"), (0.9, 0.1), (0.5, 0.9)),)}, r"\(x, y\) pair"),
        ({"masks": ((0.1, 0.2, 0.3),)}, r"\(x, y\) points"),
        ({"masks": "abc"}, "string"),
    ],
)
def test_invalid_settings_raise_value_error(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        DetectorSettings(**changes)


def test_valid_settings_normalise_masks_from_json_lists() -> None:
    settings = DetectorSettings(sensitivity=100, min_area=0.01, masks=[[[0, 0], [1, 0], [0.5, 1]]])  # type: ignore[arg-type]

    assert settings.masks == (((0.0, 0.0), (1.0, 0.0), (0.5, 1.0)),)
    assert hash(settings) == hash(DetectorSettings(sensitivity=100, min_area=0.01, masks=settings.masks))


@pytest.mark.parametrize(
    ("width", "height", "target", "expected"),
    [
        (640, 360, 144, (256, 144)),
        (1920, 1080, 144, (256, 144)),
        (1280, 720, 90, (160, 90)),
        (704, 576, 144, (176, 144)),  # PAL D1, 4:3-ish
        (1280, 960, 144, (192, 144)),
        (2560, 1080, 144, (342, 144)),  # 21:9, 341.3 rounded to even
        (1000, 500, 144, (288, 144)),
        (500, 1000, 144, (72, 144)),  # portrait
        (3, 1000, 144, (2, 144)),  # at least 2 wide
        (256, 144, 144, (256, 144)),  # already the target: unchanged
        (160, 90, 144, (160, 90)),  # smaller: never upscaled
        (161, 91, 144, (161, 91)),  # smaller and odd: left as it is
    ],
)
def test_analysis_size(width: int, height: int, target: int, expected: tuple[int, int]) -> None:
    assert analysis_size(width, height, target) == expected


@pytest.mark.parametrize(("width", "height", "target"), [(0, 360, 144), (640, 0, 144), (640, 360, 0)])
def test_analysis_size_rejects_non_positive_sizes(width: int, height: int, target: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        analysis_size(width, height, target)


@pytest.mark.parametrize(
    ("sensitivity", "threshold"),
    [(1, 60), (25, 47), (50, 34), (75, 21), (90, 13), (100, 8), (0, 60), (-5, 60), (101, 8), (1000, 8)],
)
def test_sensitivity_threshold(sensitivity: int, threshold: int) -> None:
    assert sensitivity_threshold(sensitivity) == threshold


def test_sensitivity_threshold_falls_as_sensitivity_rises() -> None:
    thresholds = [sensitivity_threshold(sensitivity) for sensitivity in range(1, 101)]

    assert thresholds == sorted(thresholds, reverse=True)
    assert len(set(thresholds)) > 40


def test_mask_image() -> None:
    assert mask_image((), 256, 144) is None

    whole = mask_image((WHOLE_FRAME,), 256, 144)
    assert whole is not None
    assert whole.shape == (144, 256)
    assert whole.dtype == np.uint8
    assert not whole.any()

    half = mask_image([list(LEFT_HALF)], 256, 144)
    assert half is not None
    assert set(np.unique(half)) == {0, 255}
    assert not half[:, :128].any()  # the left half is masked...
    assert (half[:, 130:] == 255).all()  # ...the right half is analysed (the edge column may go either way)


def test_box_as_list_rounds_to_four_decimals() -> None:
    assert Box(1 / 3, 0.123456, 0.5, 2 / 3).as_list() == [0.3333, 0.1235, 0.5, 0.6667]
