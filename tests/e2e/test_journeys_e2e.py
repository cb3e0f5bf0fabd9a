"""Each role's part of the loop in Chromium, with axe on every page and phone/desktop shots."""

from __future__ import annotations

import re

from tests.e2e.conftest import check_a11y, screenshots, sign_in
from tests.e2e.journeys import open_task, register, row_with_free_places


def _look(page, name: str) -> None:
    check_a11y(page)
    screenshots(page, name)


def test_a_visitor_registers_finds_a_task_signs_up_and_cancels_after_confirming(page) -> None:
    page.goto("/register")
    _look(page, "register")
    register(page, "Vic Visitor")
    _look(page, "home-signed-in")
    page.goto("/tasks")
    page.get_by_label(re.compile("Search", re.I)).first.fill("meal delivery")
    page.get_by_role("button", name="Search").click()
    _look(page, "tasks-search-results")
    page.get_by_role("link", name=re.compile("Meal delivery round")).first.click()
    page.wait_for_url(re.compile(r"/tasks/\d+"))
    row = row_with_free_places(page, 1) or row_with_free_places(page, 2)
    assert row is not None, "no upcoming shift with a free place"
    when = row.locator("th").inner_text()
    row.get_by_role("button", name=re.compile(r"^Sign up for ")).click()
    status = page.get_by_role("status")
    assert re.search("You are signed up", status.inner_text())
    _look(page, "task-signed-up")

    # Cancel goes through a confirmation page; "No, keep it" changes nothing.
    row = page.locator("table tbody tr", has=page.locator("th", has_text=when)).first
    row.get_by_role("link", name=re.compile(r"^Cancel")).click()
    page.wait_for_url(re.compile(r"/signups/\d+/cancel"))
    assert page.get_by_role("heading", level=1).inner_text() == "Cancel your place?"
    _look(page, "cancel-confirm")
    page.get_by_role("link", name="No, keep it").click()
    row = page.locator("table tbody tr", has=page.locator("th", has_text=when)).first
    assert row.get_by_text("Confirmed").is_visible()
    row.get_by_role("link", name=re.compile(r"^Cancel")).click()
    page.get_by_role("button", name="Yes, cancel this place").click()
    assert "is cancelled" in page.get_by_role("status").inner_text()
    _look(page, "task-after-cancel")


def test_a_waitlisted_person_gets_the_place_when_someone_cancels(page, new_page) -> None:
    first, second = page, new_page()
    register(first, "Fay First")
    register(second, "Sol Second")
    url = open_task(first, "Food bank sorting")
    row = row_with_free_places(first, 1)
    assert row is not None, "no upcoming shift with exactly one free place"
    when = row.locator("th").inner_text()
    row.get_by_role("button", name=re.compile(r"^Sign up for ")).click()
    assert "You are signed up" in first.get_by_role("status").inner_text()

    # The shift is now full: the second person joins the waiting list.
    second.goto(url)
    row2 = second.locator("table tbody tr", has=second.locator("th", has_text=when)).first
    assert re.match(r"^\s*0 of", row2.locator("td[data-label='Free places']").inner_text())
    row2.get_by_role("button", name=re.compile(r"^Join waitlist for ")).click()
    assert "waiting list (position 1)" in second.get_by_role("status").inner_text()
    second.goto("/my/schedule")
    _look(second, "my-schedule-waitlisted")

    # The first person cancels; the place goes to the second.
    first.goto(url)
    row = first.locator("table tbody tr", has=first.locator("th", has_text=when)).first
    row.get_by_role("link", name=re.compile(r"^Cancel")).click()
    first.get_by_role("button", name="Yes, cancel this place").click()
    second.goto(url)
    row2 = second.locator("table tbody tr", has=second.locator("th", has_text=when)).first
    assert row2.get_by_text("Confirmed").is_visible()
    second.goto("/my/schedule")
    assert second.get_by_text("Food bank sorting").first.is_visible()
    _look(second, "my-schedule-promoted")


def test_a_coordinator_assigns_a_volunteer_and_marks_attendance(page, new_page) -> None:
    volunteer = new_page()
    email = register(volunteer, "Ada Assigned")
    # Only someone who signed up to the programme before (or a member) can be assigned: Ada
    # takes a place on another of its tasks, then gives it back.
    open_task(volunteer, "Meal delivery round")
    row = row_with_free_places(volunteer, 1) or row_with_free_places(volunteer, 2)
    assert row is not None, "no upcoming shift with a free place"
    when = row.locator("th").inner_text()
    row.get_by_role("button", name=re.compile(r"^Sign up for ")).click()
    row = volunteer.locator("table tbody tr", has=volunteer.locator("th", has_text=when)).first
    row.get_by_role("link", name=re.compile(r"^Cancel")).click()
    volunteer.get_by_role("button", name="Yes, cancel this place").click()
    sign_in(page, "coordinator@demo.coprod.org")
    page.goto("/tasks")
    _look(page, "coordinator-tasks")
    open_task(page, "Food bank sorting")
    page.get_by_role("link", name=re.compile(r"^Roster")).first.click()
    page.wait_for_url(re.compile(r"/shifts/\d+/roster"))
    _look(page, "roster")

    # Assign: a bad address first (the error is beside the field), then the volunteer's.
    page.get_by_label("Volunteer's email address").fill("nobody-here@example.org")
    page.get_by_role("button", name="Assign", exact=True).click()
    assert page.locator(".usa-error-message, .usa-alert--error").first.is_visible()
    _look(page, "roster-assign-error")
    page.get_by_label("Volunteer's email address").fill(email)
    page.get_by_role("button", name="Assign", exact=True).click()
    assert page.get_by_role("status").first.is_visible()
    assert page.get_by_text("Ada Assigned").first.is_visible()
    volunteer.goto("/my/schedule")
    assert volunteer.get_by_text("Food bank sorting").first.is_visible()

    # Attendance on a past shift.
    open_task(page, "Food bank sorting")
    page.get_by_role("link", name="Show past shifts").click()
    # Wait for the past shifts: clicking on at once would open an upcoming shift's roster.
    page.wait_for_url(re.compile(r"when=past"))
    _look(page, "task-past-shifts")
    page.get_by_role("link", name=re.compile(r"^Roster")).first.click()
    page.wait_for_url(re.compile(r"/shifts/\d+/roster"))
    buttons = page.get_by_role("button", name=re.compile(r"^Mark .* as (attended|no-show)$"))
    buttons.first.wait_for()
    assert buttons.count() > 0
    label = buttons.first.get_attribute("aria-label")
    buttons.first.click()
    assert page.get_by_role("status").first.is_visible()
    name = re.match(r"Mark (.*) as", label or "").group(1)
    opposite = "no-show" if label and label.endswith("attended") else "attended"
    assert page.get_by_role("button", name=f"Mark {name} as {opposite}").is_visible()
    _look(page, "roster-attendance")


def test_a_volunteer_logs_hours(page) -> None:
    sign_in(page, "volunteer@demo.coprod.org")
    open_task(page, "Saturday community kitchen")
    page.get_by_role("link", name="Log hours for this task").click()
    _look(page, "log-hours")
    page.get_by_label("Hours").fill("")
    page.get_by_role("button", name=re.compile("Submit|Log", re.I)).last.click()
    assert page.locator(".cp-error-summary").is_visible()
    _look(page, "log-hours-errors")
    page.get_by_label("Hours").fill("1.5")
    page.get_by_role("button", name=re.compile("Submit|Log", re.I)).last.click()
    page.wait_for_url(re.compile(r"/logs/\d+$"))
    _look(page, "log-submitted")
    page.goto("/my/logs")
    _look(page, "my-logs-volunteer")


def test_a_reviewer_approves_in_bulk_from_the_queue(page) -> None:
    sign_in(page, "reviewer@demo.coprod.org")
    page.goto("/review")
    _look(page, "review-queue-reviewer")
    boxes = page.locator("input[name=log_ids]")
    assert boxes.count() >= 2
    for i in range(2):  # USWDS draws the box with the label's ::before; the input is hidden
        log_id = boxes.nth(i).get_attribute("value")
        box = page.get_by_role("checkbox", name=f"Select log #{log_id}", exact=True)
        box.focus()  # the way a keyboard user ticks it
        page.keyboard.press("Space")
        assert box.is_checked()
    page.get_by_role("button", name="Approve selected").click()
    assert re.search(r"Approved 2 logs", page.get_by_role("status").first.inner_text())
    _look(page, "review-queue-after-bulk")


def test_a_partner_reads_a_programme_report(page) -> None:
    sign_in(page, "partner@demo.coprod.org")
    page.goto("/programmes")
    _look(page, "partner-programmes")
    # Green Streets: the programme Green Streets Trust is a partner in.
    page.locator("main").get_by_role("link", name="Green Streets", exact=True).click()
    _look(page, "partner-programme")
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url(re.compile(r"/programmes/\d+/reports"))
    assert page.get_by_role("heading", level=1).is_visible()
    assert page.locator("table caption").count() > 0
    _look(page, "partner-report")
