"""Every page a signed-in admin reaches, in real Chromium, under the Content-Security-Policy without one violation.

The policy is portal/csp.py's, sent by the portal under Daphne. A page that
needs something the policy refuses (an inline script or style attribute, an
image or socket from elsewhere, a blob the player needs) reports a
``securitypolicyviolation`` (``tests.support.browser.PageProblems`` gathers them and
uncaught script errors); each page must report none. Live views must really
play, over WebRTC and over the MSE fallback (blob: media), and the scripts that
draw masks, copy a token and play a clip run, so their effects count too.
The header itself on every kind of page is tests/pages/test_csp.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

from accounts.models import User
from accounts.roles import Role
from cameras import services, sync
from cameras.models import Camera, PTZCapabilities
from tests.recordings.helpers import make_clip
from tests.recordings.motion_helpers import make_event
from tests.support.browser import PageProblems, log_in, wait_players_live
from tests.support.factories import PASSWORD, make_member, make_organization, make_site, make_user
from tests.support.media import keep_sources_open, stop_processes

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LIVE_TIMEOUT = 30


@dataclass
class Portal:
    admin: User
    mfa_user: User
    camera: Camera
    ptz_camera: Camera


@pytest.fixture
def portal(gateway_row, camera_sim) -> Iterator[Portal]:  # type: ignore[no-untyped-def]
    """An organization with two cameras on the running gateway (one with PTZ), a clip, an alert, and an admin."""
    readers = keep_sources_open(camera_sim, ["cam1", "cam2"])
    org = make_organization("CSP Org")
    admin = make_user(is_staff=True)
    mfa_user = make_user()
    make_member(admin, org, Role.ADMIN)
    make_member(mfa_user, org, Role.VIEWER)
    TOTP.activate(mfa_user, generate_totp_secret())
    site = make_site(org, "Depot")
    camera = services.create_camera(admin, site, name="Gate", main_source=camera_sim.source("cam1"))
    ptz_camera = services.create_camera(admin, site, name="Dome", main_source=camera_sim.source("cam2"))
    for each in (camera, ptz_camera):
        sync.push_camera(each)
    # PTZ as a worker would have found it: the live view shows its panel (no device is dialled here).
    Camera.objects.filter(pk=ptz_camera.pk).update(onvif_host="192.0.2.40")
    PTZCapabilities.objects.create(camera=ptz_camera, continuous_pan_tilt=True, continuous_zoom=True, presets=True,
                                   home=True)
    make_clip(camera)
    make_event(camera)
    yield Portal(admin, mfa_user, camera, ptz_camera)
    stop_processes(readers)


class Tour:
    """One page visited after the other; what each reported is kept to be asserted at the end, all at once."""

    def __init__(self, page: Any, base: str) -> None:
        self.page, self.base = page, base
        self.problems = PageProblems(page)
        self.found: dict[str, list[str]] = {}

    def visit(self, path: str, ready: str | None = None) -> None:
        response = self.page.goto(self.base + path, wait_until="networkidle")
        assert response is not None and response.status < 500, f"{path}: {response and response.status}"
        if ready:
            self.page.wait_for_selector(ready)
        self.note(path)

    def note(self, what: str) -> None:
        problems = self.problems.take()
        if problems:
            self.found[what] = problems


def test_the_policy_detector_sees_a_violation(portal: Portal, daphne, browser) -> None:  # type: ignore[no-untyped-def]
    """The check below can fail: markup with a style attribute, as an injection would add, is reported."""
    page = browser.new_page()
    problems = PageProblems(page)
    log_in(page, daphne.http_url, portal.admin.email, PASSWORD)
    assert problems.take() == []

    page.evaluate("() => document.body.insertAdjacentHTML('beforeend', '<b style=\"color: red\">injected</b>')")
    page.wait_for_function("() => window.__cspViolations.length > 0")

    assert any("style-src-attr" in problem for problem in problems.take())


def test_every_page_of_an_admin_loads_without_a_violation(portal: Portal, daphne, browser) -> None:  # type: ignore[no-untyped-def]
    page = browser.new_page()
    tour = Tour(page, daphne.http_url)
    for path in ("/accounts/login/", "/accounts/password/reset/"):
        tour.visit(path)

    log_in(page, daphne.http_url, portal.admin.email, PASSWORD)
    camera, ptz = portal.camera.public_id, portal.ptz_camera.public_id
    for path in (
        "/", "/sites/", "/sites/new/", f"/cameras/{camera}/", f"/cameras/{camera}/edit/", "/cameras/new/",
        f"/cameras/{camera}/delete/", "/alerts/", "/notifications/", "/notifications/rules/new/",
        "/notifications/webhooks/new/", "/members/", "/members/add/", "/tokens/", "/audit/", "/organization/",
        "/accounts/2fa/", "/accounts/2fa/totp/activate/", "/accounts/password/change/", "/accounts/email/",
        "/api/v1/cameras/", "/admin/", "/admin/cameras/camera/", f"/admin/cameras/camera/{portal.camera.pk}/change/",
        "/no-such-page/",
    ):
        tour.visit(path)

    # The live grid and one camera large, playing over WebRTC; the other over MSE (blob: media).
    tour.visit("/live/?layout=2x2")
    wait_players_live(page, 2, LIVE_TIMEOUT, mode="webrtc")
    tour.note("/live/?layout=2x2 playing")
    tour.visit(f"/live/cameras/{ptz}/", ready="[data-ptz] [data-ptz-dir='left']")
    wait_players_live(page, 1, LIVE_TIMEOUT, mode="webrtc")
    page.wait_for_function("() => !document.querySelector('[data-ptz-presets]').textContent.includes('Loading')")
    tour.note("PTZ camera playing")
    tour.visit(f"/live/cameras/{camera}/?force_mse=1")
    wait_players_live(page, 1, LIVE_TIMEOUT, mode="mse")
    tour.note("MSE playing")

    # The mask editor draws (canvas and a status line written by motion-settings.js).
    tour.visit(f"/cameras/{camera}/motion/")
    canvas = page.locator("[data-mask-canvas]")
    for x, y in ((20, 20), (120, 20), (70, 90)):
        canvas.click(position={"x": x, "y": y})
    page.get_by_role("button", name="Close polygon").click()
    page.wait_for_function("() => document.querySelector('[data-mask-status]').textContent.startsWith('Mask 1')")
    tour.note("mask drawn")

    # A clip plays inline from the portal (media-src 'self').
    tour.visit("/clips/")
    page.locator("[data-clip-play]").first.click()
    page.wait_for_selector(".clip-player-row video")
    tour.note("clip player")

    # A new token's page and its copy button (portal.js).
    tour.visit("/tokens/new/")
    page.fill("input[name=name]", "CSP check")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    page.locator("[data-copy-target]").first.click()
    page.wait_for_function("() => document.querySelector('[data-copy-target]').textContent !== 'Copy'")
    tour.note("token created and copied")

    # Swagger UI (its nonce'd inline script and style) once it has drawn the API from the schema.
    tour.visit("/api/docs/", ready=".swagger-ui .opblock-tag")

    # A member with two-factor authentication is asked for a code at login.
    tour.visit("/")
    with page.expect_navigation():
        page.locator("form[action='/accounts/logout/'] button").click()
    page.fill("input[name=login]", portal.mfa_user.email)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    assert "/accounts/2fa/authenticate/" in page.url
    tour.note("MFA code prompt")

    assert tour.found == {}
