"""A visitor registers, makes mistakes, fixes them, signs out and in — in a real browser."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.conftest import check_a11y, screenshots, sign_in


def test_home_page_is_accessible(page) -> None:
    page.goto("/")
    assert page.get_by_role("heading", level=1).inner_text()
    check_a11y(page)
    screenshots(page, "home")


def test_register_shows_errors_beside_fields_then_succeeds(page) -> None:
    page.goto("/register")
    check_a11y(page)
    page.get_by_label("Your name").fill("Nina Newcomer")
    page.get_by_label("Email address").fill("nina-at-example")
    page.get_by_label("Password").fill("short")
    page.get_by_role("button", name="Create account").click()
    summary = page.get_by_role("alert").filter(has_text="There is a problem")
    expect(summary).to_be_visible()
    expect(page.locator("#email-error")).to_be_visible()
    expect(page.locator("#password-error")).to_be_visible()
    assert page.evaluate("document.activeElement.id") == "" or summary.evaluate(
        "el => el === document.activeElement || el.contains(document.activeElement)"
    )
    assert page.get_by_label("Your name").input_value() == "Nina Newcomer"
    check_a11y(page)
    screenshots(page, "register-errors")
    page.get_by_label("Email address").fill("nina@example.org")
    page.get_by_label("Password").fill("a long and lovely passphrase")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/register/check-email")
    expect(page.get_by_role("heading", name="Check your email")).to_be_visible()
    check_a11y(page)


def test_sign_in_with_keyboard_only(page) -> None:
    page.goto("/login")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    page.get_by_label("Email address").focus()
    page.keyboard.type("volunteer@demo.coprod.org")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-password-2026")
    page.keyboard.press("Enter")
    page.wait_for_url("**/")
    expect(page.get_by_text("Signed in as Vera Volunteer")).to_be_visible()
    check_a11y(page)


def test_signed_in_pages_are_accessible(page) -> None:
    sign_in(page, "volunteer@demo.coprod.org")
    page.goto("/account")
    check_a11y(page)
    screenshots(page, "account")


def test_a_forgotten_password_is_reset_from_the_emailed_link(page, new_page) -> None:
    from tests.e2e.conftest import emailed_link
    from tests.e2e.journeys import PASSPHRASE, register

    email = register(page, "Fergus Forgetful")  # signed in on this device
    other = new_page()
    other.goto("/login")
    other.get_by_role("link", name="Forgot your password?").click()
    other.wait_for_url("**/forgot-password")
    check_a11y(other)
    screenshots(other, "forgot-password")
    other.get_by_label("Email address").fill(email)
    other.get_by_role("button", name="Email me a link").click()
    other.wait_for_url("**/forgot-password/sent")
    expect(other.get_by_role("heading", name="Check your email")).to_be_visible()
    check_a11y(other)
    other.goto(emailed_link(email, "reset-password"))
    check_a11y(other)
    screenshots(other, "reset-password")
    other.get_by_label("New password").fill("short")
    other.get_by_role("button", name="Set new password").click()
    expect(other.locator("#password-error")).to_be_visible()
    check_a11y(other)
    other.get_by_label("New password").fill(PASSPHRASE + " renewed")
    other.get_by_role("button", name="Set new password").click()
    expect(other.get_by_role("heading", name="Your password is set")).to_be_visible()
    check_a11y(other)
    screenshots(other, "reset-done")
    page.goto("/account")  # the first device was signed out
    page.wait_for_url("**/login**")
    sign_in(page, email, PASSPHRASE + " renewed")


def test_the_profile_and_the_unconfirmed_banner_are_accessible(page) -> None:
    page.goto("/register")
    page.get_by_label("Your name").fill("Una Unconfirmed")
    page.get_by_label("Email address").fill("una@example.org")
    page.get_by_label("Password").fill("a long and lovely passphrase")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/register/check-email")
    check_a11y(page)
    screenshots(page, "register-check-email")
    sign_in(page, "una@example.org", "a long and lovely passphrase")
    banner = page.get_by_role("region", name="Confirm your email address")
    expect(banner).to_be_visible()
    check_a11y(page)
    screenshots(page, "unconfirmed-banner")
    page.goto("/account/profile")
    page.get_by_label("Phone number").fill("call me maybe")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#phone-error")).to_be_visible()
    check_a11y(page)
    screenshots(page, "profile-errors")


def test_a_site_admin_finds_an_account_and_sees_its_actions(page) -> None:
    sign_in(page, "admin@demo.coprod.org")
    page.goto("/admin")
    page.get_by_role("link", name="Accounts").click()
    page.wait_for_url("**/admin/accounts")
    page.get_by_label("Name or email").fill("volunteer")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/admin/accounts\?"))  # the results, not the page before
    check_a11y(page)
    screenshots(page, "admin-accounts")
    page.get_by_role("link", name="Vera Volunteer").click()
    expect(page.get_by_role("button", name="Deactivate account")).to_be_visible()
    page.get_by_role("button", name="Deactivate account").click()
    expect(page.locator("#reason-error")).to_be_visible()
    check_a11y(page)
    screenshots(page, "admin-account")
