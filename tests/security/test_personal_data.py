"""Volunteers' email and phone are shown only to the coordinators and staff who need them."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coprod.models import Membership, Role, User
from tests.security.conftest import login_as
from tests.security.crawl import crawl

# Every test runs in the demo world, built once for the module (tests/security/conftest.py).
pytestmark = pytest.mark.usefixtures("demo_world")

START = ["/", "/tasks", "/programmes", "/my/schedule", "/my/logs", "/account", "/orgs"]


@pytest.mark.parametrize("role", [None, "volunteer", "member", "reviewer"])
def test_public_and_volunteer_pages_show_no_other_persons_email_or_phone(
    app, client, session, demo, role
) -> None:
    # Give everyone a phone number, so a leak of phones would show too.
    for user in session.scalars(select(User)):
        user.phone = f"+44 7700 9{user.id + 10000}"
    session.flush()
    people = session.execute(select(User.id, User.email, User.phone)).all()
    if role == "member":  # a plain member of an organisation (not its coordinator)
        plain = [
            m.user
            for m in session.scalars(select(Membership).where(Membership.role == Role.MEMBER))
            if {x.role for x in m.user.memberships} == {Role.MEMBER}
        ]
        assert plain
        demo = {**demo, "member": plain[0]}
    viewer = demo[role] if role else None
    if viewer is not None:
        login_as(client, viewer)
    result = crawl(app, client, START)
    assert len(result.pages) > 20
    leaks = []
    for url, response in result.pages.items():
        body = response.get_data(as_text=True).lower()
        for user_id, email, phone in people:
            if viewer is not None and user_id == viewer.id:
                continue
            if email.lower() in body or (phone and phone.lower() in body):
                leaks.append((url, email))
    assert leaks == []


def test_a_coordinator_sees_the_emails_on_their_roster(app, client, session, demo) -> None:
    """The check above is not blind: the roster, for the staff who run it, shows emails."""
    login_as(client, demo["staff"])
    result = crawl(app, client, ["/tasks", "/programmes"])
    rosters = [r for u, r in result.pages.items() if "/roster" in u and r.status_code == 200]
    assert rosters
    emails = [e for (e,) in session.execute(select(User.email))]
    assert any(any(e in r.get_data(as_text=True) for e in emails) for r in rosters)
