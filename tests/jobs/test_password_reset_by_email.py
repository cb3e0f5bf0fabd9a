"""Done when: a person who forgot their password gets the email through a real SMTP server,
sets a new one, and their old session is gone; an unknown address looks identical from
outside."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from coprod.db import utcnow
from coprod.extensions import limiter
from coprod.jobs.outbox import deliver_outbox
from tests.factories import PASSWORD, make_user
from tests.jobs.test_outbox import smtp  # noqa: F401 - the real SMTP server fixture

NEW_PASSWORD = "a brand new passphrase"


@pytest.fixture(autouse=True)
def _fresh_limits() -> Iterator[None]:
    limiter.reset()
    yield
    limiter.reset()


def _ask(client, email: str) -> tuple[int, str, bytes, bytes]:
    """Everything a stranger sees when asking for a reset link for this address."""
    resp = client.post("/forgot-password", data={"email": email})
    page = client.get(resp.headers["Location"])
    return resp.status_code, resp.headers["Location"], resp.data, page.data


def test_a_forgotten_password_is_reset_through_a_real_email(app, session, smtp) -> None:  # noqa: F811
    inbox, mail = smtp
    user = make_user(session, email="forgetful@example.org")
    old_device = app.test_client()
    signed_in = old_device.post("/login", data={"email": user.email, "password": PASSWORD})
    assert signed_in.status_code == 303 and old_device.get("/account").status_code == 200

    stranger = app.test_client()
    known = _ask(stranger, user.email)
    unknown = _ask(stranger, "nobody-here@example.org")
    assert known == unknown  # the same status, redirect and words: nothing is revealed

    assert deliver_outbox(session, now=utcnow(), settings=mail)["sent"] == 1
    [(recipients, message)] = inbox.messages  # the unknown address got nothing
    assert recipients == [user.email] and message["Subject"] == "Set a new password for coprod"
    link = re.search(r"http://127\.0\.0\.1:5000(/reset-password/\S+)", inbox.text())
    assert link is not None and link.group(0) in inbox.html()

    browser = app.test_client()
    assert user.email in browser.get(link.group(1)).text
    done = browser.post(link.group(1), data={"password": NEW_PASSWORD})
    assert done.status_code == 200 and "Every device that was signed in" in done.text

    assert old_device.get("/account").status_code == 302  # the old session is gone
    reused = browser.post(link.group(1), data={"password": "another new passphrase"})
    assert reused.status_code == 422 and "expired or was already used" in reused.text
    old = browser.post("/login", data={"email": user.email, "password": PASSWORD})
    assert old.status_code == 422
    new = browser.post("/login", data={"email": user.email, "password": NEW_PASSWORD})
    assert new.status_code == 303
