"""The demo world: believable, consistent with the product's rules, and loaded only once."""

from __future__ import annotations

from itertools import pairwise

from sqlalchemy import func, select

from coprod.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo_data
from coprod.models import (
    SEATED,
    ContributionLog,
    LogStatus,
    Organisation,
    Shift,
    Signup,
    SignupStatus,
    User,
)
from coprod.services import accounts
from tests.conftest import NOW


def _counts(session) -> tuple[int, ...]:
    return tuple(
        session.scalar(select(func.count()).select_from(m))
        for m in (User, Organisation, Shift, Signup, ContributionLog)
    )


def test_demo_data_loads_once_and_a_second_run_changes_nothing(session) -> None:
    assert load_demo_data(session, now=NOW) is True
    first = _counts(session)
    assert load_demo_data(session, now=NOW) is False
    assert _counts(session) == first
    assert first[0] >= 20 and first[1] == 5


def test_demo_logins_work_with_the_printed_password(session) -> None:
    load_demo_data(session, now=NOW)
    for email, _role in DEMO_LOGINS:
        assert accounts.authenticate(session, email=email, password=DEMO_PASSWORD).email == email


def test_every_demo_account_has_a_confirmed_email_address(session) -> None:
    load_demo_data(session, now=NOW)
    unconfirmed = session.scalars(select(User.email).where(User.email_confirmed_at.is_(None)))
    assert list(unconfirmed) == []


def test_demo_world_obeys_the_rules(session) -> None:
    load_demo_data(session, now=NOW)
    statuses = set(session.scalars(select(ContributionLog.status).distinct()))
    assert {
        LogStatus.SUBMITTED,
        LogStatus.APPROVED,
        LogStatus.REJECTED,
        LogStatus.CHANGES_REQUESTED,
    } <= statuses
    for shift in session.scalars(select(Shift)):
        seated = sum(1 for s in shift.signups if s.status in SEATED)
        assert seated == shift.confirmed <= shift.capacity
    assert session.scalar(select(func.count()).where(Signup.status == SignupStatus.WAITLISTED))
    # nobody holds two overlapping active shifts
    rows = session.execute(
        select(Signup.user_id, Shift.starts_at, Shift.ends_at)
        .join(Shift)
        .where(Signup.status != SignupStatus.CANCELLED)
    ).all()
    by_user: dict[int, list[tuple]] = {}
    for uid, start, end in rows:
        by_user.setdefault(uid, []).append((start, end))
    for spans in by_user.values():
        spans.sort()
        for (_s1, e1), (s2, _e2) in pairwise(spans):
            assert e1 <= s2
    # at most 24 hours a person a day
    per_day = session.execute(
        select(
            ContributionLog.user_id, ContributionLog.date, func.sum(ContributionLog.hours)
        ).group_by(ContributionLog.user_id, ContributionLog.date)
    ).all()
    assert all(total <= 24 for _u, _d, total in per_day)


def test_demo_logs_have_a_review_history_in_the_audit_log(session) -> None:
    from coprod.models import AuditEntry

    load_demo_data(session, now=NOW)
    reviewed = session.scalar(
        select(ContributionLog).where(ContributionLog.status == LogStatus.REJECTED).limit(1)
    )
    actions = set(
        session.scalars(
            select(AuditEntry.action).where(
                AuditEntry.object_type == "ContributionLog", AuditEntry.object_id == reviewed.id
            )
        )
    )
    assert actions == {"log.submitted", "log.rejected"}


def test_the_demo_has_a_shift_inside_the_default_reminder_window(session) -> None:
    from coprod.jobs.reminders import send_reminders
    from coprod.models import OutboxMessage
    from coprod.models.outbox import NotificationKind

    load_demo_data(session, now=NOW)
    send_reminders(session, now=NOW, hours_before=24)
    reminded = set(
        session.scalars(
            select(OutboxMessage.recipient).where(OutboxMessage.kind == NotificationKind.REMINDER)
        )
    )
    assert "volunteer@demo.coprod.org" in reminded


def test_the_demo_queue_has_a_log_with_a_flag(session) -> None:
    from coprod.models import User
    from coprod.services import contributions, review

    load_demo_data(session, now=NOW)
    reviewer = session.scalar(select(User).where(User.email == "reviewer@demo.coprod.org"))
    page = review.review_queue(session, reviewer, per_page=100)
    flags = contributions.log_flags(session, page.items)
    flagged = [log for log in page.items if flags.of(log)]
    assert any("more than the shift's length" in f for log in flagged for f in flags.of(log))
