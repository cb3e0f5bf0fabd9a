"""The home page per role, the menu on a phone, stacked tables, and the flash after a redirect,
in real Chromium at 390 px and 1280 px."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, check_a11y, sign_in
from tests.e2e.journeys import open_task, register, row_with_free_places

# The heading each demo role must find on its home page.
SECTIONS = {
    "volunteer": "Your shifts and hours",
    "coordinator": "Shifts you coordinate",
    "staff": "Your programmes",
    "reviewer": "Logs to review",
    "partner": "Shifts you coordinate",  # Green Streets Trust's coordinator
    "admin": "Your shifts and hours",
}


def _no_sideways_scroll(page: Any) -> None:
    """Neither the page nor a table's scrolling wrapper is wider than the screen."""
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"
    wider = page.locator(".cp-table-wrap").evaluate_all(
        "ws => ws.filter(w => w.scrollWidth > w.clientWidth + 1).map(w => w.scrollWidth)"
    )
    assert wider == [], f"a table on {page.url} scrolls sideways: {wider} px"


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.parametrize("role", list(SECTIONS))
def test_home_page_as_each_role(page, role, size) -> None:
    viewport = PHONE if size == "phone" else DESKTOP
    page.set_viewport_size(viewport)
    sign_in(page, f"{role}@demo.coprod.org")
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        re.compile(r"^Hello, "), use_inner_text=True
    )
    expect(page.get_by_role("heading", name=SECTIONS[role])).to_be_visible()
    _no_sideways_scroll(page)
    check_a11y(page)
    _shot(page, f"home-{role}-{size}")


def test_the_coordinator_home_lists_this_week_and_links_to_rosters(page) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, "coordinator@demo.coprod.org")
    page.goto("/")
    week = page.locator("ul[aria-labelledby='home-coming-up'] li")
    expect(week).not_to_have_count(0)
    week.first.get_by_role("link", name=re.compile(": roster")).click()  # not "Find people…"
    page.wait_for_url(re.compile(r"/shifts/\d+/roster"))


def test_the_menu_works_with_the_keyboard_on_a_phone(page) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, "staff@demo.coprod.org")
    page.goto("/")
    menu = page.locator("summary.cp-menu__button")
    find = page.get_by_role("link", name="Find tasks")
    expect(menu).to_be_visible()  # the page is there: the hidden link is truly hidden
    expect(find).to_be_hidden()
    # The header (logo and Menu button) is one row.
    header = page.locator("header").bounding_box()
    assert header is not None and header["height"] < 90
    # Tab from the top: skip link, logo, then the Menu button.
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "SUMMARY":
            break
    assert page.evaluate("document.activeElement.tagName") == "SUMMARY"
    page.keyboard.press("Enter")
    expect(find).to_be_visible()
    _no_sideways_scroll(page)  # the open menu fits the screen
    check_a11y(page)
    _shot(page, "menu-open-phone")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Find tasks"
    page.keyboard.press("Enter")
    page.wait_for_url("**/tasks")


def test_the_nav_is_one_row_without_a_button_on_a_desktop(page) -> None:
    sign_in(page, "admin@demo.coprod.org")
    page.goto("/")
    expect(page.locator(".cp-nav__list").first).to_be_visible()  # the page is there
    expect(page.locator("summary.cp-menu__button")).to_be_hidden()
    middles = page.locator(".cp-nav__list > li").evaluate_all(
        "items => items.map(li => { const r = li.getBoundingClientRect(); "
        "return Math.round(r.top + r.height / 2); })"
    )
    assert len(middles) >= 8 and max(middles) - min(middles) <= 4, middles


def test_stacked_tables_use_the_full_width_on_a_phone(page) -> None:
    page.set_viewport_size(PHONE)
    page.goto("/programmes")
    main = page.locator("main").evaluate("m => m.clientWidth")
    row = page.locator("table tbody tr").first.bounding_box()
    assert row is not None and row["width"] >= main - 40, (row, main)
    _no_sideways_scroll(page)


def test_the_review_queue_has_no_sideways_scrolling_on_a_phone(page) -> None:
    page.set_viewport_size(PHONE)
    sign_in(page, "reviewer@demo.coprod.org")
    page.goto("/review?status=all")
    expect(page.locator("table tbody tr")).not_to_have_count(0)
    _no_sideways_scroll(page)
    check_a11y(page)
    _shot(page, "review-queue-phone")


def test_the_flash_is_in_view_after_signing_up_on_a_phone(page) -> None:
    page.set_viewport_size(PHONE)
    register(page, "Flo Phone")
    open_task(page, "Meal delivery round")
    row = row_with_free_places(page, 1) or row_with_free_places(page, 2)
    assert row is not None, "no upcoming shift with a free place"
    row.get_by_role("button", name=re.compile(r"^Sign up for ")).click()
    flash = page.locator(".cp-flash")
    expect(flash).to_contain_text("You are signed up", use_inner_text=True)
    box = flash.bounding_box()  # relative to the viewport
    assert box is not None
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], box
    _shot(page, "flash-after-sign-up-phone")


def test_report_figures_stay_tables_scrolling_inside_their_wrapper(page) -> None:
    """Compact tables of figures are not cards: they scroll in their wrapper, never the page."""
    page.set_viewport_size(PHONE)
    sign_in(page, "staff@demo.coprod.org")
    page.goto("/programmes")
    page.get_by_role("link", name="Community Meals").first.click()
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url(re.compile(r"/programmes/\d+/reports"))
    table = page.locator("table.usa-table--compact").first
    assert table.evaluate("t => getComputedStyle(t).display") == "table"
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
