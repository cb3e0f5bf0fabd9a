"""Community engagement in the browser (issue #16), on the demo world:

1. a newcomer proposes "Clear the canal towpath", two others support it, the demo staff member
   accepts it with an answer; the draft task credits the proposer; the supporters get one email
   each, delivered over SMTP to a real server in this process (aiosmtpd); once volunteers log
   hours on the task and they are approved, the programme's "You said, we did" page shows them
   after a report sweep;
2. a volunteer who attended rates a shift; the coordinator reads the comment with her name; the
   report shows the average; a visitor sees the comment but no name;
3. axe finds nothing on every new page, at 390 and 1280 px, for the people who use it.

The scheduler's jobs run as the operator would run them by hand (`flask jobs run JOB_ID`)
against the live server's database.
"""

from __future__ import annotations

import os
import re
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, ROOT, SERVER, check_a11y, screenshots, sign_in
from tests.e2e.journeys import register, sign_out

TITLE = "Clear the canal towpath"


class Inbox:
    """An aiosmtpd handler keeping every message it is given."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], EmailMessage]] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        msg = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(msg, EmailMessage)
        self.messages.append((list(envelope.rcpt_tos), msg))
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for rcpt, m in self.messages if address in rcpt]


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = int(s.getsockname()[1])
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def run_job(job_id: str, **env: str) -> str:
    """One of the scheduler's jobs, run once against the live server's database."""
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{SERVER['database']}",
        "COPROD_ENV": "development",
        "SECRET_KEY": "e2e-secret",
        **env,
    }
    done = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "coprod", "jobs", "run", job_id],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout


def _green_streets(page: Any) -> str:
    page.goto("/programmes")
    page.get_by_role("link", name="Green Streets").first.click()
    page.wait_for_url(re.compile(r"/programmes/\d+$"))
    return str(page.url)


def _support(page: Any, email: str, proposal_url: str) -> None:
    page.goto(proposal_url)
    page.get_by_role("button", name="Support this proposal").click()
    page.wait_for_url(proposal_url)
    # The proposal's URL does not change, so wait_for_url does not wait: the message does.
    expect(page.get_by_text("You support this proposal.").first).to_be_visible()


def _log_hours(page: Any, task_url: str, hours: str) -> None:
    page.goto(task_url)
    page.get_by_role("link", name="Log hours", exact=True).click()
    page.wait_for_url(re.compile(r"/tasks/\d+/log$"))
    page.get_by_label("Date").fill(datetime.now(UTC).date().isoformat())
    page.get_by_label("Hours").fill(hours)
    page.get_by_role("button", name="Submit for review").click()
    page.wait_for_url(re.compile(r"/logs/\d+$"))


def _approve(page: Any, log_url: str) -> None:
    page.goto(log_url)
    page.get_by_text("Approve", exact=True).click()  # USWDS styles the label, not the input
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("status").filter(has_text=re.compile(r"approved"))).to_be_visible()


def test_a_proposal_becomes_a_task_and_its_hours_show_on_you_said_we_did(new_page, inbox) -> None:
    mail, smtp_port = inbox
    page = new_page()

    # A newcomer proposes the task.
    proposer = register(page, "Kit Towpath")
    programme_url = _green_streets(page)
    page.get_by_role("link", name=re.compile("Residents' proposals")).click()
    page.get_by_role("link", name="Propose a task").click()
    page.wait_for_url(re.compile(r"/proposals/new$"))
    check_a11y(page)
    page.get_by_role("button", name="Publish my proposal").click()  # empty: errors by fields
    expect(page.get_by_text("There is a problem")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("What should be done, and where").fill(
        "Pick the litter along the towpath between the lock and the footbridge."
    )
    page.get_by_label("Place").fill("Canal towpath, Lock 4 to Mill footbridge")
    page.get_by_label("Why it matters").fill("Walkers and cyclists use it every day.")
    page.get_by_label("What you could do yourself").fill("I can bring six friends.")
    page.get_by_role("button", name="Publish my proposal").click()
    page.wait_for_url(re.compile(r"/proposals/\d+$"))
    proposal_url = str(page.url)
    expect(page.get_by_role("heading", name=TITLE)).to_be_visible()
    expect(page.get_by_text("Kit Towpath").first).to_be_visible()
    screenshots(page, "proposal-own")
    sign_out(page)

    # Two others support it: the count is public, their names are not.
    supporters = []
    for name in ("Sam Support", "Lee Support"):
        supporters.append(register(page, name))
        _support(page, supporters[-1], proposal_url)
        sign_out(page)
    visitor = new_page()
    visitor.goto(proposal_url)
    expect(visitor.locator("#supports")).to_have_text("2 people support it", use_inner_text=True)
    assert "Sam Support" not in visitor.content() and "Lee Support" not in visitor.content()

    # The demo staff member accepts it, with an answer, and adds the proposer as co-coordinator.
    sign_in(page, "staff@demo.coprod.org")
    page.goto(proposal_url)
    page.get_by_label("Answer", exact=True).select_option(label="Accepted")
    page.get_by_label("Public answer").fill(
        "Yes: Green Streets Trust lends grabbers and bags. Kit runs it with us."
    )
    box = page.get_by_role("checkbox", name="Add the proposer as a co-coordinator of the task")
    box.focus()  # USWDS draws the box with the label's ::before; a keyboard user ticks it
    page.keyboard.press("Space")
    page.get_by_role("button", name="Publish the answer").click()
    page.wait_for_url(proposal_url)
    expect(page.get_by_text("Your answer is published: Accepted.")).to_be_visible()
    page.get_by_role("link", name=f"See the task made from this proposal: {TITLE}").click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    task_url = str(page.url)
    # The draft task credits the proposer.
    expect(page.get_by_text("Draft", exact=True).first).to_be_visible()
    expect(page.get_by_text(re.compile("Proposed by Kit Towpath")).first).to_be_visible()
    screenshots(page, "proposal-draft-task")

    # The staff member makes it an ongoing task and publishes it.
    page.get_by_role("link", name="Edit task").click()
    ongoing = page.get_by_role("checkbox", name=re.compile(r"^Ongoing"))
    ongoing.focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name=re.compile("Save")).click()
    page.wait_for_url(task_url)
    page.get_by_role("button", name="Publish").click()
    page.wait_for_url(task_url)
    expect(page.get_by_text("The task is now open.")).to_be_visible()
    sign_out(page)

    # The outbox goes out over SMTP: the proposer and each supporter get one email about it.
    run_job("outbox.deliver", MAIL_SERVER="127.0.0.1", MAIL_PORT=str(smtp_port))
    for address in supporters:
        about = [m for m in mail.to(address) if TITLE in str(m["Subject"])]
        assert len(about) == 1, (address, [str(m["Subject"]) for m in mail.to(address)])
        assert (
            "Yes: Green Streets Trust lends grabbers" in about[0].get_body(("plain",)).get_content()
        )  # type: ignore[union-attr]
    assert len([m for m in mail.to(proposer) if TITLE in str(m["Subject"])]) == 1

    # Two volunteers log hours on the task; the reviewer approves them.
    logs = []
    for email, hours in (("volunteer@demo.coprod.org", "2"), (proposer, "3")):
        if email == proposer:
            sign_in(page, email, "a long and lovely passphrase")
        else:
            sign_in(page, email)
        _log_hours(page, task_url, hours)
        logs.append(str(page.url))
        sign_out(page)
    sign_in(page, "reviewer@demo.coprod.org")
    for log_url in logs:
        _approve(page, log_url)
    sign_out(page)

    # After the report sweep, "You said, we did" shows the hours: aggregate only.
    run_job("reports.sweep")
    visitor.goto(programme_url)
    visitor.get_by_role("link", name="You said, we did").click()
    visitor.wait_for_url(re.compile(r"/you-said-we-did$"))
    entry = (
        visitor.locator("article, li, section")
        .filter(has=visitor.get_by_role("heading", name=TITLE))
        .last
    )
    text = entry.inner_text()
    assert "Yes: Green Streets Trust lends grabbers" in text
    assert re.search(r"Approved hours\s*5\b", text), text
    assert re.search(r"Volunteers\s*2\b", text), text
    assert "Kit Towpath" not in visitor.content()
    for size in (PHONE, DESKTOP):
        visitor.set_viewport_size(size)
        check_a11y(visitor)
    screenshots(visitor, "you-said-we-did")


def test_a_volunteer_rates_a_shift_the_coordinator_reads_it_and_the_report_averages_it(
    new_page,
) -> None:
    comment = "The new sign-in table made the start so much quicker."
    page = new_page()
    sign_in(page, "volunteer@demo.coprod.org")
    page.goto("/tasks?q=community+kitchen")
    page.get_by_role("link", name="Saturday community kitchen").first.click()
    page.wait_for_url(re.compile(r"/tasks/\d+$"))
    task_url = str(page.url)
    page.get_by_text("5 \u2013 Excellent").click()
    page.get_by_label("Comment (optional)").fill(comment)
    page.get_by_text("Show my comment publicly, without my name").click()
    check_a11y(page)
    page.get_by_role("button", name="Send feedback").click()
    page.wait_for_url(re.compile(r"/tasks/\d+"))
    expect(page.get_by_text(comment).first).to_be_visible()
    screenshots(page, "feedback-given")
    sign_out(page)

    # The coordinator reads every comment on the task, with the names.
    sign_in(page, "coordinator@demo.coprod.org")
    page.goto(task_url)
    page.get_by_role("link", name=re.compile(r"Read all feedback")).click()
    page.wait_for_url(re.compile(r"/tasks/\d+/feedback"))
    row = page.locator("li, tr, article").filter(has_text=comment).last
    expect(row).to_contain_text("Vera", use_inner_text=True)
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        check_a11y(page)
    screenshots(page, "feedback-organisers")
    sign_out(page)

    # A visitor reads the comment on the task page, without a name.
    visitor = new_page()
    visitor.goto(task_url)
    said = visitor.locator("#what-volunteers-said, section").filter(has_text=comment).last
    expect(said).to_be_visible()
    expect(said).not_to_contain_text("Vera", use_inner_text=True)
    check_a11y(visitor)

    # The report of the month shows the task's average once the sweep has run.
    run_job("reports.sweep")
    with sqlite3.connect(SERVER["database"]) as conn:
        (programme_id,) = conn.execute(
            "SELECT programme_id FROM task WHERE id = ?", (int(task_url.rsplit("/", 1)[1]),)
        ).fetchone()
    sign_in(page, "staff@demo.coprod.org")
    start = datetime.now(UTC).date().replace(day=1).isoformat()  # the demo's zone is UTC
    page.goto(f"/programmes/{programme_id}/reports?period=month&start={start}")
    expect(page.get_by_role("heading", name="Volunteer feedback")).to_be_visible()
    section = page.locator("main").inner_text().split("Volunteer feedback", 1)[1]
    section = section.split("Download", 1)[0]
    assert re.search(r"Average rating\s*\d([.,]\d)? out of 5", section), section
    assert "Saturday community kitchen" in section
    check_a11y(page)


PAGES = [  # (who, path) of every new page, for axe at both widths
    (None, "/programmes/2/proposals"),
    (None, "/proposals/1"),
    (None, "/programmes/2/you-said-we-did"),
    ("volunteer", "/programmes/2/proposals/new"),
    ("volunteer", "/my/proposals"),
    ("volunteer", "/proposals/2"),
    ("staff", "/proposals/3"),
    ("staff", "/programmes/2/moderation"),
    ("staff", "/programmes/2/moderation?show=hidden"),
    ("staff", "/proposals/9/hide"),
    ("coordinator", "/tasks/1/feedback"),
]


@pytest.mark.parametrize("who", ["visitor", "volunteer", "staff", "coordinator"])
def test_every_new_page_passes_axe_on_a_phone_and_a_desktop(page, who) -> None:
    if who != "visitor":
        sign_in(page, f"{who}@demo.coprod.org")
    for role, path in PAGES:
        if (role or "visitor") != who:
            continue
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        for size in (PHONE, DESKTOP):
            page.set_viewport_size(size)
            check_a11y(page)
        screenshots(page, f"engagement-{who}-{re.sub(r'[^a-z0-9]+', '-', path).strip('-')}")
