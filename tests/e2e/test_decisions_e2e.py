"""Shared decisions in the browser (issue #18), on the demo world: Sofia (the council's staff)
opens a decision for the Community Meals partnership; Cora, the food bank's admin, finds it on
her home page and votes with a comment; Sofia closes it early after the confirmation page, and
the result and every organisation's vote are shown. axe finds nothing on the decision pages at
390 and 1280 px."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, screenshots, sign_in
from tests.e2e.journeys import sign_out

STAFF = "staff@demo.coprod.org"
CORA = "coordinator@demo.coprod.org"
QUESTION = "Buy a second chest freezer for the kitchen?"


def _both_widths(page: object) -> None:
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)  # type: ignore[attr-defined]
        check_a11y(page)


def test_staff_open_a_partner_admin_votes_and_the_result_is_shown(new_page) -> None:
    page = new_page()
    sign_in(page, STAFF)
    page.goto("/programmes")
    page.get_by_role("link", name="Community Meals").first.click()
    page.get_by_role("link", name=re.compile(r"^Decisions \(\d+ open\)")).click()
    page.wait_for_url(re.compile(r"/programmes/\d+/decisions$"))
    _both_widths(page)
    page.get_by_role("link", name="Open a decision").click()
    page.wait_for_url(re.compile(r"/decisions/new$"))  # axe on the form, not the list
    _both_widths(page)
    page.get_by_label("Question").fill(QUESTION)
    page.get_by_label("Options, one a line").fill("Yes\nNo")
    page.get_by_label("Closing date").fill((date.today() + timedelta(days=6)).isoformat())
    page.get_by_label("Closing time").fill("17:00")
    page.get_by_role("button", name="Open the decision").click()
    page.wait_for_url(re.compile(r"/decisions/\d+$"))
    decision_url = str(page.url)
    expect(page.get_by_text("Europe/London").first).to_be_visible()
    sign_out(page)

    sign_in(page, CORA)
    _both_widths(page)  # her home page, with the decisions waiting for the food bank's vote
    page.get_by_role("link", name=re.compile(re.escape(QUESTION))).click()
    page.wait_for_url(decision_url)
    _both_widths(page)
    page.locator(
        "label.usa-radio__label", has_text="Yes"
    ).click()  # the label, as a person clicks it
    page.get_by_label("Comment").fill("The food bank can pay half.")
    page.get_by_role("button", name="Record our vote").click()
    expect(page.get_by_text("The vote of Riverside Food Bank is recorded.")).to_be_visible()
    expect(page.get_by_role("cell", name="The food bank can pay half.")).to_be_visible()
    sign_out(page)

    sign_in(page, STAFF)
    page.goto(decision_url)
    page.get_by_role("link", name="Close this decision now").click()
    page.wait_for_url(re.compile(r"/decisions/\d+/close$"))
    _both_widths(page)
    page.get_by_role("button", name="Yes, close it now").click()
    page.wait_for_url(decision_url)
    result = page.locator("#decision-result")
    # One vote of four is no majority (and no consensus either).
    expect(result).to_contain_text(re.compile(r"No (majority|consensus)"), use_inner_text=True)
    expect(page.get_by_text("Did not vote:")).to_be_visible()
    expect(page.get_by_role("cell", name="The food bank can pay half.")).to_be_visible()
    _both_widths(page)
    screenshots(page, "decision-closed")
