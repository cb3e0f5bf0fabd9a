"""A visitor registers, makes mistakes, fixes them, signs out and in — in a real browser."""

from __future__ import annotations

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
    assert summary.is_visible()
    assert page.locator("#email-error").is_visible()
    assert page.locator("#password-error").is_visible()
    assert page.evaluate("document.activeElement.id") == "" or summary.evaluate(
        "el => el === document.activeElement || el.contains(document.activeElement)"
    )
    assert page.get_by_label("Your name").input_value() == "Nina Newcomer"
    check_a11y(page)
    screenshots(page, "register-errors")
    page.get_by_label("Email address").fill("nina@example.org")
    page.get_by_label("Password").fill("a long and lovely passphrase")
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/")
    assert page.get_by_text("Your account is ready").is_visible()


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
    assert page.get_by_text("Signed in as Vera Volunteer").is_visible()
    check_a11y(page)


def test_signed_in_pages_are_accessible(page) -> None:
    sign_in(page, "volunteer@demo.coprod.org")
    page.goto("/account")
    check_a11y(page)
    screenshots(page, "account")
