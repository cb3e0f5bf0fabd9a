"""An ongoing task in the browser: staff publish it without shifts, a visitor finds it in the
public list, a volunteer says they are interested and logs hours on it; at phone and desktop
widths, axe on every page on the way."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, check_a11y, screenshots, sign_in
from tests.e2e.journeys import sign_out


def _shots(page: Any, name: str, size: dict[str, int]) -> None:
    """Screenshots at both widths, then back to the width the journey runs at."""
    screenshots(page, name)
    page.set_viewport_size(size)


def _publish_as_staff(page: Any, title: str) -> str:
    sign_in(page, "staff@demo.coprod.org")
    page.goto("/programmes")
    page.get_by_role("link", name="Green Streets").first.click()
    page.get_by_role("link", name="New task").click()
    page.get_by_label("Title").fill(title)
    page.get_by_label("Description").fill("Water the new street trees when it has been dry.")
    page.get_by_label("Location").fill("Northside streets")
    box = page.get_by_role("checkbox", name=re.compile(r"^Ongoing"))
    box.focus()  # USWDS draws the box with the label's ::before; a keyboard user ticks it
    page.keyboard.press("Space")
    assert box.is_checked()
    check_a11y(page)
    if page.viewport_size == PHONE:
        _shots(page, "ongoing-task-form", PHONE)
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    expect(page.get_by_text("Publish it when it is ready")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    # The URL does not change, so wait_for_url does not wait: the message proves the new page.
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    expect(page.get_by_text("The task is now open.")).to_be_visible()
    expect(page.get_by_role("link", name="Add a shift")).to_have_count(0)
    check_a11y(page)
    url = str(page.url)
    sign_out(page)
    return url


@pytest.mark.parametrize("size", [PHONE, DESKTOP], ids=["390px", "1280px"])
def test_an_ongoing_task_is_published_found_by_a_visitor_and_logged_by_a_volunteer(
    new_page, size
) -> None:
    title = f"Water the street trees ({size['width']})"
    staff = new_page()
    staff.set_viewport_size(size)
    task_url = _publish_as_staff(staff, title)

    visitor = new_page()
    visitor.set_viewport_size(size)
    visitor.goto("/tasks")
    visitor.get_by_label("Search").fill(title)
    visitor.get_by_role("button", name="Search").click()
    visitor.wait_for_url(re.compile(r"/tasks\?"))  # the results, not the list before them
    row = visitor.locator("table tbody tr", has_text=title)
    expect(row).to_contain_text("Ongoing — log hours whenever you do it", use_inner_text=True)
    check_a11y(visitor)
    if size == PHONE:
        _shots(visitor, "ongoing-public-list", size)
    row.get_by_role("link", name=title).click()
    visitor.wait_for_url(task_url)
    heading = visitor.get_by_role("heading", name="Ongoing — log hours whenever you do it")
    expect(heading).to_be_visible()
    expect(visitor.get_by_role("link", name=re.compile("Sign in to log hours"))).to_be_visible()
    check_a11y(visitor)

    volunteer = new_page()
    volunteer.set_viewport_size(size)
    sign_in(volunteer, "volunteer@demo.coprod.org")
    volunteer.goto(task_url)
    volunteer.get_by_role("button", name="I'm interested").click()
    volunteer.wait_for_url(task_url)
    expect(volunteer.get_by_text("You are on this task's contact list").first).to_be_visible()
    expect(volunteer.get_by_role("button", name="No longer interested")).to_be_visible()
    check_a11y(volunteer)
    if size == PHONE:
        _shots(volunteer, "ongoing-task-volunteer", size)
    volunteer.get_by_role("link", name="Log hours", exact=True).click()
    volunteer.wait_for_url(re.compile(r"/tasks/\d+/log$"))
    check_a11y(volunteer)
    if size == PHONE:
        _shots(volunteer, "ongoing-log-form", size)
    volunteer.get_by_label("Hours").fill("1.5")
    volunteer.get_by_role("button", name="Submit for review").click()
    volunteer.wait_for_url(re.compile(r"/logs/\d+$"))
    expect(volunteer.get_by_text("Your hours are logged")).to_be_visible()
    expect(volunteer.get_by_text(title).first).to_be_visible()
    check_a11y(volunteer)


def test_the_coordinating_partner_reads_the_contact_list_of_the_demo_drain(page) -> None:
    sign_in(page, "partner@demo.coprod.org")  # Green Streets Trust coordinates the drain
    page.goto("/tasks?q=storm+drain")
    page.get_by_role("link", name="Adopt a storm drain").click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    screenshots(page, "ongoing-task-coordinator")
    page.get_by_role("link", name="Contact list of those interested").click()
    page.wait_for_url(re.compile(r"/tasks/\d+/interested$"))
    expect(page.get_by_role("cell", name=re.compile("@demo.coprod.org"))).not_to_have_count(0)
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        check_a11y(page)
    screenshots(page, "ongoing-contact-list")
