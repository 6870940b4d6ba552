"""In real Chromium on a phone-sized touch screen (390 x 844): every page a person reaches fits the
screen's width, its controls are big enough to tap, and the camera page shows the PTZ pad under the
picture with both in view at once. Also: the web app manifest, its icons and the favicon load.

Each page is measured, not looked at: the document's scroll width against the viewport's, every
element that sticks out on the right, and every control smaller than 44 x 44 CSS pixels (inline
links inside a sentence excepted, as WCAG 2.5.8 does; a check box counts by its label's row).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.models import User
from accounts.roles import Role
from cameras import services, sync
from cameras.models import Camera, PTZCapabilities
from tests.recordings.helpers import make_clip
from tests.recordings.motion_helpers import make_event
from tests.support.browser import PageProblems, launch, log_in, serve_static, wait_players_live
from tests.support.factories import PASSWORD, make_member, make_organization, make_site, make_user
from tests.support.media import keep_sources_open, stop_processes

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True}
MIN_TARGET = 44
LIVE_TIMEOUT = 30

# What sticks out of the viewport on the right, and which controls are too small to tap.
MEASURE_JS = """(minimum) => {
  const width = document.documentElement.clientWidth;
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const box = el.getBoundingClientRect();
    return box.width > 0 && box.height > 0;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
    ' "' + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 30) + '"';
  // Inside a box that scrolls sideways on its own (a wide table in its card): the page stays put.
  const scrolledInside = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const overflow = getComputedStyle(p).overflowX;
      const clips = overflow === 'auto' || overflow === 'scroll' || overflow === 'hidden';
      if (clips && p.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const wide = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el) || el.closest('.visually-hidden, .skip-link')) continue;
    const box = el.getBoundingClientRect();
    if (box.right > width + 1 && !scrolledInside(el)) wide.push(name(el) + ' right=' + Math.round(box.right));
  }
  // A link inside running text (its parent holds more words than the link) is exempt.
  const inline = (el) => {
    if (el.tagName !== 'A' || el.classList.contains('btn')) return false;
    const parent = el.parentElement;
    if (!parent) return false;
    const own = (el.innerText || '').trim().length;
    return (parent.innerText || '').trim().length > own + 3 && getComputedStyle(el).display === 'inline';
  };
  const small = [];
  const controls = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]');
  for (const el of controls) {
    if (!visible(el) || el.closest('.visually-hidden, .skip-link, .main-nav:not(.open)') || inline(el)) continue;
    let target = el;
    if (el.type === 'checkbox' || el.type === 'radio') target = el.closest('label, .check, .day-pick') || el;
    const box = target.getBoundingClientRect();
    if (box.height < minimum - 0.5 || box.width < minimum - 0.5) {
      small.push(name(el) + ' ' + Math.round(box.width) + 'x' + Math.round(box.height));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 15), small: small.slice(0, 25)};
}"""


@dataclass
class Phone:
    owner: User
    camera: Camera
    member_pk: int
    urls: list[str]


@pytest.fixture
def phone_world(gateway_row, camera_sim) -> Iterator[Phone]:  # type: ignore[no-untyped-def]
    readers = keep_sources_open(camera_sim, ["cam1"])
    org = make_organization("Phone Org")
    owner, viewer = make_user("owner@phone.example.test"), make_user("viewer.with.a.long.address@phone.example.test")
    make_member(owner, org, Role.OWNER)
    membership = make_member(viewer, org, Role.VIEWER)
    site = make_site(org, "Head Office with a rather long name", timezone="Europe/Paris", address="1 Long Street")
    camera = services.create_camera(owner, site, name="Entrance", main_source=camera_sim.source("cam1"),
                                    onvif_host="192.168.1.64")
    services.create_camera(owner, site, name="Yard", main_source=camera_sim.source("cam2"))
    sync.push_camera(camera)
    PTZCapabilities.objects.create(camera=camera, continuous_pan_tilt=True, continuous_zoom=True, home=True,
                                   presets=True, checked_at="2026-01-01T00:00:00Z")
    for _ in range(3):
        make_event(camera)
    make_clip(camera)
    account_services.create_token(owner, org, name="Phone token", role=Role.VIEWER)
    cam = camera.public_id
    urls = [
        reverse("dashboard"), reverse("camera_detail", args=[cam]), reverse("camera_edit", args=[cam]),
        reverse("camera_create"), reverse("camera_delete", args=[cam]), reverse("camera_motion", args=[cam]),
        reverse("camera_recording", args=[cam]), reverse("camera_timeline", args=[cam]),
        reverse("alert_list"), reverse("clip_list"), reverse("notification_list"),
        reverse("notification_rule_create"), reverse("webhook_create"),
        reverse("site_list"), reverse("site_create"), reverse("site_edit", args=[site.public_id]),
        reverse("member_list"), reverse("member_add"), reverse("member_edit", args=[membership.pk]),
        reverse("token_list"), reverse("token_create"), reverse("audit_log"), reverse("organization_settings"),
        reverse("mfa_index"), reverse("account_change_password"), reverse("account_email"),
        reverse("mfa_activate_totp"), "/no-such-page/",
    ]
    yield Phone(owner, camera, membership.pk, urls)
    stop_processes(readers)


@pytest.fixture
def phone(orm_beside_playwright: None, daphne, tmp_path: Path) -> Iterator[Any]:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        context = launch(driver, tmp_path / "phone-profile", **PHONE)
        serve_static(context)
        yield context
        context.close()


def _measure(page: Any) -> dict:
    return page.evaluate(MEASURE_JS, MIN_TARGET)


def test_every_page_fits_a_phone_and_its_controls_can_be_tapped(phone_world: Phone, daphne, phone) -> None:  # type: ignore[no-untyped-def]
    page = phone.new_page()
    page.goto(f"{daphne.http_url}/accounts/login/", wait_until="networkidle")
    failures = {"/accounts/login/": _measure(page)}
    log_in(page, daphne.http_url, phone_world.owner.email, PASSWORD)
    for url in phone_world.urls:
        page.goto(f"{daphne.http_url}{url}", wait_until="networkidle")
        failures[url] = _measure(page)
    # The menu, opened.
    page.goto(f"{daphne.http_url}/", wait_until="networkidle")
    page.click(".nav-toggle")
    failures["/ (menu open)"] = _measure(page)

    bad = {url: m for url, m in failures.items() if m["scrollWidth"] > m["width"] or m["wide"] or m["small"]}
    assert not bad, json.dumps(bad, indent=1)


def test_the_camera_page_puts_the_ptz_pad_under_the_picture_both_in_view(phone_world: Phone, daphne, phone) -> None:  # type: ignore[no-untyped-def]
    page = phone.new_page()
    problems = PageProblems(page)
    log_in(page, daphne.http_url, phone_world.owner.email, PASSWORD)
    # As an alert's link opens it: the alert's card is on the page too, and must not push the pad away.
    event = phone_world.camera.motion_events.latest("started_at")
    camera_url = reverse("camera_detail", args=[phone_world.camera.public_id])
    page.goto(f"{daphne.http_url}{camera_url}?event={event.public_id}")
    assert page.locator(f"#alert-{event.public_id}").is_visible()
    wait_players_live(page, 1, LIVE_TIMEOUT)

    picture = page.locator("#camera-stage cctv-player").bounding_box()
    pad = page.locator(".ptz-pad").bounding_box()
    viewport = page.viewport_size
    page.locator("#camera-stage").scroll_into_view_if_needed()
    measured = _measure(page)

    assert measured["scrollWidth"] <= measured["width"], measured
    assert pad["y"] >= picture["y"] + picture["height"] - 1, (picture, pad)  # under, not over or beside
    assert pad["x"] >= 0 and pad["x"] + pad["width"] <= viewport["width"]
    # Both in view at once: from the picture's top to the pad's bottom fits the screen's height.
    assert pad["y"] + pad["height"] - picture["y"] <= viewport["height"], (picture, pad)
    scrolled_to = page.evaluate("() => { window.scrollTo(0, document.querySelector('#camera-stage')"
                                ".getBoundingClientRect().top + scrollY - 8); return scrollY; }")
    pad_now = page.locator(".ptz-pad").bounding_box()
    picture_now = page.locator("#camera-stage cctv-player").bounding_box()
    assert picture_now["y"] >= 0 and pad_now["y"] + pad_now["height"] <= viewport["height"], (scrolled_to, pad_now)
    assert not problems.take()


def test_the_manifest_icons_and_favicon_load(phone_world: Phone, daphne, phone) -> None:  # type: ignore[no-untyped-def]
    page = phone.new_page()
    problems = PageProblems(page)
    page.goto(f"{daphne.http_url}/accounts/login/", wait_until="networkidle")

    manifest_href = page.locator('link[rel="manifest"]').get_attribute("href")
    icon_href = page.locator('link[rel="icon"]').first.get_attribute("href")
    manifest = page.request.get(f"{daphne.http_url}{manifest_href}")
    assert manifest.status == 200
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    body = manifest.json()
    assert body["display"] == "standalone" and body["start_url"] == "/"
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in body["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes
    # Each icon decodes in the browser at its stated size (through the page, so the CSP applies).
    for icon in body["icons"]:
        size = page.evaluate("""async (src) => { const img = new Image(); img.src = src; await img.decode();
                                 return img.naturalWidth + 'x' + img.naturalHeight; }""", icon["src"])
        assert size == icon["sizes"], icon
    favicon = page.evaluate("""async (src) => { const img = new Image(); img.src = src; await img.decode();
                               return img.naturalWidth; }""", icon_href)
    assert favicon > 0
    assert page.request.get(f"{daphne.http_url}/favicon.ico").status == 200
    assert not problems.take()


# --- the camera form in the browser: "Test connection" and a form error ------------------------------


@pytest.fixture
def form_world(gateway_row, camera_sim) -> Iterator[User]:  # type: ignore[no-untyped-def]
    """An admin with a site; the running gateway is the only one, so a new camera's test goes there."""
    readers = keep_sources_open(camera_sim, ["cam1"])
    org = make_organization("Form Org")
    admin = make_user("admin@form.example.test")
    make_member(admin, org, Role.ADMIN)
    make_site(org, "Depot")
    yield admin
    stop_processes(readers)


def _test_connection(page: Any, source: str) -> str:
    group = page.locator('[data-stream="main"]')
    group.locator("input[name=main_source]").fill(source)
    result = group.locator("[data-source-test-result]")
    group.locator("[data-source-test-button]").click()
    page.wait_for_function(
        "(el) => el.textContent && !el.textContent.startsWith('Testing')", arg=result.element_handle(), timeout=20000)
    return result.inner_text()


def test_test_connection_and_a_form_error_in_the_browser(form_world: User, camera_sim, daphne, phone) -> None:  # type: ignore[no-untyped-def]
    page = phone.new_page()
    problems = PageProblems(page)
    log_in(page, daphne.http_url, form_world.email, PASSWORD)
    page.goto(f"{daphne.http_url}{reverse('camera_create')}", wait_until="networkidle")

    assert _test_connection(page, camera_sim.source("cam1")).startswith("Reachable")
    assert "no stream at that path" in _test_connection(page, camera_sim.source("missing"))
    assert "loopback" in _test_connection(page, "rtsp://127.0.0.1:5432/")
    assert not Camera.objects.exists()

    # A form error (no name) keeps what was typed, less the password, which is asked again.
    page.fill("input[name=main_source]", "rtsp://installer:Secret-77@192.168.7.7:554/Streaming/101")
    page.fill("input[name=onvif_host]", "192.168.7.7")
    page.fill("input[name=onvif_username]", "ptz-admin")
    with page.expect_navigation():
        page.click("form.form button[type=submit]")
    assert page.locator("input[name=main_source]").input_value() == "rtsp://installer@192.168.7.7:554/Streaming/101"
    assert page.locator("input[name=onvif_host]").input_value() == "192.168.7.7"
    assert page.locator("input[name=onvif_username]").input_value() == "ptz-admin"
    assert "Secret-77" not in page.content()
    assert not problems.take()
