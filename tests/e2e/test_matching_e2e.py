"""Capacity building in the browser (issue #17), matching part, on the demo world:

1. the expiry sweep (`flask jobs run capacity.expiry`) emails a holder once, over SMTP to a
   real server in this process (aiosmtpd), naming the training shifts that would renew it;
2. a coordinator finds the qualified, free, opted-in members for an understaffed shift from its
   roster, invites one; the invitation arrives by email; its link, after signing in, opens the
   shift with one "Take this place" button that signs her up; "Tasks that fit me" lists it
   before and not after;
3. axe finds nothing on the new pages at 390 and 1280 px.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from urllib.parse import urlsplit

from playwright.sync_api import expect

from tests.e2e.conftest import DESKTOP, PHONE, ROOT, SERVER, check_a11y, screenshots, sign_in
from tests.e2e.test_engagement_e2e import inbox, run_job  # noqa: F401 - the fixture

SEED = textwrap.dedent(
    """
    from datetime import timedelta
    from sqlalchemy import select
    from coprod import create_app
    from coprod.db import unit_of_work, utcnow
    from coprod.demo import DEMO_PASSWORD
    from coprod.models import (
        Membership, Organisation, Programme, Qualification, QualificationAward, Role, Shift,
        Task, TaskSkill, TaskStatus, User, UserSkill,
    )
    from coprod.services.passwords import hash_password

    app = create_app()
    with app.app_context(), unit_of_work() as s:
        now = utcnow().replace(microsecond=0)
        bank = s.scalar(select(Organisation).where(Organisation.name == "Riverside Food Bank"))
        programme = s.scalar(select(Programme).order_by(Programme.id))
        q = Qualification(
            organisation_id=bank.id, name="Knife skills", validity_months=12,
            how_to_get="Attend the knife skills session.",
        )
        s.add(q)
        s.flush()
        kitchen = Task(
            programme_id=programme.id, title="Soup kitchen prep", status=TaskStatus.OPEN,
            location="Riverside hall", coordinating_organisation_id=bank.id,
        )
        course = Task(
            programme_id=programme.id, title="Knife skills session", status=TaskStatus.OPEN,
            location="Riverside hall", coordinating_organisation_id=bank.id,
            trains_qualification_id=q.id,
        )
        s.add_all([kitchen, course])
        s.flush()
        kitchen.required_qualifications.append(q)
        starts = now + timedelta(days=6)
        s.add(Shift(task_id=kitchen.id, starts_at=starts, ends_at=starts + timedelta(hours=3),
                    capacity=3))
        for days in (3, 9):
            at = now + timedelta(days=days)
            s.add(Shift(task_id=course.id, starts_at=at, ends_at=at + timedelta(hours=2),
                        capacity=8))
        s.add(TaskSkill(task_id=kitchen.id, tag="cooking"))
        pw = hash_password(DEMO_PASSWORD)

        def person(email, name, *, expires_in):
            user = User(email=email, display_name=name, password_hash=pw,
                        email_confirmed_at=now, open_to_invitations=True)
            s.add(user)
            s.flush()
            s.add(Membership(user_id=user.id, organisation_id=bank.id, role=Role.MEMBER))
            awarded = (now - timedelta(days=300)).date()
            s.add(QualificationAward(user_id=user.id, qualification_id=q.id, awarded_on=awarded,
                                     expires_on=(now + timedelta(days=expires_in)).date()))
            return user

        ines = person("ines.e2e@example.org", "Ines Invited", expires_in=200)
        s.add(UserSkill(user_id=ines.id, tag="cooking"))
        person("eli.e2e@example.org", "Eli Expiring", expires_in=10)
        # Opted in and a member, but without the certificate: never a candidate.
        other = User(email="olga.e2e@example.org", display_name="Olga Outsider",
                     password_hash=pw, email_confirmed_at=now, open_to_invitations=True)
        s.add(other)
        s.flush()
        s.add(Membership(user_id=other.id, organisation_id=bank.id, role=Role.MEMBER))
    """
)


def seed() -> None:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{SERVER['database']}",
        "COPROD_ENV": "development",
        "SECRET_KEY": "e2e-secret",
    }
    subprocess.run([sys.executable, "-c", SEED], env=env, cwd=ROOT, check=True)


def test_expiry_email_and_an_invitation_taken_in_one_click(new_page, inbox) -> None:  # noqa: F811
    mail, smtp_port = inbox
    seed()
    smtp = {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": str(smtp_port)}

    # 1. The expiry email, once, with the two renewal shifts.
    run_job("capacity.expiry")
    run_job("capacity.expiry")  # a second run sends nothing
    run_job("outbox.deliver", **smtp)
    [notice] = mail.to("eli.e2e@example.org")
    assert "Knife skills" in notice["Subject"]
    text = notice.get_body(preferencelist=("plain",)).get_content()
    assert text.count("Knife skills session") == 2
    assert not mail.to("ines.e2e@example.org")  # hers runs past the window

    # 2. "Tasks that fit me" offers the kitchen to Ines, first (it uses her skill).
    ines = new_page()
    sign_in(ines, "ines.e2e@example.org")
    expect(ines.get_by_role("heading", name="Tasks that fit you")).to_be_visible()
    check_a11y(ines)
    screenshots(ines, "home-tasks-that-fit-you")
    ines.goto("/tasks?fit=me")
    first = ines.locator("tbody tr").first
    expect(first).to_contain_text("Soup kitchen prep", use_inner_text=True)
    check_a11y(ines)
    screenshots(ines, "tasks-that-fit-me")

    # The coordinator finds the candidates from the roster and invites Ines.
    cora = new_page()
    sign_in(cora, "coordinator@demo.coprod.org")
    check_a11y(cora)
    screenshots(cora, "home-coordinator-find-people")
    cora.goto("/tasks?q=Soup+kitchen+prep")
    cora.get_by_role("link", name="Soup kitchen prep").first.click()
    cora.get_by_role("link", name=re.compile("Roster")).first.click()
    cora.get_by_role("link", name="Find qualified people to invite").click()
    cora.wait_for_url(re.compile(r"/shifts/\d+/candidates$"))
    rows = cora.locator("tbody tr")
    names = sorted(rows.locator("th").all_inner_texts())
    assert names == ["Eli Expiring", "Ines Invited"]  # not Olga: she lacks the certificate
    check_a11y(cora)
    screenshots(cora, "shift-candidates")
    cora.get_by_role("button", name="Invite Ines Invited").click()
    expect(cora.get_by_text("Ines Invited is invited")).to_be_visible()
    check_a11y(cora)
    run_job("outbox.deliver", **smtp)
    [invitation] = mail.to("ines.e2e@example.org")
    body = invitation.get_body(preferencelist=("plain",)).get_content()
    link = re.search(r"Take this place: (\S+)", body)
    assert link is not None

    # The link, signed out first: sign in, then one button.
    fresh = new_page()
    fresh.goto(urlsplit(link.group(1)).path)  # the email's host is PUBLIC_BASE_URL
    fresh.wait_for_url(re.compile(r"/login"))
    fresh.get_by_label("Email address").fill("ines.e2e@example.org")
    fresh.get_by_label("Password").fill("demo-password-2026")
    fresh.get_by_role("button", name="Sign in").click()
    fresh.wait_for_url(re.compile(r"/shifts/\d+/invitation$"))
    check_a11y(fresh)
    for size in (PHONE, DESKTOP):
        fresh.set_viewport_size(size)
        check_a11y(fresh)
    screenshots(fresh, "shift-invitation")
    fresh.get_by_role("button", name="Take this place").click()
    expect(fresh.get_by_text("You are signed up for “Soup kitchen prep”")).to_be_visible()
    fresh.goto("/tasks?fit=me")
    expect(fresh.locator("main")).not_to_contain_text("Soup kitchen prep", use_inner_text=True)
