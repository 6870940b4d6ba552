"""The live wall's layout in a real Chromium: it fits the window, the bar keeps to one row, one mark per tile.

A 10x10 wall of cameras that are on no gateway (their players only learn
"unavailable", so no video is needed to judge the layout), under Daphne with
the real templates, CSS and scripts. The playing wall (posters, badges over
real video) is in test_browser_grid.py; speed is measured by bench.grid_100,
never asserted here.
"""

from __future__ import annotations

from typing import Any

import pytest

from accounts.roles import Role
from tests.support.browser import log_in
from tests.support.factories import PASSWORD, make_camera, make_member, make_organization, make_site, make_user
from tests.support.services import REPO_ROOT

pytestmark = [pytest.mark.integration, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTIFACTS = REPO_ROOT / "test-artifacts"
WALL_SIZES = [(1600, 1000), (1920, 1080), (1280, 800)]

# Every tile's and name's box, and the window's size, as the page lays them out.
BOXES_JS = """() => {
  const box = (el) => { const r = el.getBoundingClientRect(); return {x: r.x, y: r.y, right: r.right, bottom: r.bottom,
                                                                  width: r.width, height: r.height}; };
  return {
    width: document.documentElement.clientWidth, height: document.documentElement.clientHeight,
    scrollHeight: document.documentElement.scrollHeight,
    tiles: Array.from(document.querySelectorAll('.live-grid .live-tile')).map((tile) => {
      const label = tile.querySelector('.live-label');
      const style = getComputedStyle(label);
      return {tile: box(tile), label: box(label), text: label.textContent,
              shown: style.display !== 'none' && style.visibility !== 'hidden' && parseFloat(style.fontSize) >= 8};
    }),
  };
}"""


@pytest.fixture
def wall_org():  # type: ignore[no-untyped-def]
    """An organization with 100 cameras, its owner and an admin (who is also Django staff)."""
    org = make_organization("Wall Layout Org")
    owner = make_user(email="owner.with.a.rather.long.address@wall-layout.example")
    admin = make_user(email="admin@wall-layout.example", is_staff=True)
    make_member(owner, org, Role.OWNER)
    make_member(admin, org, Role.ADMIN)
    # The owner belongs to a second organization too, so the bar carries the organization switcher.
    make_member(owner, make_organization("Zeta Second Organization With A Long Name"), Role.OWNER)
    site = make_site(org, "Depot")
    for number in range(100):
        make_camera(site, name=f"Loading bay camera {number:03d}")
    return owner, admin


def _outside(box: dict[str, float], width: float, height: float) -> bool:
    return box["x"] < 0 or box["y"] < 0 or box["right"] > width + 0.5 or box["bottom"] > height + 0.5


@pytest.mark.parametrize(("width", "height"), WALL_SIZES)
def test_ten_by_ten_wall_fits_the_window_with_every_name_visible(  # type: ignore[no-untyped-def]
    wall_org, daphne, browser, width: int, height: int
) -> None:
    owner, _ = wall_org
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    log_in(page, daphne.http_url, owner.email, PASSWORD)
    page.goto(f"{daphne.http_url}/live/?layout=10x10", wait_until="domcontentloaded")  # not every picture

    layout = page.evaluate(BOXES_JS)
    assert len(layout["tiles"]) == 100
    assert layout["scrollHeight"] <= layout["height"], "the wall page scrolls"
    outside = [t["text"] for t in layout["tiles"] if _outside(t["tile"], layout["width"], layout["height"])]
    assert not outside, f"tiles outside the {width}x{height} window: {outside}"
    for tile in layout["tiles"]:
        label, box = tile["label"], tile["tile"]
        assert tile["shown"] and tile["text"].startswith("Loading bay camera"), tile
        assert label["width"] > 0 and label["height"] > 0, tile
        # The name sits inside its own tile, so nothing of it is cut by the window either.
        assert box["x"] <= label["x"] and label["bottom"] <= box["bottom"] + 0.5, tile
    # The tiles are 16:9, in 10 columns.
    first = layout["tiles"][0]["tile"]
    assert first["width"] / first["height"] == pytest.approx(16 / 9, rel=0.03)
    assert len({round(t["tile"]["y"]) for t in layout["tiles"]}) == 10
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"wall-10x10-{width}x{height}.png"))


def _nav_rows(page: Any) -> dict[str, Any]:
    return page.evaluate("""() => {
      const items = Array.from(document.querySelectorAll('.topbar-inner > *:not(.nav-toggle):not(.main-nav), '
                                                         + '.main-nav > ul > li'))
        .filter((el) => el.getClientRects().length);
      const logout = Array.from(document.querySelectorAll('.main-nav button'))
        .find((b) => b.textContent.trim() === 'Log out');
      const style = getComputedStyle(logout);
      const lineHeight = parseFloat(style.lineHeight);
      return {
        tops: items.map((el) => Math.round(el.getBoundingClientRect().top + el.getBoundingClientRect().height / 2)),
        texts: items.map((el) => el.textContent.trim().split(/\\s+/).slice(0, 2).join(' ')),
        logoutHeight: logout.getBoundingClientRect().height, logoutLine: lineHeight,
        logoutPadding: parseFloat(style.paddingTop) + parseFloat(style.paddingBottom),
        overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth,
      };
    }""")


@pytest.mark.parametrize("who", ["owner", "admin"])
@pytest.mark.parametrize("width", [1280, 1440])
def test_top_navigation_keeps_to_one_row(wall_org, daphne, browser, who: str, width: int) -> None:  # type: ignore[no-untyped-def]
    owner, admin = wall_org
    user = owner if who == "owner" else admin
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": 800})
    log_in(page, daphne.http_url, user.email, PASSWORD)
    for path in ("/", "/live/"):
        page.goto(f"{daphne.http_url}{path}", wait_until="domcontentloaded")
        rows = _nav_rows(page)
        # Every entry of the bar (brand, switcher, links, menu, account, "Log out") centred on one line.
        assert max(rows["tops"]) - min(rows["tops"]) <= 4, rows
        assert not rows["overflow"], rows
        # "Log out" on one line: its box is one line of text high.
        assert rows["logoutHeight"] - rows["logoutPadding"] <= rows["logoutLine"] * 1.2, rows
    # The organization's pages (and Django admin, for staff) are in the bar's "Manage" menu.
    page.click("summary.nav-menu-button")
    assert page.locator(".nav-menu-list a", has_text="Members").is_visible()
    assert page.locator(".nav-menu-list a", has_text="Django admin").is_visible() == (who == "admin")
    page.keyboard.press("Escape")
    assert not page.locator(".nav-menu-list a", has_text="Members").is_visible()


def test_one_status_mark_per_tile_with_a_tooltip_and_a_legend(wall_org, daphne, browser) -> None:  # type: ignore[no-untyped-def]
    owner, _ = wall_org
    page = browser.new_page()
    page.set_viewport_size({"width": 1600, "height": 1000})
    log_in(page, daphne.http_url, owner.email, PASSWORD)
    page.goto(f"{daphne.http_url}/live/?layout=3x3", wait_until="domcontentloaded")
    page.wait_for_function("() => document.querySelectorAll('.live-grid cctv-player .live-badge').length === 9")

    marks = page.eval_on_selector_all(".live-grid .live-tile", """tiles => tiles.map((tile) => ({
        marks: tile.querySelectorAll('.live-badge, .live-status').length,
        title: (tile.querySelector('.live-badge') || {}).title || '',
    }))""")
    assert len(marks) == 9
    assert all(m["marks"] == 1 for m in marks), marks
    # Not on a gateway: the tooltip says the state and why.
    page.wait_for_function("""() => Array.from(document.querySelectorAll('.live-grid .live-badge'))
        .every((b) => b.title.startsWith('Offline') && b.title.includes(':'))""")
    legend = page.locator(".live-legend")
    assert legend.is_visible()
    assert [t.strip() for t in legend.locator("li").all_inner_texts()] == ["Live", "Starting", "Offline", "Paused"]

    # One camera large, and the camera page: the same one mark on the picture.
    camera = page.get_attribute(".live-grid cctv-player", "camera")
    for url in (f"/live/cameras/{camera}/", f"/cameras/{camera}/"):
        page.goto(f"{daphne.http_url}{url}", wait_until="domcontentloaded")
        page.wait_for_selector(".live-tile-single cctv-player .live-badge")
        assert page.eval_on_selector(".live-tile-single",
                                     "t => t.querySelectorAll('.live-badge, .live-status').length") == 1, url


@pytest.mark.parametrize("layout", ["1", "2x2", "4x4"])
def test_phone_wall_has_no_sideways_scroll_and_big_enough_tiles(wall_org, daphne, browser, layout: str) -> None:  # type: ignore[no-untyped-def]
    owner, _ = wall_org
    page = browser.new_page()
    page.set_viewport_size({"width": 390, "height": 844})
    log_in(page, daphne.http_url, owner.email, PASSWORD)
    page.goto(f"{daphne.http_url}/live/?layout={layout}", wait_until="domcontentloaded")

    layout_boxes = page.evaluate(BOXES_JS)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    tiles = layout_boxes["tiles"]
    columns = len({round(t["tile"]["x"]) for t in tiles})
    assert columns == {"1": 1, "2x2": 2, "4x4": 2}[layout]  # a phone shows at most two across
    assert all(t["tile"]["width"] >= 150 and not _outside(t["tile"], 390, 10_000) for t in tiles), tiles
    if layout in ("1", "2x2"):  # these fit the screen without scrolling
        assert all(not _outside(t["tile"], 390, 844) for t in tiles), tiles
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"wall-phone-{layout}.png"))
