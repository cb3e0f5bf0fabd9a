"""Honest logs in Chromium at 390 px and 1280 px, with axe: "Log hours" from My schedule filled
in, the edit and withdraw pages, and the review queue with its flags and "select all"."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, screenshots, sign_in

SIZES = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]


def no_sideways_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"


def test_log_hours_from_my_schedule_then_edit_and_withdraw(page: Any) -> None:
    sign_in(page, "volunteer@demo.coprod.org")
    page.goto("/my/schedule?past=1")
    check_a11y(page)
    screenshots(page, "logs-my-schedule-past")
    page.get_by_role("link", name=re.compile(r"^Log hours")).first.click()
    # Everything filled in: the shift's day, its length, the shift itself.
    expect(page.get_by_label("Date")).not_to_have_value("")
    expect(page.get_by_label("Hours")).not_to_have_value("")
    expect(page.get_by_label("Shift")).not_to_have_value("")
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        check_a11y(page)
        no_sideways_scroll(page)
    screenshots(page, "logs-new-from-schedule")
    page.get_by_label("Notes").fill("Sorted the tins by date.")
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(re.compile(r"/logs/\d+$"))
    log_url = page.url
    page.get_by_role("link", name="Change this log").click()
    page.get_by_label("Hours").fill("1.5")
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        check_a11y(page)
        no_sideways_scroll(page)
    screenshots(page, "logs-edit")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(log_url)
    expect(page.get_by_text("Changed before review")).not_to_have_count(0)
    page.get_by_role("link", name="Withdraw this log").click()
    page.wait_for_url(re.compile(r"/logs/\d+/withdraw$"))
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        check_a11y(page)
        no_sideways_scroll(page)
    screenshots(page, "logs-withdraw")
    page.get_by_role("button", name=re.compile(r"^Yes, withdraw")).click()
    page.wait_for_url(log_url)
    expect(page.locator(".cp-tag--withdrawn")).to_have_text("Withdrawn", use_inner_text=True)
    page.goto("/my/schedule?past=1")
    expect(page.get_by_role("link", name=re.compile(r"^View your log"))).not_to_have_count(0)


@pytest.mark.parametrize("size", SIZES)
def test_the_review_queue_shows_flags_and_selects_all(page: Any, size: dict[str, int]) -> None:
    page.set_viewport_size(size)
    sign_in(page, "reviewer@demo.coprod.org")
    page.goto("/review")
    check_a11y(page)
    no_sideways_scroll(page)
    expect(page.get_by_text(re.compile(r"more than the shift's length"))).not_to_have_count(0)
    select_all = page.get_by_label(re.compile(r"^Select all \d+ on this page"))
    label = page.locator("label[for=select-all]")  # USWDS draws the box on the label
    label.click()
    assert select_all.is_checked()
    boxes = page.locator("input[name=log_ids]")
    expect(boxes).not_to_have_count(0)
    assert all(boxes.nth(i).is_checked() for i in range(boxes.count()))
    label.click()
    assert not any(boxes.nth(i).is_checked() for i in range(boxes.count()))
    page.screenshot(
        path=str(screenshots.__globals__["ARTIFACTS"] / f"logs-queue-{size['width']}.png"),
        full_page=True,
    )


def test_approve_all_on_the_page_without_javascript(browser: Any, live_server: str) -> None:
    context = browser.new_context(
        base_url=live_server, viewport=PHONE, java_script_enabled=False, bypass_csp=True
    )
    page = context.new_page()
    try:
        sign_in(page, "reviewer@demo.coprod.org")
        page.goto("/review")
        approve_all = page.get_by_role("button", name=re.compile(r"^Approve all \d+ on this page"))
        expect(approve_all).to_be_visible()  # the queue is there
        expect(page.get_by_label(re.compile(r"^Select all"))).to_be_hidden()
        approve_all.click()
        asked = re.compile(r"^Approve (all \d+ logs|the 1 log)")
        expect(page.get_by_role("heading", name=asked)).to_be_visible()
        screenshots(page, "logs-approve-page-confirm")
    finally:
        context.close()
