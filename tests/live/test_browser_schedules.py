"""A schedule's time windows edited in a real Chromium: the rows the page renders post back as windows.

The form's own tests post hand-built row data; this one proves the page's
rows (and the formset's hidden counters) are what a browser really sends.
"""

from __future__ import annotations

import pytest

from accounts.roles import Role
from recordings.models import MotionSettings
from tests.support.browser import log_in
from tests.support.factories import PASSWORD, make_camera, make_member, make_organization, make_site, make_user

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WEEKEND = {"days": [5, 6], "start": "00:00", "end": "00:00"}
WEEKNIGHTS = {"days": [0, 1, 2, 3, 4], "start": "18:00", "end": "07:00"}


@pytest.fixture
def yard():  # type: ignore[no-untyped-def]
    org = make_organization("Schedule Org")
    admin = make_user()
    make_member(admin, org, Role.ADMIN)
    return make_camera(make_site(org, "Depot"), "Yard"), admin


def _save(page) -> None:  # type: ignore[no-untyped-def]
    with page.expect_navigation():
        page.get_by_role("button", name="Save motion settings").click()


def _saved_schedule(camera) -> list:  # type: ignore[no-untyped-def]
    return MotionSettings.objects.get(camera=camera).schedule


def test_windows_are_added_and_removed_on_the_motion_page(yard, daphne, browser) -> None:  # type: ignore[no-untyped-def]
    camera, admin = yard
    page = browser.new_page()
    log_in(page, daphne.http_url, admin.email, PASSWORD)
    page.goto(f"{daphne.http_url}/cameras/{camera.public_id}/motion/")
    rows = page.locator("[data-schedule-window]")
    assert rows.count() == 1  # no windows yet: one blank row

    rows.nth(0).get_by_label("Sat").check()
    rows.nth(0).get_by_label("Sun").check()
    _save(page)
    assert _saved_schedule(camera) == [WEEKEND]
    assert rows.count() == 2  # the saved window and a new blank row

    blank = rows.nth(1)
    for day in ("Mon", "Tue", "Wed", "Thu", "Fri"):
        blank.get_by_label(day).check()
    blank.get_by_label("From").fill("18:00")
    blank.get_by_label("Until").fill("07:00")
    _save(page)
    assert _saved_schedule(camera) == [WEEKEND, WEEKNIGHTS]
    assert rows.count() == 3

    rows.nth(0).get_by_label("Remove this window").check()
    _save(page)
    assert _saved_schedule(camera) == [WEEKNIGHTS]
    assert rows.count() == 2
