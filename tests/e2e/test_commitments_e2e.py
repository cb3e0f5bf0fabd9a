"""Commitments as figures in the browser (issue #18), on the demo world: lead staff open a
partner's figures from the programme page, add one, and the report shows it committed against
delivered with its flag in words; the food bank's 40 hours a month against 31 delivered last
month is flagged behind on the report and the staff's home page; axe finds nothing on these
pages at 390 and 1280 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, screenshots, sign_in


def _axe_both(page) -> None:
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        check_a11y(page)


def test_staff_add_a_figure_and_the_report_shows_it_against_delivery(page) -> None:
    sign_in(page, "staff@demo.coprod.org")
    home = page.locator("#home-behind").locator("xpath=..")
    expect(home).to_contain_text("40 volunteer hours a month", use_inner_text=True)
    expect(home).to_contain_text("31 h delivered of 40 h committed", use_inner_text=True)

    page.goto("/programmes")
    page.get_by_role("link", name="Community Meals").first.click()
    page.get_by_role("link", name="Commitment figures of Northside Residents' Association").click()
    page.wait_for_url(re.compile(r"/partners/\d+/commitments$"))
    _axe_both(page)
    screenshots(page, "commitments-partner")

    page.get_by_label("Volunteer hours per period").check()
    page.get_by_label("Amount", exact=True).fill("6")
    page.get_by_label("Per", exact=True).select_option("week")
    page.get_by_role("button", name="Add the figure").click()
    page.get_by_text("The figure is added.").wait_for()
    figures = page.locator("#figures-caption").locator("xpath=ancestor::table")
    expect(figures).to_contain_text("6 volunteer hours a week from 1 January", use_inner_text=True)

    page.get_by_role("link", name="The programme's reports, with every partner's figures").click()
    section = page.locator("#table-commitments")
    expect(section).to_contain_text("6 volunteer hours a week", use_inner_text=True)
    row = section.locator("tr", has_text="Riverside Food Bank")
    expect(row).to_contain_text("40 h", use_inner_text=True)
    expect(row).to_contain_text("31 h", use_inner_text=True)
    expect(row).to_contain_text("Behind", use_inner_text=True)
    chart = page.locator("svg:has(#chart-commitments-title)")
    assert "31 h delivered of 40 h: behind" in (chart.text_content() or "")
    _axe_both(page)
    screenshots(page, "commitments-report")
