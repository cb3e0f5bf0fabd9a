"""Pilots in the browser: a visitor reads what we learned from pilots and the finished demo
pilot's evaluation (chart and table, no names), Green Streets' is not public yet; the council's
staff preview Green Streets and record a decision on the finished one. axe at 390 and 1280 px."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, screenshots, sign_in

PILOT = "Doorstep Deliveries pilot"


def _axe_both(page) -> None:
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        check_a11y(page)


def test_a_visitor_reads_the_pilots_and_staff_record_a_decision(page, new_page) -> None:
    page.goto("/pilots")
    expect(page.get_by_role("heading", name="What we learned from pilots")).to_be_visible()
    expect(page.get_by_text("In progress until 30 June")).to_be_visible()  # Green Streets
    _axe_both(page)
    screenshots(page, "pilots-index")
    page.get_by_role("link", name=f"Read the evaluation of {PILOT}").click()
    page.wait_for_url(re.compile(r"/programmes/\d+/evaluation$"))
    expect(page.get_by_role("img", name=re.compile("Outcome per volunteer hour"))).to_be_visible()
    table = page.locator("#pilot-figures")
    expect(table.get_by_text("Approved hours")).to_be_visible()
    expect(table.get_by_text("95% interval of the difference")).to_be_visible()
    expect(page.get_by_text("Adapt").first).to_be_visible()
    expect(page.get_by_text("Amara Okafor")).to_have_count(0)
    expect(page.get_by_role("button", name="Rebuild now")).to_have_count(0)
    _axe_both(page)
    screenshots(page, "pilot-evaluation")
    evaluation = page.url
    green = page.goto("/programmes/2/evaluation")
    assert green is not None and green.status == 404

    staff = new_page()
    sign_in(staff, "staff@demo.coprod.org")
    staff.goto("/programmes/2")
    staff.get_by_role("link", name="Preview the pilot's evaluation").click()
    expect(staff.get_by_text(re.compile("Preview — the window ends on"))).to_be_visible()
    _axe_both(staff)
    staff.goto(evaluation)
    choice = staff.get_by_label("Scale up")
    choice.focus()  # USWDS draws the radio with the label's ::before; a keyboard user picks it
    staff.keyboard.press("Space")
    assert choice.is_checked()
    staff.get_by_label("Lessons learned").fill("Doorstep rounds work: pair every street.")
    staff.get_by_role("button", name="Save the decision").click()
    expect(staff.get_by_text("The decision and lessons are recorded.")).to_be_visible()
    expect(staff.get_by_text("Doorstep rounds work: pair every street.").first).to_be_visible()
    _axe_both(staff)
    staff.get_by_role("link", name="Pilot set-up").click()
    expect(staff.get_by_role("heading", name=f"Pilot set-up: {PILOT}")).to_be_visible()
    _axe_both(staff)
    screenshots(staff, "pilot-setup")
