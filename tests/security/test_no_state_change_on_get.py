"""Every page, walked by following links as each role over the demo world, changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from coprod.db import utcnow
from coprod.models import ContributionLog, LogStatus, User
from coprod.services import letters, tokens
from tests.factories import make_award, make_qualification
from tests.security.conftest import login_as, row_counts
from tests.security.crawl import crawl

# Every test runs in the demo world, built once for the module (tests/security/conftest.py).
pytestmark = pytest.mark.usefixtures("demo_world")

START = ["/", "/admin", "/orgs", "/programmes", "/tasks", "/review", "/my/schedule", "/my/logs"]
# GET endpoints no link leads to in the demo world, with why.
UNREACHABLE = {
    "reports.export": "linked only once a report snapshot exists (built by the scheduler)",
    "notifications.outbox_message": "linked only once an email is queued (the demo world has none)",
    "main.favicon": "an icon named by <link rel=icon> (tests/web/test_favicon.py), not a page",
    "recovery.reset_password": "linked only from a password-reset email",
    "recovery.confirm_email": "linked only from a confirmation email",
    "recovery.confirm_email_change": "linked only from a change-of-address email",
    "recovery.forgot_password_sent": "reached only by the redirect after asking for a link",
    "auth.register_sent": "reached only by the redirect after registering",
    "auth.download_export": "linked only from the email a big data export sends "
    "(tests/web/test_exports.py follows it)",
    "admin.decline": "linked only beside an agency awaiting verification (the demo has none)",
    "signups.mark_all": "linked from the roster of a started shift with people to mark; the walk "
    "opens only a few rosters per role (asking changes nothing: tests/web/test_roster.py)",
    "tasks.interested": "linked from an ongoing task's page, one of many task pages the walk "
    "visits only a few of per role (tests/web/test_ongoing_tasks.py reads it)",
    "matching.invitation": "linked only from an invitation email (tests/web/test_matching_pages.py "
    "opens it; taking the place is a POST)",
    "tasks.remove_from_series": "linked beside a shift made in a weekly series through the form; "
    "the demo's shifts are not such a series (tests/web/test_shift_changes.py asks it)",
}


def _get_endpoints(app) -> set[str]:
    return {
        r.endpoint
        for r in app.url_map.iter_rules()
        if "GET" in (r.methods or set())
        and r.endpoint != "static"
        and not r.rule.startswith("/api/")
    }


def test_walking_every_page_as_every_role_changes_no_row(app, client, session, demo) -> None:
    before = row_counts(session)
    reached: set[str] = set()
    crashes: dict[str, int] = {}
    # Someone whose log was sent back for changes (the resubmit page is theirs alone).
    sent_back = session.scalars(
        select(User)
        .join(ContributionLog, ContributionLog.user_id == User.id)
        .where(ContributionLog.status == LogStatus.CHANGES_REQUESTED)
    ).first()
    assert sent_back is not None
    demo = {**demo, "sent_back": sent_back}
    # Everyone has an API token, so the token pages (list, revoke confirmation) are linked.
    for user in demo.values():
        tokens.create_token(session, user, "laptop")
    # The volunteer has a service letter, so its page, PDF, revoke step and check are linked.
    letters.issue_letter(
        session, demo["volunteer"], from_date="1900-01-01", to_date="9000-12-31", now=utcnow()
    )
    # The coordinator's organisation defines a qualification the volunteer holds, so its page,
    # edit form and the revoke step are linked.
    held = make_qualification(session, demo["coordinator"].memberships[0].organisation)
    make_award(session, demo["volunteer"], held)
    session.flush()
    before = row_counts(session)
    roles = (None, "admin", "staff", "coordinator", "reviewer", "partner", "volunteer", "sent_back")
    for role in roles:
        if role is None:
            result = crawl(app, client, ["/", "/tasks", "/programmes", "/login", "/register"])
        else:
            login_as(client, demo[role])
            result = crawl(app, client, START)
        reached |= set(result.endpoints)
        crashes |= {u: r.status_code for u, r in result.pages.items() if r.status_code >= 500}
        assert row_counts(session) == before, f"a GET page changed rows while walking as {role}"
    assert crashes == {}
    missing = _get_endpoints(app) - reached - set(UNREACHABLE)
    assert missing == set(), f"the walk did not reach {sorted(missing)}"
