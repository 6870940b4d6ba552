"""In real Chromium: an alert leads to its camera's page (picture playing, the event and its snapshot
with the moving area outlined), and an operator acknowledges a page of alerts at once. No CSP
violation or script error on the way."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEvent, User
from accounts.roles import Role
from cameras import services, sync
from cameras.models import Camera
from recordings.models import MotionEvent
from tests.recordings.motion_helpers import make_event
from tests.support.browser import PageProblems, log_in, wait_players_live
from tests.support.factories import PASSWORD, make_member, make_organization, make_site, make_user
from tests.support.media import keep_sources_open, stop_processes

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_TIMEOUT = 30
BOX = [0.25, 0.5, 0.5, 0.25]  # x, y, w, h as fractions of the picture


def _real_jpeg() -> bytes:
    """A 320x180 test picture as a JPEG the browser decodes (the unit tests' bytes are not one)."""
    return subprocess.run(
        ["ffmpeg", "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i", "testsrc2=size=320x180",
         "-frames:v", "1", "-f", "image2", "-c:v", "mjpeg", "pipe:1"],
        check=True, capture_output=True, timeout=30,
    ).stdout


@dataclass
class Hub:
    operator: User
    camera: Camera
    alert: MotionEvent
    others: list[MotionEvent]


@pytest.fixture
def hub(gateway_row, camera_sim) -> Iterator[Hub]:  # type: ignore[no-untyped-def]
    readers = keep_sources_open(camera_sim, ["cam1"])
    org = make_organization("Hub Org")
    admin, operator = make_user(), make_user()
    make_member(admin, org, Role.ADMIN)
    make_member(operator, org, Role.OPERATOR)
    camera = services.create_camera(admin, make_site(org, "Depot", timezone="Europe/Paris"), name="Gate",
                                    main_source=camera_sim.source("cam1"))
    sync.push_camera(camera)
    jpeg, now = _real_jpeg(), timezone.now()
    # The alert of the link is older than the camera page's recent ones: it must still be shown there.
    alert = make_event(camera, started_at=now - timedelta(hours=5), snapshot=jpeg, boxes=[BOX])
    others = [make_event(camera, started_at=now - timedelta(minutes=n + 1), snapshot=jpeg, boxes=[BOX])
              for n in range(10)]
    yield Hub(operator, camera, alert, others)
    stop_processes(readers)


def test_an_alert_leads_to_the_camera_page_with_picture_event_and_boxes(hub: Hub, daphne, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    problems = PageProblems(page)
    log_in(page, daphne.http_url, hub.operator.email, PASSWORD)
    page.goto(f"{daphne.http_url}/alerts/?event={hub.alert.public_id}", wait_until="networkidle")

    with page.expect_navigation():
        page.locator(f'tr[data-event="{hub.alert.public_id}"] td[data-label="Camera"] a:not(.btn)').click()

    assert f"/cameras/{hub.camera.public_id}/?event={hub.alert.public_id}" in page.url
    wait_players_live(page, 1, LIVE_TIMEOUT, mode="webrtc")
    card = page.locator(f"#alert-{hub.alert.public_id}")
    assert "is-highlighted" in (card.get_attribute("class") or "")
    frame = card.locator(".snapshot")
    page.wait_for_function(
        "(id) => document.querySelector(`#alert-${id} .snapshot`).classList.contains('is-loaded')",
        arg=str(hub.alert.public_id),
    )
    picture = frame.locator("img").bounding_box()
    box = frame.locator(".snapshot-box").bounding_box()
    assert picture and box
    # The outline sits where the motion was: a quarter in, half down, half wide, a quarter high.
    assert abs((box["x"] - picture["x"]) - 0.25 * picture["width"]) <= 2
    assert abs((box["y"] - picture["y"]) - 0.5 * picture["height"]) <= 2
    assert abs(box["width"] - 0.5 * picture["width"]) <= 2
    assert abs(box["height"] - 0.25 * picture["height"]) <= 2
    assert " CET" in card.inner_text() or " CEST" in card.inner_text()
    # The picture and the alert's snapshot are in view together, without scrolling.
    viewport = page.viewport_size
    for element in (page.locator("cctv-player"), frame):
        where = element.bounding_box()
        assert where and where["y"] >= 0 and where["y"] + where["height"] <= viewport["height"]
    assert problems.take() == []


def test_an_operator_acknowledges_ten_alerts_at_once(hub: Hub, daphne, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    problems = PageProblems(page)
    log_in(page, daphne.http_url, hub.operator.email, PASSWORD)
    page.goto(f"{daphne.http_url}/alerts/", wait_until="networkidle")
    selected = page.locator("button[data-bulk-selected]")
    assert selected.is_disabled()  # nothing ticked yet

    # One ticked by hand, with its note.
    page.locator(f'input[data-bulk-one][value="{hub.alert.public_id}"]').check()
    assert selected.is_enabled()
    page.fill("#bulk-note", "Delivery van")
    with page.expect_navigation():
        selected.click()
    assert "1 alert acknowledged." in page.inner_text("main")

    # Then all that are left on the page.
    page.fill("#bulk-note", "Fire drill")
    with page.expect_navigation():
        page.get_by_role("button", name="Acknowledge all shown (10)").click()

    assert "10 alerts acknowledged." in page.inner_text("main")
    assert page.locator("[data-alert-badge]").is_hidden()
    assert page.locator("input[data-bulk-one]").count() == 0
    notes = dict(MotionEvent.objects.values_list("public_id", "acknowledgement_note"))
    assert notes[hub.alert.public_id] == "Delivery van"
    assert {notes[event.public_id] for event in hub.others} == {"Fire drill"}
    assert AuditEvent.objects.filter(action="motion.acknowledge", actor=hub.operator).count() == 11
    assert problems.take() == []
