"""The working week on a phone, end to end: the demo coordinator's home page leads to the
roster of yesterday's kitchen shift, "Mark all attended" turns the four volunteers' attendance
into logs, the demo reviewer finds them in the queue (with the flags column) and approves them
all at once, and a volunteer's home page shows the hours. At 390 px, axe on every page.

It uses up the demo's shift waiting for attendance: the other files, which need it unmarked,
have copies of the demo world of their own (tests/e2e/conftest.py)."""

from __future__ import annotations

import re
import sqlite3
from decimal import Decimal
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import PHONE, SERVER, check_a11y, screenshots, sign_in
from tests.e2e.test_roster_e2e import waiting_shift_id

PEOPLE = ("Maya Cohen", "Noah Schmidt", "Olivia Brown", "Priya Nair")  # the demo's four


def _flash_in_view(page: Any) -> None:
    box = page.locator(".usa-alert").first.bounding_box()
    assert box is not None and 0 <= box["y"] < PHONE["height"], box


def _hours_this_year(page: Any, programme: str) -> Decimal:
    page.goto("/")
    item = page.locator("#home-hours ~ ul li", has_text=programme)
    if not item.count():
        return Decimal(0)
    found = re.search(r"([\d.,]+) h in", item.first.inner_text())
    assert found, item.first.inner_text()
    return Decimal(found.group(1).replace(",", ""))


def _look(page: Any, name: str) -> None:
    """axe, then screenshots (which end at desktop width), then back to the phone."""
    check_a11y(page)
    screenshots(page, name)
    page.set_viewport_size(PHONE)


def test_a_coordinator_marks_a_shift_and_the_reviewer_approves_it_on_a_phone(new_page) -> None:
    shift = waiting_shift_id()

    def fresh() -> Any:
        page = new_page()
        page.set_viewport_size(PHONE)
        return None, page

    # Maya's hours before: the shift's programme, read from her own home page.
    _, maya = fresh()
    sign_in(maya, "maya@demo.coprod.org")
    programme = "Community Meals"
    before = _hours_this_year(maya, programme)

    # The coordinator's home page lists this week's shifts and the one waiting for attendance.
    _, cora = fresh()
    sign_in(cora, "coordinator@demo.coprod.org")
    cora.goto("/")
    expect(cora.get_by_role("heading", name="Today and the next 7 days")).to_be_visible()
    waiting = cora.locator("#home-attendance ~ ul").first
    expect(waiting.get_by_text("4 to mark")).to_be_visible()
    _look(cora, "week-coordinator-home")
    waiting.get_by_role("link").first.click()
    cora.wait_for_url(f"**/shifts/{shift}/roster")

    # The printable sheet is one link away; then mark everyone attended.
    expect(cora.get_by_role("link", name="Printable sign-in sheet")).to_be_visible()
    cora.get_by_role("link", name="Mark all attended").click()
    cora.get_by_role("button", name="Yes, mark 4 as attended").click()
    cora.wait_for_url(f"**/shifts/{shift}/roster")
    _flash_in_view(cora)
    _look(cora, "week-roster-marked")
    expect(cora.get_by_role("link", name="Mark all attended")).to_have_count(0)

    # The reviewer's queue holds the four new logs, with their details and flags columns.
    _, ravi = fresh()
    sign_in(ravi, "reviewer@demo.coprod.org")
    # The queue filtered to the shift's task: other browser tests leave logs waiting too.
    with sqlite3.connect(SERVER["database"]) as conn:
        task_id, programme_id = conn.execute(
            "SELECT t.id, t.programme_id FROM shift s JOIN task t ON t.id = s.task_id "
            "WHERE s.id = ?",
            (shift,),
        ).fetchone()
    ravi.goto(f"/review?programme={programme_id}&task={task_id}&status=submitted&per_page=100")
    rows = ravi.locator("tbody tr")
    for name in PEOPLE:
        expect(rows.filter(has_text=name), name).not_to_have_count(0)
    overflow = ravi.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"the queue scrolls sideways by {overflow}px"
    _look(ravi, "week-queue")
    ravi.locator("label[for=select-all]").click()  # USWDS draws the box on the label
    assert ravi.locator("input[name=log_ids]").first.is_checked()
    ravi.get_by_role("button", name="Approve selected").click()
    # The queue after the click (wait_for_load_state would take the one before it for loaded,
    # where Maya's log is still submitted).
    approved = ravi.get_by_role("status").filter(has_text=re.compile(r"Approved \d+ logs?"))
    expect(approved).to_be_visible()
    _flash_in_view(ravi)
    maya_submitted = ravi.locator("tbody tr", has_text="Maya Cohen").filter(has_text="Submitted")
    expect(maya_submitted).to_have_count(0)

    # Maya's home page counts the shift's three hours.
    after = _hours_this_year(maya, programme)
    assert after == before + 3, (before, after)
    _look(maya, "week-volunteer-home")
