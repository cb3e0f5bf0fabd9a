"""Capacity building in the browser (issue #17), on the demo world:

1. Jonas, who does not hold Food hygiene, is refused the Saturday kitchen with a message naming
   it and how to get it; Cora, the food bank's coordinator, marks him attended on the food
   hygiene course he took two days ago; he now holds it (My qualifications) and the kitchen
   takes him;
2. Cora sees on her home page and on the roster that Chloe's certificate expires before one of
   her kitchen shifts, and manages the food bank's qualifications;
3. axe finds nothing on the new pages at 390 and 1280 px, for the people who use them.
"""

from __future__ import annotations

import re
import sqlite3

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, SERVER, check_a11y, screenshots, sign_in
from tests.e2e.journeys import sign_out

JONAS = "jonas@demo.coprod.org"
CHLOE = "chloe@demo.coprod.org"
CORA = "coordinator@demo.coprod.org"


def _one(sql: str, *params: object) -> int:
    with sqlite3.connect(SERVER["database"]) as conn:
        row = conn.execute(sql, params).fetchone()
    assert row is not None, sql
    return int(row[0])


def _course_shift_of(email: str) -> int:
    """The past shift of the food hygiene course the person is on, waiting for attendance."""
    return _one(
        "SELECT s.id FROM shift s JOIN task t ON t.id = s.task_id "
        "JOIN signup g ON g.shift_id = s.id JOIN user u ON u.id = g.user_id "
        "WHERE t.title = 'Food hygiene course' AND u.email = ? AND g.status = 'confirmed'",
        email,
    )


def _both_widths(page: object) -> None:
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)  # type: ignore[attr-defined]
        check_a11y(page)


def test_the_kitchen_refuses_jonas_until_his_course_attendance_is_marked(new_page) -> None:
    page = new_page()

    # Refused, with the qualification named and how to get it.
    sign_in(page, JONAS)
    page.goto("/tasks?q=community+kitchen")
    page.get_by_role("link", name="Saturday community kitchen").first.click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    kitchen_url = str(page.url)
    expect(page.get_by_text(re.compile("You need")).first).to_be_visible()
    page.get_by_role("button", name=re.compile(r"^Sign up for ")).first.click()
    refusal = page.get_by_text(re.compile("needs “Food hygiene”, which you do not hold"))
    expect(refusal.first).to_be_visible()
    check_a11y(page)
    screenshots(page, "capacity-refused")
    page.goto("/my/qualifications")
    expect(page.get_by_text("You hold no qualification yet.", exact=False)).to_be_visible()
    sign_out(page)

    # Cora marks him attended on the course he took two days ago.
    sign_in(page, CORA)
    page.goto(f"/shifts/{_course_shift_of(JONAS)}/roster")
    page.get_by_role("button", name="Mark Jonas Weber as attended").click()
    # The roster itself says "attended" before the click: wait for the new page's message.
    expect(page.get_by_text("Jonas Weber is marked as attended.")).to_be_visible()
    expect(page.get_by_text(re.compile("attended", re.I)).first).to_be_visible()
    sign_out(page)

    # He holds it now, and the kitchen takes him.
    sign_in(page, JONAS)
    page.goto("/my/qualifications")
    row = page.get_by_role("row").filter(has_text="Food hygiene")
    expect(row.first).to_be_visible()
    expect(row.first).to_contain_text("Valid", use_inner_text=True)
    _both_widths(page)
    screenshots(page, "capacity-my-qualifications")
    page.goto(kitchen_url)
    page.get_by_role("button", name=re.compile(r"^Sign up for ")).first.click()
    expect(page.get_by_text(re.compile("confirmed", re.I)).first).to_be_visible()
    # The answer to the click is there (not the task page before it): now the refusal is absent.
    expect(page.get_by_role("status").filter(has_text="You are signed up for")).to_be_visible()
    expect(page.get_by_text(re.compile("which you do not hold"))).to_have_count(0)
    page.goto("/my/schedule")
    expect(page.get_by_text("Saturday community kitchen").first).to_be_visible()


def test_the_coordinator_sees_chloes_certificate_expire_before_her_shift(new_page) -> None:
    page = new_page()
    sign_in(page, CORA)
    # The home page lists the place whose holder will not hold Food hygiene on the day.
    home = page.locator("main")
    expect(home).to_contain_text("Chloe Martin", use_inner_text=True)
    expect(home).to_contain_text("Food hygiene", use_inner_text=True)
    _both_widths(page)
    screenshots(page, "capacity-coordinator-home")
    page.get_by_role("link", name=re.compile("^Chloe Martin on Saturday community kitchen")).click()
    page.wait_for_url(re.compile(r"/shifts/\d+/roster"))
    expect(
        page.get_by_text(re.compile(r"Food hygiene expires on .*, before this shift")).first
    ).to_be_visible()
    _both_widths(page)
    screenshots(page, "capacity-roster-warning")

    # The food bank's qualifications, and Food hygiene's holders.
    page.goto("/orgs")
    page.get_by_role("link", name="Riverside Food Bank").first.click()
    page.get_by_role("link", name=re.compile("Qualifications")).first.click()
    page.wait_for_url(re.compile(r"/orgs/\d+/qualifications$"))
    _both_widths(page)
    page.get_by_role("link", name="Food hygiene", exact=True).first.click()
    page.wait_for_url(re.compile(r"/qualifications/\d+$"))
    qualification_url = str(page.url)
    expect(page.get_by_text("Chloe Martin").first).to_be_visible()
    _both_widths(page)
    screenshots(page, "capacity-qualification-holders")
    sign_out(page)

    # A visitor reads what it is and how to get it, never who holds it.
    visitor = new_page()
    visitor.goto(qualification_url)
    expect(visitor.get_by_role("heading", name="Food hygiene").first).to_be_visible()
    assert "Chloe Martin" not in visitor.content()
    check_a11y(visitor)
