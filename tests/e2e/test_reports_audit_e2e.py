"""The report (last complete period, the one in progress marked, money in the programme's
currency) and the audit log (readable, linked, a diff that fits) in Chromium at a phone's
and a desktop's width: axe finds nothing and nothing scrolls sideways."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import ARTIFACTS, DESKTOP, PHONE, check_a11y, sign_in

SIZES = [("phone", PHONE), ("desktop", DESKTOP)]


def _fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} scrolls sideways ({width} px)"


def _shot(page: Any, name: str, label: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}-{label}.png"), full_page=True)


def _programme_id(page: Any, name: str = "Community Meals") -> str:
    page.goto("/programmes")
    page.locator("main a", has_text=name).first.click()
    page.wait_for_url(re.compile(r"/programmes/\d+"))  # else page.url may be the list's
    found = re.search(r"/programmes/(\d+)", page.url)
    assert found is not None
    return found.group(1)


@pytest.mark.parametrize(("label", "size"), SIZES)
def test_the_report_opens_on_the_last_complete_month_with_money_in_pounds(
    page, label, size
) -> None:
    page.set_viewport_size(size)
    sign_in(page, "partner@demo.coprod.org")  # Green Streets Trust: a partner of Green Streets
    pid = _programme_id(page, "Green Streets")
    page.goto(f"/programmes/{pid}/reports")
    intro = page.locator(".usa-intro").inner_text()
    assert "in progress" not in intro
    expect(page.locator("main")).to_contain_text("£25.00 an hour", use_inner_text=True)
    check_a11y(page)
    _fits(page)
    _shot(page, "report-last-complete", label)
    page.get_by_role("link", name=re.compile(r"\(in progress\) →")).click()
    expect(page.locator("#in-progress")).to_be_visible()
    main = page.locator("main").inner_text()
    assert "\u2212100" not in main and "-100" not in main
    check_a11y(page)
    _fits(page)
    _shot(page, "report-in-progress", label)


@pytest.mark.parametrize(("label", "size"), SIZES)
def test_the_audit_log_reads_in_words_links_and_fits(page, label, size) -> None:
    page.set_viewport_size(size)
    sign_in(page, "admin@demo.coprod.org")
    page.goto("/admin/audit")
    main = page.locator("main")
    # The newest entries come first; the demo's logs are among the older ones.
    page.get_by_label("Action").select_option(label="Logged hours for review")
    page.get_by_role("button", name="Filter").click()
    # Counting does not wait for the filtered page: wait for its first entry (or time out).
    main.get_by_role("heading", name="Logged hours for review").first.wait_for()
    expect(main.locator("a[href^='/logs/']")).not_to_have_count(0)
    check_a11y(page)
    _fits(page)
    _shot(page, "audit-log", label)
    page.get_by_label("Action").select_option(label="Verified an organisation")
    page.get_by_role("button", name="Filter").click()
    main.get_by_role("heading", name="Verified an organisation").first.wait_for()
    expect(main.get_by_role("heading", name="Logged hours for review")).to_have_count(0)
    check_a11y(page)
    _fits(page)


@pytest.mark.parametrize(("label", "size"), SIZES)
def test_staff_set_the_programme_currency_on_its_form(page, label, size) -> None:
    page.set_viewport_size(size)
    sign_in(page, "staff@demo.coprod.org")
    pid = _programme_id(page)
    page.goto(f"/programmes/{pid}/edit")
    currency = page.get_by_label("Currency")
    expect(currency).to_have_value("GBP")
    check_a11y(page)
    _fits(page)
    _shot(page, "programme-currency-form", label)
    page.goto(f"/programmes/{pid}")
    expect(page.locator("main")).to_contain_text("£28.50", use_inner_text=True)
    _shot(page, "programme-currency-page", label)
