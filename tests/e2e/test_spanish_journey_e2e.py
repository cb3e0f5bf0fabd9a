"""A Spanish-speaking visitor's whole journey in Chromium (Accept-Language: es): find a task,
register, confirm the address, sign up for a shift, log hours; on every page the visible text
holds no English phrase of the catalogue, axe finds nothing, and the emails are in Spanish.
Then the person switches to English in their profile: pages and the next email follow."""

from __future__ import annotations

import re
import sqlite3
import uuid
from typing import Any

from playwright.sync_api import expect

from tests.e2e.conftest import (
    DESKTOP,
    PHONE,
    SERVER,
    check_a11y,
    emailed_link,
    open_context,
    screenshots,
)
from tests.i18n.catalogue import english_left_in, spanish

PASSPHRASE = "una contraseña larga y bonita"
SHOWN = """() => {
  const out = [document.body.innerText, document.title];
  for (const el of document.querySelectorAll('[title],[aria-label],[placeholder],[alt]')) {
    for (const a of ['title', 'aria-label', 'placeholder', 'alt']) {
      if (el.getAttribute(a)) out.push(el.getAttribute(a));
    }
  }
  return out.join('\\n');
}"""


def _read(page: Any, name: str) -> None:
    """The page as a Spanish reader meets it: lang="es", no English phrase, axe clean, at a
    phone's width and a desktop's."""
    assert page.locator("html").get_attribute("lang") == "es", page.url
    left = english_left_in(_without_data(page.evaluate(SHOWN)))
    assert not left, f"English on {page.url}: {left}"
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        check_a11y(page)
    screenshots(page, f"es-{name}")


def _without_data(text: str) -> str:
    """The text without the demo's own content (task titles and descriptions, names of
    organisations, programmes, people, metrics): data its agency typed in English, not
    coprod's words."""
    queries = (
        "SELECT title FROM task UNION SELECT description FROM task UNION SELECT location FROM task",
        "SELECT name FROM organisation UNION SELECT name FROM programme",
        "SELECT description FROM programme UNION SELECT display_name FROM user",
        "SELECT name FROM metric UNION SELECT unit FROM metric",
        "SELECT cancel_reason FROM shift WHERE cancel_reason IS NOT NULL",
    )
    with sqlite3.connect(SERVER["database"]) as conn:
        data = [v for q in queries for (v,) in conn.execute(q) if v]
    text = " ".join(text.split())
    for value in sorted((" ".join(v.split()) for v in data), key=len, reverse=True):
        text = text.replace(value, " ")
    return text


def _emails(address: str) -> list[tuple[str, str]]:
    with sqlite3.connect(SERVER["database"]) as conn:
        return conn.execute(
            "SELECT subject, body_text FROM outbox_message WHERE recipient = ? ORDER BY id",
            (address,),
        ).fetchall()


def _spanish_email(subject: str, body: str) -> None:
    left = english_left_in(_without_data(f"{subject}\n{body}"))
    assert not left, f"English in the email “{subject}”: {left}"


def test_a_spanish_speaker_finds_registers_signs_up_and_logs_hours(browser, live_server) -> None:
    context = open_context(browser, live_server, locale="es-ES")
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        _journey(page)
    finally:
        context.close()


def _journey(page: Any) -> None:
    es = spanish
    page.goto("/")
    _read(page, "welcome")

    # Find a task.
    page.goto("/tasks")
    _read(page, "tasks")
    page.get_by_label(es("Search")).first.fill("meal delivery")
    page.get_by_role("button", name=es("Search")).click()
    _read(page, "tasks-search")
    page.get_by_role("link", name=re.compile("Meal delivery round")).first.click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    task_url = page.url
    _read(page, "task-visitor")

    # Register, sign in, confirm the address.
    address = f"lucia.{uuid.uuid4().hex[:8]}@example.org"
    page.goto("/register")
    _read(page, "register")
    page.get_by_label(es("Your name")).fill("Lucía Fernández")
    page.get_by_label(es("Email address")).fill(address)
    page.get_by_label(es("Password")).fill(PASSPHRASE)
    page.get_by_role("button", name=es("Create account")).click()
    page.wait_for_url("**/register/check-email")
    _read(page, "register-sent")
    page.goto("/login")
    _read(page, "login")
    page.get_by_label(es("Email address")).fill(address)
    page.get_by_label(es("Password")).fill(PASSPHRASE)
    page.get_by_role("button", name=es("Sign in")).click()
    page.wait_for_url("**/")
    _read(page, "home")
    page.goto(emailed_link(address, "confirm-email"))
    _read(page, "confirm-email")
    page.get_by_role("button", name=es("Confirm my address")).click()
    page.wait_for_url("**/account")
    _read(page, "account")

    # Sign up for a shift with places to spare (other browser tests count free places).
    page.goto(task_url)
    rows = page.locator("table tbody tr")
    chosen = None
    for i in range(rows.count()):
        row = rows.nth(i)
        buttons = row.get_by_role("button")
        if buttons.count() == 1 and row.locator("td").count() >= 3:
            chosen = row
    assert chosen is not None, "no shift to sign up for"
    chosen.get_by_role("button").click()
    page.wait_for_url(re.compile(r"/tasks/\d+"))  # the same URL: this does not wait
    expect(page.get_by_role("status")).not_to_have_count(0)
    _read(page, "task-signed-up")
    page.goto("/signups/mine")
    _read(page, "my-schedule")

    # Log hours on the demo's ongoing task, with a decimal comma.
    page.goto("/tasks?q=storm+drain")
    page.get_by_role("link", name="Adopt a storm drain").click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    page.get_by_role("button", name=es("I'm interested")).click()
    expect(page.get_by_role("button", name=es("No longer interested"))).to_be_visible()
    _read(page, "ongoing-task")
    page.get_by_role("link", name=es("Log hours"), exact=True).click()
    page.wait_for_url(re.compile(r"/tasks/\d+/log$"))
    _read(page, "log-form")
    page.get_by_label(es("Hours")).fill("1,5")
    page.get_by_role("button", name=es("Submit for review")).click()
    page.wait_for_url(re.compile(r"/logs/\d+$"))
    _read(page, "log-sent")
    assert "1,5" in page.inner_text("main")
    page.goto("/logs/mine")
    _read(page, "my-logs")

    # The emails so far (address confirmation, sign-up) are in Spanish.
    sent = _emails(address)
    assert len(sent) >= 2, sent
    for subject, body in sent:
        _spanish_email(subject, body)

    # English, chosen in the profile: pages and the next email follow.
    page.goto("/account/profile")
    _read(page, "profile")
    page.get_by_label(es("Language")).select_option("en")
    page.get_by_role("button", name=es("Save")).click()
    page.wait_for_url("**/account")
    assert page.locator("html").get_attribute("lang") == "en"
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account", use_inner_text=True)
    before = len(_emails(address))
    page.goto("/account/profile")
    page.get_by_label("Email address").fill(f"new.{address}")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/account")
    after = _emails(f"new.{address}")
    assert len(_emails(address)) + len(after) > before
    subject, body = after[-1]
    assert "Confirm" in subject or "confirm" in body, subject
