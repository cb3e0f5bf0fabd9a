"""The co-production loop in a real browser: a newcomer registers, finds an open task (the
kitchen refuses her: it needs Food hygiene), signs up for a shift of another, logs hours, and
the agency's reviewer approves the log."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from playwright.sync_api import expect

from tests.e2e.conftest import check_a11y, screenshots, sign_in
from tests.e2e.journeys import confirm_email


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/")


def test_newcomer_signs_up_logs_hours_and_sees_the_log_approved(page) -> None:
    # A visitor registers.
    page.goto("/register")
    page.get_by_label("Your name").fill("Nia Newcomer")
    page.get_by_label("Email address").fill("nia@example.org")
    page.get_by_label("Password").fill("a long and lovely passphrase")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/register/check-email")
    sign_in(page, "nia@example.org", "a long and lovely passphrase")
    confirm_email(page, "nia@example.org")

    # She finds an open task by searching.
    page.get_by_role("link", name="Find tasks").first.click()
    page.wait_for_url("**/tasks")
    check_a11y(page)
    screenshots(page, "tasks-index")
    page.get_by_label(re.compile("Search", re.I)).first.fill("kitchen")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Saturday community kitchen").click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    check_a11y(page)
    screenshots(page, "task-show")

    # The kitchen needs Food hygiene, which she does not hold: refused, and told how to get it.
    page.get_by_role("button", name=re.compile(r"^Sign up for ")).first.click()
    refusal = page.get_by_text(re.compile("needs “Food hygiene”, which you do not hold"))
    expect(refusal).to_be_visible()
    expect(page.get_by_text(re.compile("food hygiene course")).first).to_be_visible()

    # She signs up for the first upcoming shift with a free place of the food bank's sorting.
    page.get_by_role("link", name="Find tasks").first.click()
    page.get_by_label(re.compile("Search", re.I)).first.fill("sorting")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Food bank sorting").click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))  # else page.url may be the search's
    task_url = page.url
    page.get_by_role("button", name=re.compile(r"^Sign up for ")).first.click()
    expect(page.get_by_text(re.compile("confirmed", re.I)).first).to_be_visible()
    page.goto("/my/schedule")
    expect(page.get_by_text("Food bank sorting").first).to_be_visible()
    check_a11y(page)
    screenshots(page, "my-schedule")

    # She logs two hours for today.
    page.goto(task_url)
    page.get_by_role("link", name="Log hours for this task").click()
    page.wait_for_url(re.compile(r"/tasks/\d+/log"))
    check_a11y(page)
    page.get_by_label("Hours").fill("30")
    page.get_by_role("button", name=re.compile("Submit|Log", re.I)).last.click()
    expect(page.locator("#hours-error")).to_be_visible()  # more than 24 hours is refused
    check_a11y(page)
    screenshots(page, "log-errors")
    page.get_by_label("Date").fill(datetime.now(UTC).date().isoformat())
    page.get_by_label("Hours").fill("2")
    page.get_by_role("button", name=re.compile("Submit|Log", re.I)).last.click()
    page.wait_for_url(re.compile(r"/logs/\d+$"))
    log_url = page.url
    expect(page.get_by_text(re.compile("submitted", re.I)).first).to_be_visible()
    _sign_out(page)

    # The agency's reviewer approves it from the queue.
    sign_in(page, "reviewer@demo.coprod.org")
    page.goto("/review")
    check_a11y(page)
    screenshots(page, "review-queue")
    expect(page.get_by_text("Nia Newcomer").first).to_be_visible()
    page.goto(log_url)
    page.get_by_text("Approve", exact=True).click()  # USWDS styles the label, not the input
    page.get_by_role("button", name="Record the decision").click()
    approved = page.get_by_role("status").filter(has_text=re.compile(r"Log #\d+: approved"))
    expect(approved).to_be_visible()
    _sign_out(page)

    # She sees it approved.
    sign_in(page, "nia@example.org", "a long and lovely passphrase")
    page.goto("/my/logs")
    expect(page.locator("table").get_by_text("Approved", exact=True).first).to_be_visible()
    check_a11y(page)
    screenshots(page, "my-logs")
