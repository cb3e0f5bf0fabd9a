"""Every form showing its errors passes axe; error summaries link to fields and take focus;
a keyboard alone completes a sign-up."""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import check_a11y, screenshots, sign_in
from tests.e2e.journeys import (
    PASSPHRASE,
    confirm_email,
    open_task,
    register,
    row_with_free_places,
)


def check_error_summary(page: Any, name: str) -> None:
    """The summary is there, has focus, links to fields that exist; axe passes; shots saved."""
    summary = page.locator(".cp-error-summary")
    expect(summary).to_be_visible()
    assert summary.get_attribute("role") == "alert"
    # autofocus is applied at the next rendering update after load: wait for it.
    page.wait_for_function(
        "document.activeElement?.classList.contains('cp-error-summary')", timeout=5_000
    )
    for href in summary.locator("a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    ):
        assert href.startswith("#")
        target = page.locator(href)
        expect(target, f"the summary links to {href}, which is not on the page").to_have_count(1)
        tag = target.evaluate("e => e.tagName.toLowerCase()")
        assert tag in ("input", "select", "textarea", "fieldset"), (href, tag)
    # Fields with errors say so to assistive technology.
    for field in page.locator(".usa-input--error").all():
        assert field.get_attribute("aria-invalid") == "true"
        assert "-error" in (field.get_attribute("aria-describedby") or "")
    check_a11y(page)
    screenshots(page, f"{name}-errors")


def _submit(page: Any, label: str) -> None:
    page.get_by_role("button", name=label, exact=True).click()


def test_visitor_forms_show_their_errors_accessibly(page) -> None:
    page.goto("/register")
    page.get_by_label("Email address").fill("not an address")
    page.get_by_label("Password").fill("qwertyuiop")
    _submit(page, "Create account")
    expect(page.locator("#password-error")).to_contain_text(
        "list of common passwords", use_inner_text=True
    )
    check_error_summary(page, "register")
    page.goto("/login")
    page.get_by_label("Email address").fill("nobody@example.org")
    page.get_by_label("Password").fill("wrong password")
    _submit(page, "Sign in")
    check_error_summary(page, "login")


def test_a_volunteers_forms_show_their_errors_accessibly(page) -> None:
    register(page, "Fiona Forms")
    page.goto("/orgs/new")
    check_a11y(page)
    screenshots(page, "org-new")
    _submit(page, "Create organisation")
    check_error_summary(page, "org-new")
    page.goto("/account/password")
    page.get_by_label("Current password").fill("not my password")
    page.get_by_label("New password").fill("short")
    _submit(page, "Change password")
    check_error_summary(page, "password")
    open_task(page, "Saturday community kitchen")
    page.get_by_role("link", name="Log hours for this task").click()
    page.get_by_label("Hours").fill("30")
    page.get_by_role("button", name=re.compile("Submit|Log", re.I)).last.click()
    check_error_summary(page, "log-hours")


def test_staff_forms_show_their_errors_accessibly(page) -> None:
    sign_in(page, "staff@demo.coprod.org")
    page.goto("/programmes/new")
    check_a11y(page)
    screenshots(page, "programme-new")
    _submit(page, "Create programme")
    check_error_summary(page, "programme-new")

    page.goto("/programmes")
    page.get_by_role("link", name="Community Meals").first.click()
    page.get_by_role("link", name=re.compile("task", re.I)).filter(
        has_text=re.compile("^(Create|Add|New)", re.I)
    ).first.click()
    page.wait_for_url(re.compile(r"/tasks/new"))
    check_a11y(page)
    screenshots(page, "task-new")
    _submit(page, "Save as draft")
    check_error_summary(page, "task-new")

    open_task(page, "Food bank sorting")
    page.get_by_role("link", name=re.compile("^Add (a )?shift", re.I)).first.click()
    page.wait_for_url(re.compile(r"/shifts/new"))
    check_a11y(page)
    screenshots(page, "shift-new")
    _submit(page, "Add shift")
    check_error_summary(page, "shift-new")

    page.goto("/orgs")
    page.get_by_role("link", name="Riverside City Council").first.click()
    page.get_by_label("Email address").fill("nobody-registered@example.org")
    _submit(page, "Add member")
    check_error_summary(page, "add-member")


def test_a_review_without_the_required_comment_shows_the_error_accessibly(page) -> None:
    sign_in(page, "reviewer@demo.coprod.org")
    page.goto("/review")
    # A log the reviewer may decide on has a tick box in the queue.
    log_id = page.locator("input[name=log_ids]").first.get_attribute("value")
    page.goto(f"/logs/{log_id}")
    page.wait_for_url(re.compile(r"/logs/\d+$"))
    check_a11y(page)
    screenshots(page, "log-review")
    page.get_by_text("Ask for changes", exact=True).click()
    _submit(page, "Record the decision")
    check_error_summary(page, "review-no-comment")


def _tab_to(page: Any, pattern: str, limit: int = 120) -> str:
    """Press Tab until the focused element's name matches; returns that name."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        name = page.evaluate(
            "() => { const e = document.activeElement;"
            " return (e.getAttribute('aria-label') || e.labels?.[0]?.innerText"
            " || e.innerText || '').trim(); }"
        )
        if re.search(pattern, name):
            return str(name)
    raise AssertionError(f"Tab never reached {pattern!r}")


def test_a_keyboard_alone_registers_and_signs_up_for_a_shift(page) -> None:
    page.goto("/register")
    first = _tab_to(page, r".", limit=1)
    assert first == "Skip to main content"  # the first stop skips the navigation
    _tab_to(page, "^Your name")
    page.keyboard.type("Kim Keyboard")
    _tab_to(page, "^Email address")
    page.keyboard.type("kim.keyboard@example.org")
    _tab_to(page, "^Password")
    page.keyboard.type(PASSPHRASE)
    page.keyboard.press("Enter")
    page.wait_for_url("**/register/check-email")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check your email", use_inner_text=True
    )
    # Sign in by keyboard, then (after the emailed link) sign up by keyboard.
    _tab_to(page, "^Sign in$")
    page.keyboard.press("Enter")
    page.wait_for_url("**/login")
    _tab_to(page, "^Email address")
    page.keyboard.type("kim.keyboard@example.org")
    _tab_to(page, "^Password")
    page.keyboard.type(PASSPHRASE)
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    confirm_email(page, "kim.keyboard@example.org")

    page.goto("/tasks")
    _tab_to(page, "^Park litter pick")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/tasks/\d+"))
    row = row_with_free_places(page, 1) or row_with_free_places(page, 2)
    assert row is not None
    when = row.locator("th").inner_text()
    label = _tab_to(page, r"^Sign up for ")
    page.keyboard.press("Enter")
    # The page after Enter (wait_for_load_state would take the one before it for loaded).
    expect(page.get_by_role("status")).to_contain_text("You are signed up", use_inner_text=True)
    assert label.startswith("Sign up for ")
    row = page.locator("table tbody tr", has=page.locator("th", has_text=when)).first
    expect(row).to_have_count(1)
    check_a11y(page)
    screenshots(page, "keyboard-signed-up")
