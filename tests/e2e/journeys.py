"""Small browser helpers for the journeys: register someone new, find shifts, sign out."""

from __future__ import annotations

import re
import uuid
from typing import Any

from tests.e2e.conftest import emailed_link, sign_in

PASSPHRASE = "a long and lovely passphrase"


def register(page: Any, name: str) -> str:
    """Register a new person with a unique address, sign in, and confirm the address with the
    emailed link; returns the address."""
    email = f"{name.split()[0].lower()}.{uuid.uuid4().hex[:8]}@example.org"
    page.goto("/register")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSPHRASE)
    page.get_by_role("button", name="Create account").click()
    page.wait_for_url("**/register/check-email")
    sign_in(page, email, PASSPHRASE)
    confirm_email(page, email)
    return email


def confirm_email(page: Any, email: str) -> None:
    """Follow the confirmation link from the email and press its button."""
    page.goto(emailed_link(email, "confirm-email"))
    page.get_by_role("button", name="Confirm my address").click()
    page.wait_for_url("**/account")


def sign_out(page: Any) -> None:
    button = page.get_by_role("button", name="Sign out")
    page.wait_for_load_state()  # is_visible does not wait: a page still loading reads as hidden
    if not button.is_visible():  # on a phone it is inside the Menu disclosure
        page.get_by_text("Menu", exact=True).click()
    button.click()
    page.wait_for_url("**/")


def open_task(page: Any, title: str) -> str:
    page.goto("/tasks")
    page.get_by_role("link", name=title).first.click()
    page.wait_for_url(re.compile(r"/tasks/\d+"))
    return str(page.url)


def row_with_free_places(page: Any, free: int) -> Any:
    """The first upcoming shift row showing exactly `free` free places, or None. Waits for the
    shifts table first: counting rows does not wait, and a page still loading has none."""
    page.locator("td[data-label='Free places']").first.wait_for()
    rows = page.locator("table tbody tr")
    for i in range(rows.count()):
        row = rows.nth(i)
        cell = row.locator("td[data-label='Free places']")
        if cell.count() and re.match(rf"^\s*{free} of \d+", cell.inner_text()):
            return row
    return None
