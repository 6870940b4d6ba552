"""The wide picture the demo's PTZ camera looks into: a drawn street scene.

A panorama of 4800x1800 pixels (BGR) with something to recognise everywhere,
so that panning, tilting and zooming are obvious: sky with a sun and clouds,
hills, a row of named buildings (North Gate ... South Gate) with lit and dark
windows, numbered lamp posts, a car park with numbered bays and cars with
number plates. Small print (door signs, plates, bay numbers) is readable only
when zoomed in. Drawing is deterministic (a fixed seed): the renderer and the
tests draw the same picture.
"""

from __future__ import annotations

import cv2
import numpy as np

WIDTH, HEIGHT = 4800, 1800
GROUND = 1150  # the street level: buildings stand on it, the car park lies below
FONT, BOLD = cv2.FONT_HERSHEY_SIMPLEX, cv2.FONT_HERSHEY_DUPLEX

# name, left, width, height, facade colour (BGR), door sign (small print)
BUILDINGS = [
    ("NORTH GATE", 120, 480, 330, (90, 110, 150), "Visitors report to reception"),
    ("RECEPTION", 700, 620, 430, (170, 160, 120), "Open 08:00 - 18:00"),
    ("CAFE", 1420, 420, 300, (80, 140, 200), "Today: soup of the day"),
    ("MAIN ENTRANCE", 1930, 940, 620, (150, 150, 150), "Please use the intercom"),
    ("WAREHOUSE A", 2980, 560, 400, (60, 90, 120), "Forklifts crossing"),
    ("LOADING BAY", 3640, 520, 350, (120, 100, 80), "No parking: deliveries only"),
    ("SOUTH GATE", 4260, 460, 330, (100, 120, 90), "Exit only after 20:00"),
]


def draw_panorama() -> np.ndarray:
    """The whole scene, drawn afresh (about a tenth of a second)."""
    rng = np.random.default_rng(14)
    picture = _sky()
    _sun_and_clouds(picture, rng)
    _hills(picture)
    _ground(picture)
    for building in BUILDINGS:
        _building(picture, rng, *building)
    _lamp_posts(picture)
    _car_park(picture, rng)
    return picture


def _sky() -> np.ndarray:
    top, horizon = np.array([150, 70, 20], np.float32), np.array([240, 215, 170], np.float32)
    ramp = np.linspace(0.0, 1.0, GROUND, dtype=np.float32)[:, None]
    sky = (top * (1 - ramp) + horizon * ramp).astype(np.uint8)
    picture = np.empty((HEIGHT, WIDTH, 3), np.uint8)
    picture[:GROUND] = sky[:, None, :]
    return picture


def _sun_and_clouds(picture: np.ndarray, rng: np.random.Generator) -> None:
    cv2.circle(picture, (3900, 260), 110, (60, 210, 255), -1, cv2.LINE_AA)
    for x in range(200, WIDTH, 520):
        y = int(rng.integers(120, 520))
        for dx, dy, r in ((0, 0, 60), (60, -25, 70), (130, 0, 55), (65, 20, 60)):
            cv2.circle(picture, (x + dx, y + dy), r, (250, 250, 250), -1, cv2.LINE_AA)
    _text(picture, "TILT UP: THE SKY IS PART OF THE PICTURE TOO", (1480, 90), 1.6, (40, 20, 0), 3)


def _hills(picture: np.ndarray) -> None:
    xs = np.arange(0, WIDTH + 1, 40)
    ys = GROUND - 180 - 140 * np.sin(xs / 610.0) - 90 * np.sin(xs / 173.0 + 1.0)
    outline = np.stack([xs, ys], axis=1).astype(np.int32)
    polygon = np.vstack([outline, [[WIDTH, GROUND], [0, GROUND]]]).astype(np.int32)
    cv2.fillPoly(picture, [polygon], (80, 130, 90), cv2.LINE_AA)


def _ground(picture: np.ndarray) -> None:
    picture[GROUND:GROUND + 60] = (170, 175, 180)  # pavement
    picture[GROUND + 60:] = (75, 78, 80)  # asphalt
    for x in range(0, WIDTH, 80):
        cv2.line(picture, (x, GROUND), (x, GROUND + 60), (140, 145, 150), 2)
    centre = GROUND + 200
    for x in range(0, WIDTH, 160):
        cv2.rectangle(picture, (x, centre - 6), (x + 90, centre + 6), (230, 230, 230), -1)
    for x in range(2330, 2480, 30):  # a zebra crossing in front of the main entrance
        cv2.rectangle(picture, (x, GROUND + 70), (x + 16, GROUND + 300), (240, 240, 240), -1)
    for x, label in ((800, "BUS STOP"), (3300, "DELIVERIES")):
        cv2.rectangle(picture, (x, GROUND + 90), (x + 330, GROUND + 170), (0, 200, 255), 4)
        _centred(picture, label, (x + 165, GROUND + 148), 1.3, (0, 200, 255), 3)
    for x in (1500, 4000):
        cv2.arrowedLine(picture, (x, GROUND + 250), (x + 260, GROUND + 250), (230, 230, 230), 10, tipLength=0.25)


def _building(picture: np.ndarray, rng: np.random.Generator, name: str, left: int, width: int, height: int,
              colour: tuple[int, int, int], sign: str) -> None:
    top, right = GROUND - height, left + width
    cv2.rectangle(picture, (left, top), (right, GROUND), colour, -1)
    cv2.rectangle(picture, (left, top), (right, GROUND), (40, 40, 40), 4)
    cv2.rectangle(picture, (left - 10, top - 20), (right + 10, top), (60, 60, 60), -1)  # roof edge
    for y in range(top + 110, GROUND - 140, 90):
        for x in range(left + 30, right - 60, 80):
            lit = rng.random() < 0.45
            cv2.rectangle(picture, (x, y), (x + 45, y + 55), (120, 230, 250) if lit else (90, 60, 40), -1)
    size = 1.5 if width < 600 else 2.2
    _centred(picture, name, (left + width // 2, top + 75), size, (255, 255, 255), 4, background=(30, 30, 30))
    door_left = left + width // 2 - 50
    cv2.rectangle(picture, (door_left, GROUND - 130), (door_left + 100, GROUND), (40, 60, 90), -1)
    cv2.rectangle(picture, (door_left + 110, GROUND - 110), (door_left + 250, GROUND - 80), (240, 240, 240), -1)
    _text(picture, sign, (door_left + 114, GROUND - 92), 0.32, (20, 20, 20), 1)


def _lamp_posts(picture: np.ndarray) -> None:
    for number, x in enumerate(range(60, WIDTH, 300), start=1):
        cv2.line(picture, (x, GROUND + 55), (x, GROUND - 190), (50, 50, 50), 8)
        cv2.circle(picture, (x, GROUND - 195), 18, (180, 240, 255), -1, cv2.LINE_AA)
        cv2.rectangle(picture, (x - 34, GROUND + 5), (x + 34, GROUND + 45), (0, 120, 255), -1)
        _centred(picture, f"L{number}", (x, GROUND + 37), 0.9, (255, 255, 255), 2)


def _car_park(picture: np.ndarray, rng: np.random.Generator) -> None:
    colours = [(40, 40, 200), (200, 80, 40), (40, 160, 40), (30, 200, 230), (200, 200, 200), (60, 60, 60)]
    for row, top in enumerate((GROUND + 320, GROUND + 480)):
        for bay, x in enumerate(range(40, WIDTH - 120, 150)):
            cv2.rectangle(picture, (x, top), (x + 150, top + 150), (235, 235, 235), 3)
            number = row * 40 + bay + 1
            _centred(picture, f"P{number}", (x + 75, top + 145), 0.5, (235, 235, 235), 1)
            if rng.random() < 0.55:
                _car(picture, x + 20, top + 8, colours[int(rng.integers(len(colours)))], number)
    _text(picture, "VISITOR PARKING", (4300, GROUND + 300), 1.4, (0, 215, 255), 3)


def _car(picture: np.ndarray, x: int, y: int, colour: tuple[int, int, int], number: int) -> None:
    cv2.rectangle(picture, (x, y + 20), (x + 110, y + 120), colour, -1)
    cv2.rectangle(picture, (x + 15, y), (x + 95, y + 45), tuple(int(c * 0.7) for c in colour), -1)
    for wheel_x in (x + 20, x + 90):
        cv2.circle(picture, (wheel_x, y + 122), 12, (20, 20, 20), -1)
    cv2.rectangle(picture, (x + 25, y + 92), (x + 85, y + 110), (240, 240, 240), -1)
    _centred(picture, f"CC {number:03d}", (x + 55, y + 106), 0.35, (10, 10, 10), 1)


def _text(picture: np.ndarray, text: str, origin: tuple[int, int], scale: float, colour: tuple[int, int, int],
          thickness: int) -> None:
    cv2.putText(picture, text, origin, BOLD if scale >= 1 else FONT, scale, colour, thickness, cv2.LINE_AA)


def _centred(picture: np.ndarray, text: str, bottom_centre: tuple[int, int], scale: float,
             colour: tuple[int, int, int], thickness: int, background: tuple[int, int, int] | None = None) -> None:
    font = BOLD if scale >= 1 else FONT
    (width, height), _ = cv2.getTextSize(text, font, scale, thickness)
    x, y = bottom_centre[0] - width // 2, bottom_centre[1]
    if background is not None:
        cv2.rectangle(picture, (x - 12, y - height - 12), (x + width + 12, y + 12), background, -1)
    cv2.putText(picture, text, (x, y), font, scale, colour, thickness, cv2.LINE_AA)
