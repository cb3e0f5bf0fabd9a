"""Changing shifts in real Chromium at phone and desktop widths, axe on every step: cancel a
shift with a reason, the delete page that offers cancelling, a weekly series with a skipped
date and removing a date from it, copying and moving shifts, and the volunteer's view."""

from __future__ import annotations

import re
import sqlite3
from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, SERVER, check_a11y, sign_in

SIZES = [pytest.param(PHONE, id="390px"), pytest.param(DESKTOP, id="1280px")]
KITCHEN = "Saturday community kitchen"
POP_UP = "Winter warm-meal pop-up"  # a draft: its shifts have nobody on them
BREAD = "Bread collection run"


def _one(sql: str, *args: Any) -> Any:
    with sqlite3.connect(SERVER["database"]) as conn:
        row = conn.execute(sql, args).fetchone()
    assert row is not None, sql
    return row[0]


def task_id(title: str) -> int:
    return int(_one("SELECT id FROM task WHERE title = ?", title))


def _shot(page: Any, size: dict[str, int], name: str) -> None:
    check_a11y(page)
    label = "phone" if size == PHONE else "desktop"
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"shifts-{name}-{label}.png"), full_page=True)


@pytest.mark.parametrize("size", SIZES)
def test_staff_cancel_a_shift_with_a_reason(page, size) -> None:
    page.set_viewport_size(size)
    sign_in(page, "staff@demo.coprod.org")
    tid = task_id(KITCHEN)
    # The latest live shift with someone confirmed on it: its delete page offers cancelling.
    sid = _one(
        "SELECT shift.id FROM shift JOIN signup ON signup.shift_id = shift.id "
        "WHERE shift.task_id = ? AND shift.cancelled_at IS NULL AND signup.status = 'confirmed' "
        "ORDER BY shift.starts_at DESC",
        tid,
    )
    page.goto(f"/tasks/{tid}/shifts/{sid}/delete")
    expect(page.get_by_role("heading", name="This shift cannot be deleted")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("delete", re.I))).to_have_count(0)
    _shot(page, size, "delete-refused")
    page.get_by_role("link", name="Cancel this shift instead").click()
    page.wait_for_url(re.compile(r"/shifts/\d+/cancel$"))
    _shot(page, size, "cancel-form")
    page.get_by_label("Reason (optional)").fill("Storm\twarning")  # a tab: not one line
    page.get_by_role("button", name="Yes, cancel this shift").click()
    expect(page.get_by_role("alert").first).to_be_visible()
    expect(page.get_by_text("must be one line").first).to_be_visible()
    _shot(page, size, "cancel-error")
    page.get_by_label("Reason (optional)").fill("Storm warning: the hall is closed")
    page.get_by_role("button", name="Yes, cancel this shift").click()
    # The form's own URL matches /tasks/<id> too, so the message is what waits.
    page.wait_for_url(re.compile(rf"/tasks/{tid}"))
    expect(page.get_by_text("The shift is cancelled.")).to_be_visible()
    expect(page.get_by_text("Storm warning: the hall is closed").first).to_be_visible()
    _shot(page, size, "task-with-cancelled-shift")
    page.goto(f"/shifts/{sid}/roster")
    expect(page.get_by_text("Storm warning: the hall is closed")).to_be_visible()
    expect(page.get_by_role("heading", name="Assign a volunteer")).to_have_count(0)
    expect(page.get_by_text("Shift cancelled").first).to_be_visible()
    _shot(page, size, "roster-cancelled")


@pytest.mark.parametrize("size", SIZES)
def test_a_volunteer_sees_the_cancelled_shift_on_my_schedule(page, size) -> None:
    page.set_viewport_size(size)
    sign_in(page, "volunteer@demo.coprod.org")
    page.goto("/my/schedule")
    expect(page.get_by_text("Shift cancelled").first).to_be_visible()
    expect(page.get_by_text("The depot is closed for repairs that week.").first).to_be_visible()
    _shot(page, size, "my-schedule-cancelled")


@pytest.mark.parametrize("size", SIZES)
def test_weekly_series_with_a_skipped_date_then_remove_one_date(page, size) -> None:
    page.set_viewport_size(size)
    sign_in(page, "staff@demo.coprod.org")
    tid = task_id(POP_UP)
    first = date.today() + timedelta(days=60 if size == PHONE else 120)
    page.goto(f"/tasks/{tid}/shifts/weekly")
    page.get_by_label("First date").fill(first.isoformat())
    page.get_by_label("Start time").fill("18:00")
    page.get_by_label("End time").fill("20:00")
    page.get_by_label("Repeat every week until").fill((first + timedelta(weeks=3)).isoformat())
    page.get_by_label("Places").fill("4")
    page.get_by_label("Dates to skip (optional)").fill((first + timedelta(days=1)).isoformat())
    page.get_by_role("button", name="Add weekly shifts").click()
    expect(page.get_by_text("is not a date of the series").first).to_be_visible()
    _shot(page, size, "weekly-skip-error")
    page.get_by_label("Dates to skip (optional)").fill((first + timedelta(weeks=1)).isoformat())
    page.get_by_role("button", name="Add weekly shifts").click()
    page.wait_for_url(re.compile(rf"/tasks/{tid}"))
    expect(page.get_by_text("3 weekly shifts are added.")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"^Remove from series")).first.click()
    page.wait_for_url(re.compile(r"/remove$"))
    expect(page.get_by_text("so the shift is")).to_be_visible()
    _shot(page, size, "remove-from-series")
    page.get_by_role("button", name="Yes, remove this date").click()
    page.wait_for_url(re.compile(rf"/tasks/{tid}"))
    expect(page.get_by_text("is removed from the series: deleted.")).to_be_visible()


@pytest.mark.parametrize("size", SIZES)
def test_copy_and_move_shifts(page, size) -> None:
    page.set_viewport_size(size)
    sign_in(page, "staff@demo.coprod.org")
    tid = task_id(POP_UP)
    page.goto(f"/tasks/{tid}")
    page.get_by_role("link", name="Copy shifts to another task").click()
    page.wait_for_url(re.compile(r"/shifts/copy$"))
    _shot(page, size, "copy-form")
    page.get_by_label("Copy to the task").select_option(label=f"{BREAD} (open)")
    page.get_by_label("Which shifts").select_option("chosen")
    page.get_by_label("Shift them by this many weeks").fill("99")
    page.locator("label[for^=shift-]").last.click()  # USWDS draws the box on the label
    page.get_by_role("button", name="Copy the shifts").click()
    expect(page.get_by_text("-52 to 52").first).to_be_visible()
    _shot(page, size, "copy-error")
    page.get_by_label("Shift them by this many weeks").fill("52")
    page.get_by_role("button", name="Copy the shifts").click()
    page.wait_for_url(re.compile(rf"/tasks/{task_id(BREAD)}"))
    expect(page.get_by_text("1 shift is copied.")).to_be_visible()
    page.goto(f"/tasks/{tid}")
    page.get_by_role("link", name="Move future shifts by weeks").click()
    page.wait_for_url(re.compile(r"/shifts/move$"))
    _shot(page, size, "move-form")
    page.get_by_label("Move by this many weeks").fill("0")
    page.get_by_role("button", name="Move the shifts").click()
    expect(page.get_by_text("other than 0").first).to_be_visible()
    _shot(page, size, "move-error")
    page.get_by_label("Move by this many weeks").fill("1")
    page.get_by_role("button", name="Move the shifts").click()
    page.wait_for_url(re.compile(rf"/tasks/{tid}"))
    expect(page.get_by_text(re.compile(r"shifts? (is|are) moved"))).to_be_visible()
    _shot(page, size, "task-after-move")
