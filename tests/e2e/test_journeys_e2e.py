"""Each role's part of the loop in Chromium, with axe on every page and phone/desktop shots."""

from __future__ import annotations

import re

from playwright.sync_api import expect

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
    page.wait_for_url(re.compile(r"/tasks\?"))  # the results, not the list before them
    _look(page, "tasks-search-results")
    page.get_by_role("link", name=re.compile("Meal delivery round")).first.click()
    page.wait_for_url(re.compile(r"/tasks/\d+"))
    row = row_with_free_places(page, 1) or row_with_free_places(page, 2)
    assert row is not None, "no upcoming shift with a free place"
    when = row.locator("th").inner_text()
    row.get_by_role("button", name=re.compile(r"^Sign up for ")).click()
    status = page.get_by_role("status")
    expect(status).to_contain_text(re.compile("You are signed up"), use_inner_text=True)
    _look(page, "task-signed-up")

    # Cancel goes through a confirmation page; "No, keep it" changes nothing.
    row = page.locator("table tbody tr", has=page.locator("th", has_text=when)).first
    row.get_by_role("link", name=re.compile(r"^Cancel")).click()
    page.wait_for_url(re.compile(r"/signups/\d+/cancel"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Cancel your place?", use_inner_text=True
    )
    _look(page, "cancel-confirm")
    page.get_by_role("link", name="No, keep it").click()
    row = page.locator("table tbody tr", has=page.locator("th", has_text=when)).first
    expect(row.get_by_text("Confirmed")).to_be_visible()
    row.get_by_role("link", name=re.compile(r"^Cancel")).click()
    page.get_by_role("button", name="Yes, cancel this place").click()
    expect(page.get_by_role("status")).to_contain_text("is cancelled", use_inner_text=True)
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
    expect(first.get_by_role("status")).to_contain_text("You are signed up", use_inner_text=True)

    # The shift is now full: the second person joins the waiting list.
    second.goto(url)
    row2 = second.locator("table tbody tr", has=second.locator("th", has_text=when)).first
    expect(row2.locator("td[data-label='Free places']")).to_have_text(
        re.compile(r"^\s*0 of"), use_inner_text=True
    )
    row2.get_by_role("button", name=re.compile(r"^Join waitlist for ")).click()
    expect(second.get_by_role("status")).to_contain_text(
        "waiting list (position 1)", use_inner_text=True
    )
    second.goto("/my/schedule")
    _look(second, "my-schedule-waitlisted")

    # The first person cancels; the place goes to the second.
    first.goto(url)
    row = first.locator("table tbody tr", has=first.locator("th", has_text=when)).first
    row.get_by_role("link", name=re.compile(r"^Cancel")).click()
    first.get_by_role("button", name="Yes, cancel this place").click()
    # The cancellation is done before the second person looks (a click does not wait for it).
    expect(first.get_by_role("status")).to_contain_text("is cancelled", use_inner_text=True)
    second.goto(url)
    row2 = second.locator("table tbody tr", has=second.locator("th", has_text=when)).first
    expect(row2.get_by_text("Confirmed")).to_be_visible()
    second.goto("/my/schedule")
    expect(second.get_by_text("Food bank sorting").first).to_be_visible()
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
    expect(page.locator(".usa-error-message, .usa-alert--error").first).to_be_visible()
    _look(page, "roster-assign-error")
    page.get_by_label("Volunteer's email address").fill(email)
    page.get_by_role("button", name="Assign", exact=True).click()
    expect(page.get_by_role("status").first).to_be_visible()
    expect(page.get_by_text("Ada Assigned").first).to_be_visible()
    volunteer.goto("/my/schedule")
    expect(volunteer.get_by_text("Food bank sorting").first).to_be_visible()

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
    expect(buttons).not_to_have_count(0)
    label = buttons.first.get_attribute("aria-label")
    buttons.first.click()
    # The flash proves the new page: the one before had both buttons too.
    expect(page.get_by_role("status").first).to_be_visible()
    name = re.match(r"Mark (.*) as", label or "").group(1)
    opposite = "no-show" if label and label.endswith("attended") else "attended"
    expect(page.get_by_role("button", name=f"Mark {name} as {opposite}")).to_be_visible()
    _look(page, "roster-attendance")


def test_a_volunteer_logs_hours(page) -> None:
    sign_in(page, "volunteer@demo.coprod.org")
    open_task(page, "Saturday community kitchen")
    page.get_by_role("link", name="Log hours for this task").click()
    page.wait_for_url(re.compile(r"/tasks/\d+/log"))
    _look(page, "log-hours")
    page.get_by_label("Hours").fill("")
    page.get_by_role("button", name=re.compile("Submit|Log", re.I)).last.click()
    expect(page.locator(".cp-error-summary")).to_be_visible()
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
    expect(boxes.nth(1)).to_be_attached()  # two at least
    for i in range(2):  # USWDS draws the box with the label's ::before; the input is hidden
        log_id = boxes.nth(i).get_attribute("value")
        box = page.get_by_role("checkbox", name=f"Select log #{log_id}", exact=True)
        box.focus()  # the way a keyboard user ticks it
        page.keyboard.press("Space")
        assert box.is_checked()
    page.get_by_role("button", name="Approve selected").click()
    expect(page.get_by_role("status").first).to_contain_text(
        re.compile(r"Approved 2 logs"), use_inner_text=True
    )
    _look(page, "review-queue-after-bulk")


def test_a_partner_reads_a_programme_report(page) -> None:
    sign_in(page, "partner@demo.coprod.org")
    page.goto("/programmes")
    _look(page, "partner-programmes")
    # Green Streets: the programme Green Streets Trust is a partner in.
    page.locator("main").get_by_role("link", name="Green Streets", exact=True).click()
    page.wait_for_url(re.compile(r"/programmes/\d+$"))
    _look(page, "partner-programme")
    page.get_by_role("link", name="Reports").click()
    page.wait_for_url(re.compile(r"/programmes/\d+/reports"))
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator("table caption")).not_to_have_count(0)
    _look(page, "partner-report")
