"""The roster on the day in Chromium, as the demo coordinator: the roster with "Mark all
attended", the printable sign-in sheet (printed to PDF by Chromium), the confirmation page and
the member picker, at 390 px and 1280 px with axe."""

from __future__ import annotations

import sqlite3
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import (
    ARTIFACTS,
    DESKTOP,
    PHONE,
    SERVER,
    check_a11y,
    screenshots,
    sign_in,
)


def waiting_shift_id() -> int:
    """The demo's past shift whose confirmed volunteers wait for attendance."""
    with sqlite3.connect(SERVER["database"]) as conn:
        row = conn.execute(
            "SELECT s.id FROM shift s JOIN signup g ON g.shift_id = s.id "
            "WHERE g.status = 'confirmed' AND s.ends_at < datetime('now') "
            "ORDER BY s.starts_at DESC LIMIT 1"
        ).fetchone()
    assert row, "the demo has no shift waiting for attendance"
    return int(row[0])


def future_kitchen_shift_id() -> int:
    """The last upcoming shift of the demo's Saturday kitchen (coordinated by the food bank)."""
    with sqlite3.connect(SERVER["database"]) as conn:
        row = conn.execute(
            "SELECT s.id FROM shift s JOIN task t ON t.id = s.task_id "
            "WHERE t.title = 'Saturday community kitchen' AND s.starts_at > datetime('now') "
            "ORDER BY s.starts_at DESC LIMIT 1"
        ).fetchone()
    assert row
    return int(row[0])


def roster_pages() -> list[str]:
    """The pages of the waiting shift's roster (for the every-page walk, too)."""
    shift = waiting_shift_id()
    return [
        f"/shifts/{shift}/roster",
        f"/shifts/{shift}/roster/print",
        f"/shifts/{shift}/attendance",
    ]


def at_both_widths(page: Any, name: str) -> None:
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        check_a11y(page)
        # Nothing wider than the screen on a phone.
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px at {size['width']}"
    screenshots(page, name)


def test_the_coordinator_prints_the_sign_in_sheet_and_marks_attendance(page, live_server) -> None:
    sign_in(page, "coordinator@demo.coprod.org")
    shift = waiting_shift_id()
    page.goto(f"/shifts/{shift}/roster")
    expect(page.get_by_role("link", name="Mark all attended")).to_be_visible()
    expect(page.get_by_text("+44 7700 900012").first).to_be_visible()  # a phone, for the keeper
    at_both_widths(page, "roster-waiting")

    page.get_by_role("link", name="Printable sign-in sheet").click()
    page.wait_for_url(f"**/shifts/{shift}/roster/print")
    expect(page.get_by_role("button", name="Print")).to_be_visible()  # shown once the script ran
    at_both_widths(page, "roster-print")
    # Chromium's own print, on A4, as someone pressing the button would get it.
    page.emulate_media(media="print")
    expect(page.locator(".cp-header")).to_be_hidden()
    expect(page.get_by_role("button", name="Print")).to_be_hidden()
    expect(page.get_by_role("columnheader", name="Signature")).to_be_visible()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    margin = {side: "15mm" for side in ("top", "right", "bottom", "left")}
    pdf = page.pdf(format="A4", print_background=True, margin=margin)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000
    (ARTIFACTS / "roster-sign-in-sheet.pdf").write_bytes(pdf)
    page.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi: the printed page
    page.screenshot(path=str(ARTIFACTS / "roster-print-media.png"), full_page=True)
    page.emulate_media(media="screen")

    page.goto(f"/shifts/{shift}/roster")
    page.get_by_role("link", name="Mark all attended").click()
    page.wait_for_url(f"**/shifts/{shift}/attendance")
    expect(page.get_by_role("button", name="Yes, mark 4 as attended")).to_be_visible()
    at_both_widths(page, "roster-mark-all")
    page.get_by_role("link", name="No, go back to the roster").click()
    page.wait_for_url(f"**/shifts/{shift}/roster")


def test_the_coordinator_picks_a_member_to_assign(page, live_server) -> None:
    sign_in(page, "coordinator@demo.coprod.org")
    shift = future_kitchen_shift_id()
    page.goto(f"/shifts/{shift}/roster")
    page.get_by_label("Find a member by name or email").fill("a")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url("**q=a*")
    at_both_widths(page, "roster-picker")
    # Assign without choosing: the reason is beside the list, and axe is still happy.
    page.get_by_role("button", name="Assign the chosen member").click()
    expect(page.get_by_text("Choose the member to assign.").first).to_be_visible()
    check_a11y(page)
    # The picker close up, as a phone shows it (the full page is long).
    page.set_viewport_size(PHONE)
    picker = page.locator(".grid-row", has=page.locator("#pick"))
    picker.screenshot(path=str(ARTIFACTS / "roster-picker-error-phone.png"))
    page.set_viewport_size(DESKTOP)
    picker.screenshot(path=str(ARTIFACTS / "roster-picker-error-desktop.png"))
    choice = page.locator("input[name=user_id]:not([disabled])").first
    name = page.evaluate(
        "id => document.querySelector(`label[for=${id}]`).firstChild.textContent.trim()",
        choice.get_attribute("id"),
    )
    page.locator(f"label[for={choice.get_attribute('id')}]").click()  # USWDS hides the dot
    assert choice.is_checked()
    page.get_by_role("button", name="Assign the chosen member").click()
    page.wait_for_url(f"**/shifts/{shift}/roster")
    expect(page.get_by_text("is assigned to this shift")).to_be_visible()
    expect(page.get_by_role("rowheader", name=name)).to_be_visible()
