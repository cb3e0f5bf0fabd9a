"""Honest logs (issue 13): a log of a shift needs a started shift the person held, is dated the
shift's local day, once per person and shift; a log without a shift is not dated before the
programme or the task; the contributor edits or withdraws before review; hours from
attendance; the flags a reviewer sees."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.models import (
    AuditEntry,
    ContributionLog,
    LogStatus,
    Role,
    SignupStatus,
)
from coprod.services import contributions as svc
from coprod.services import review, signups
from tests.conftest import NOW
from tests.factories import (
    ShiftWorld,
    add_role,
    make_held_shift,
    make_log,
    make_member,
    make_shift,
    make_signup,
    make_task,
    make_user,
)

YESTERDAY = NOW - timedelta(days=1)


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(Invalid) as exc:
        call()
    return exc.value.errors


@pytest.fixture
def w(session):
    return ShiftWorld(session, starts_at=YESTERDAY)


def log_shift(session, w, user, now, **kw):
    kw.setdefault("on", svc.shift_day(w.shift))
    kw.setdefault("hours", Decimal("3"))
    return svc.submit_log(session, user, w.task, shift=w.shift, now=now, **kw)


def actions_of(session, log) -> list[str]:
    return list(
        session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.object_type == "ContributionLog", AuditEntry.object_id == log.id)
            .order_by(AuditEntry.id)
        )
    )


# --- a log of a shift ---------------------------------------------------------------------


@pytest.mark.parametrize("status", [SignupStatus.CONFIRMED, SignupStatus.ATTENDED])
def test_a_person_who_held_the_shift_logs_it(session, w, now, status):
    make_signup(session, w.shift, w.volunteer, status=status)
    assert log_shift(session, w, w.volunteer, now).shift_id == w.shift.id


@pytest.mark.parametrize(
    "status", [None, SignupStatus.WAITLISTED, SignupStatus.CANCELLED, SignupStatus.NO_SHOW]
)
def test_a_person_who_did_not_hold_the_shift_cannot_log_it(session, w, now, status):
    if status is not None:
        make_signup(session, w.shift, w.volunteer, status=status)
    errs = errors_of(lambda: log_shift(session, w, w.volunteer, now))
    assert "held this shift" in errs["shift"][0]


def test_a_shift_that_has_not_started_cannot_be_logged(session, now):
    w = ShiftWorld(session, starts_at=NOW + timedelta(hours=1))
    make_signup(session, w.shift, w.volunteer)
    errs = errors_of(lambda: log_shift(session, w, w.volunteer, now, on=NOW.date()))
    assert "not started" in errs["shift"][0]


def test_a_log_of_a_shift_is_dated_the_shifts_local_day(session, now):
    # 23:30 UTC on 12 June is 00:30 on 13 June in London (BST): the shift's day is the 13th.
    w = ShiftWorld(session, starts_at=datetime(2026, 6, 12, 23, 30, tzinfo=UTC))
    make_signup(session, w.shift, w.volunteer)
    assert svc.shift_day(w.shift) == date(2026, 6, 13)
    errs = errors_of(lambda: log_shift(session, w, w.volunteer, now, on=date(2026, 6, 12)))
    assert "13 June 2026" in errs["date"][0]
    assert log_shift(session, w, w.volunteer, now, on=date(2026, 6, 13)).date == date(2026, 6, 13)


def test_one_log_per_person_and_shift(session, w, now):
    make_signup(session, w.shift, w.volunteer)
    first = log_shift(session, w, w.volunteer, now, hours=Decimal("1"))
    errs = errors_of(lambda: log_shift(session, w, w.volunteer, now, hours=Decimal("1")))
    assert "already logged" in errs["shift"][0]
    # A withdrawn (or rejected) log frees the shift for a new log.
    svc.withdraw_log(session, w.volunteer, first, now=now)
    assert log_shift(session, w, w.volunteer, now).status == LogStatus.SUBMITTED


def test_a_rejected_log_frees_the_shift_and_a_correction_is_not_a_second_log(session, w, now):
    make_signup(session, w.shift, w.volunteer)
    reviewer = make_member(session, w.agency, Role.REVIEWER)
    first = log_shift(session, w, w.volunteer, now)
    review.reject(session, reviewer, first, "Wrong task.", now)
    second = log_shift(session, w, w.volunteer, now)
    review.approve(session, reviewer, second, now)
    fix = svc.correct_log(
        session,
        w.volunteer,
        second,
        on=second.date,
        hours=Decimal("2.5"),
        shift=w.shift,
        now=now,
    )
    assert fix.corrects_id == second.id
    # Changing the correction before review: still not a second log of the shift.
    svc.edit_log(session, w.volunteer, fix, on=fix.date, hours=Decimal(2), shift=w.shift, now=now)
    review.approve(session, reviewer, fix, now)
    errs = errors_of(lambda: log_shift(session, w, w.volunteer, now))
    assert "already logged" in errs["shift"][0]
    # It names the log, and an approved log is corrected, not changed.
    assert f"log #{fix.id}" in errs["shift"][0] and "correct it" in errs["shift"][0]


# --- a log without a shift ----------------------------------------------------------------


def test_a_log_without_a_shift_is_not_dated_before_the_programme_started(session, now):
    task = make_task(session, created_at=datetime(2025, 1, 1, tzinfo=UTC))
    task.programme.starts_on = date(2026, 3, 1)
    me = make_user(session)
    errs = errors_of(
        lambda: svc.submit_log(session, me, task, on=date(2026, 2, 28), hours=Decimal(1), now=now)
    )
    assert "programme started" in errs["date"][0]
    log = svc.submit_log(session, me, task, on=date(2026, 3, 1), hours=Decimal(1), now=now)
    assert log.date == date(2026, 3, 1)


def test_a_log_without_a_shift_is_not_dated_before_the_task_was_created(session, now):
    # Created 23:30 UTC on 31 May: 1 June in London, the programme's zone.
    task = make_task(session, created_at=datetime(2026, 5, 31, 23, 30, tzinfo=UTC))
    me = make_user(session)
    errs = errors_of(
        lambda: svc.submit_log(session, me, task, on=date(2026, 5, 31), hours=Decimal(1), now=now)
    )
    assert "task was created" in errs["date"][0]
    assert svc.submit_log(session, me, task, on=date(2026, 6, 1), hours=Decimal(1), now=now)


# --- edit and withdraw before review --------------------------------------------------------


def test_the_contributor_edits_a_submitted_log_audited_with_before_and_after(session, w, now):
    make_signup(session, w.shift, w.volunteer)
    log = log_shift(session, w, w.volunteer, now)
    svc.edit_log(
        session,
        w.volunteer,
        log,
        on=log.date,
        hours=Decimal("4"),
        notes="Stayed to clear up",
        shift=w.shift,
        now=now,
    )
    assert (log.hours, log.notes, log.status) == (
        Decimal("4"),
        "Stayed to clear up",
        LogStatus.SUBMITTED,
    )
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "log.edited"))
    assert entry is not None and entry.object_id == log.id
    assert entry.before["hours"] == "3.00" or Decimal(entry.before["hours"]) == 3
    assert Decimal(entry.after["hours"]) == 4


def test_an_edit_follows_the_same_rules_as_a_new_log(session, w, now):
    make_signup(session, w.shift, w.volunteer)
    log = log_shift(session, w, w.volunteer, now)
    errs = errors_of(
        lambda: svc.edit_log(
            session,
            w.volunteer,
            log,
            on=log.date - timedelta(days=1),
            hours=Decimal("3"),
            shift=w.shift,
            now=now,
        )
    )
    assert list(errs) == ["date"]


@pytest.mark.parametrize(
    "status", [LogStatus.APPROVED, LogStatus.REJECTED, LogStatus.CHANGES_REQUESTED]
)
def test_a_reviewed_log_cannot_be_edited(session, now, status):
    log = make_log(session, status=status)
    assert log.contributor is not None
    with pytest.raises(Conflict):
        svc.edit_log(session, log.contributor, log, on=log.date, hours=Decimal(1), now=now)


def test_nobody_else_edits_or_withdraws_a_log(session, now):
    log = make_log(session)
    stranger = make_user(session)
    with pytest.raises((NotFound, NotAllowed)):
        svc.edit_log(session, stranger, log, on=log.date, hours=Decimal(1), now=now)
    with pytest.raises((NotFound, NotAllowed)):
        svc.withdraw_log(session, stranger, log, now=now)


@pytest.mark.parametrize("status", [LogStatus.SUBMITTED, LogStatus.CHANGES_REQUESTED])
def test_the_contributor_withdraws_an_unreviewed_log_and_it_counts_nowhere(session, now, status):
    log = make_log(session, status=status, hours="20")
    me = log.contributor
    assert me is not None
    svc.withdraw_log(session, me, log, now=now)
    assert log.status == LogStatus.WITHDRAWN
    assert actions_of(session, log) == ["log.withdrawn"]
    # Its 20 hours no longer hold the day: 10 more hours fit in the 24.
    other = svc.submit_log(session, me, log.task, on=log.date, hours=Decimal(10), now=now)
    assert other.status == LogStatus.SUBMITTED


@pytest.mark.parametrize(
    "status", [LogStatus.APPROVED, LogStatus.REJECTED, LogStatus.WITHDRAWN, LogStatus.SUPERSEDED]
)
def test_a_reviewed_or_withdrawn_log_cannot_be_withdrawn(session, now, status):
    log = make_log(session, status=status)
    assert log.contributor is not None
    with pytest.raises(Conflict):
        svc.withdraw_log(session, log.contributor, log, now=now)


@pytest.mark.parametrize("action", ["log.edit", "log.withdraw", "log.resubmit", "log.correct"])
def test_a_withdrawn_log_is_said_to_be_withdrawn_when_changed_again(session, now, action):
    """A second click on "Withdraw" (or an old "Change" link) says the log is withdrawn, not
    that it is "not yet approved or rejected" or could be corrected."""
    log = make_log(session, status=LogStatus.WITHDRAWN)
    assert log.contributor is not None
    with pytest.raises(Conflict, match="is withdrawn"):
        svc.get_log_to_change(session, log.contributor, log.id, action)


def test_a_withdrawn_log_is_not_reviewed(session, now):
    log = make_log(session, status=LogStatus.WITHDRAWN)
    reviewer = make_member(session, log.task.programme.lead_organisation, Role.REVIEWER)
    with pytest.raises(Conflict):
        review.approve(session, reviewer, log, now)


# --- hours from attendance ----------------------------------------------------------------


def shift_logs(session, w, user) -> list[ContributionLog]:
    return list(
        session.scalars(
            select(ContributionLog).where(
                ContributionLog.shift_id == w.shift.id, ContributionLog.user_id == user.id
            )
        )
    )


def test_marking_attended_creates_the_shift_log_submitted(session, w, now):
    signup = make_signup(session, w.shift, w.volunteer)
    signups.mark_attendance(session, w.coordinator, signup, True, now)
    [log] = shift_logs(session, w, w.volunteer)
    assert log.status == LogStatus.SUBMITTED
    assert log.date == svc.shift_day(w.shift)
    assert log.hours == Decimal("3")  # the shift's length
    assert log.organisation_id is None  # not a member of the coordinating organisation
    assert log.created_by_id == w.volunteer.id
    assert actions_of(session, log) == ["log.from_attendance"]


def test_a_member_of_the_coordinating_organisation_logs_for_it(session, w, now):
    add_role(session, w.volunteer, w.nonprofit, Role.MEMBER)
    signup = make_signup(session, w.shift, w.volunteer)
    signups.mark_attendance(session, w.coordinator, signup, True, now)
    [log] = shift_logs(session, w, w.volunteer)
    assert log.organisation_id == w.nonprofit.id


def test_a_reviewer_of_the_lead_agency_marking_attended_approves_at_once(session, w, now):
    add_role(session, w.lead_staff, w.agency, Role.REVIEWER)
    signup = make_signup(session, w.shift, w.volunteer)
    signups.mark_attendance(session, w.lead_staff, signup, True, now)
    [log] = shift_logs(session, w, w.volunteer)
    assert log.status == LogStatus.APPROVED
    assert (log.reviewed_by_id, log.counted_changed_at) == (w.lead_staff.id, now)
    assert actions_of(session, log) == ["log.from_attendance", "log.approved"]


def test_staff_who_are_not_reviewers_leave_the_log_submitted(session, w, now):
    signup = make_signup(session, w.shift, w.volunteer)
    signups.mark_attendance(session, w.lead_staff, signup, True, now)
    assert [log.status for log in shift_logs(session, w, w.volunteer)] == [LogStatus.SUBMITTED]


def test_attendance_makes_no_second_log(session, w, now):
    signup = make_signup(session, w.shift, w.volunteer)
    log_shift(session, w, w.volunteer, now, hours=Decimal("2"))
    signups.mark_attendance(session, w.coordinator, signup, True, now)
    signups.mark_attendance(session, w.coordinator, signup, True, now)
    assert [log.hours for log in shift_logs(session, w, w.volunteer)] == [Decimal("2")]


def test_attendance_over_24_hours_a_day_marks_attendance_but_makes_no_log(session, w, now):
    signup = make_signup(session, w.shift, w.volunteer)
    make_log(session, user=w.volunteer, task=w.task, on=svc.shift_day(w.shift), hours="23")
    signups.mark_attendance(session, w.coordinator, signup, True, now)
    assert signup.status == SignupStatus.ATTENDED
    assert shift_logs(session, w, w.volunteer) == []


def test_a_no_show_withdraws_the_unreviewed_log(session, w, now):
    signup = make_signup(session, w.shift, w.volunteer)
    signups.mark_attendance(session, w.coordinator, signup, True, now)
    signups.mark_attendance(session, w.coordinator, signup, False, now)
    [log] = shift_logs(session, w, w.volunteer)
    assert log.status == LogStatus.WITHDRAWN
    assert actions_of(session, log) == ["log.from_attendance", "log.withdrawn_no_show"]
    # Attended again: a new log, the withdrawn one stays withdrawn.
    signups.mark_attendance(session, w.coordinator, signup, True, now)
    statuses = sorted(log.status.value for log in shift_logs(session, w, w.volunteer))
    assert statuses == ["submitted", "withdrawn"]


def test_a_no_show_leaves_an_approved_log(session, w, now):
    signup = make_signup(session, w.shift, w.volunteer)
    signups.mark_attendance(session, w.coordinator, signup, True, now)
    [log] = shift_logs(session, w, w.volunteer)
    review.approve(session, make_member(session, w.agency, Role.REVIEWER), log, now)
    signups.mark_attendance(session, w.coordinator, signup, False, now)
    assert log.status == LogStatus.APPROVED
    assert svc.shift_log_of(session, signup) is log


def test_the_volunteer_edits_the_log_from_attendance_before_review(session, w, now):
    signup = make_signup(session, w.shift, w.volunteer)
    signups.mark_attendance(session, w.coordinator, signup, True, now)
    [log] = shift_logs(session, w, w.volunteer)
    svc.edit_log(
        session,
        w.volunteer,
        log,
        on=log.date,
        hours=Decimal("3.5"),
        outcomes=[],
        notes="Stayed late",
        shift=w.shift,
        now=now,
    )
    assert (log.hours, log.status) == (Decimal("3.5"), LogStatus.SUBMITTED)


def test_my_schedule_finds_the_log_of_each_shift(session, w, now):
    signup = make_signup(session, w.shift, w.volunteer)
    other = make_held_shift(session, w.task, w.volunteer, starts_at=NOW - timedelta(days=3))
    signups.mark_attendance(session, w.coordinator, signup, True, now)
    [log] = shift_logs(session, w, w.volunteer)
    assert svc.my_shift_logs(session, w.volunteer, [w.shift.id, other.id]) == {w.shift.id: log.id}


# --- flags --------------------------------------------------------------------------------


def flags_of(session, *logs, **kw) -> list[list[str]]:
    found = svc.log_flags(session, list(logs), **kw)
    return [found.of(log) for log in logs]


def test_hours_over_the_shift_length_are_allowed_and_flagged(session, w, now):
    make_signup(session, w.shift, w.volunteer)
    log = log_shift(session, w, w.volunteer, now, hours=Decimal("5"))
    [[flag]] = flags_of(session, log)
    assert "more than the shift's length (3 h)" in flag
    svc.edit_log(session, w.volunteer, log, on=log.date, hours=Decimal("3"), shift=w.shift, now=now)
    assert flags_of(session, log) == [[]]


def test_a_log_made_long_after_its_date_is_flagged(session, now):
    late = make_log(session, on=NOW.date() - timedelta(days=31), created_at=NOW)
    fresh = make_log(session, on=NOW.date() - timedelta(days=30), created_at=NOW)
    assert flags_of(session, late, fresh, late_days=30) == [["Logged 31 days after the date."], []]


def test_many_hours_on_one_day_are_flagged(session, now):
    me = make_user(session)
    task = make_task(session)
    a = make_log(session, user=me, task=task, hours="8", created_at=NOW)
    b = make_log(session, user=me, task=task, hours="5", status=LogStatus.APPROVED, created_at=NOW)
    make_log(session, user=me, task=task, hours="9", status=LogStatus.WITHDRAWN, created_at=NOW)
    alone = make_log(session, hours="12", created_at=NOW)
    found = flags_of(session, a, b, alone, day_hours=12)
    assert found[0] == found[1] == ["13 h logged by this person on that day in all."]
    assert found[2] == []


def test_flags_for_a_page_take_the_same_few_queries_however_many_logs(session, now, count_queries):
    def page(n: int) -> list[ContributionLog]:
        logs = []
        for _ in range(n):
            user = make_user(session)
            shift = make_held_shift(session, make_task(session), user)
            logs.append(make_log(session, user=user, task=shift.task, shift_id=shift.id, hours="5"))
        return logs

    small, big = page(1), page(6)
    session.expire_all()
    for logs in (small, big):  # load what the queue loads, then count
        for log in logs:
            assert log.task.programme is not None
    count_queries.count = 0
    svc.log_flags(session, small)
    few = count_queries.count
    count_queries.count = 0
    found = svc.log_flags(session, big)
    assert count_queries.count == few == 2
    assert all(found.of(log) for log in big)


def test_shift_hours_is_the_shift_length_capped_at_24(session):
    assert svc.shift_hours(make_shift(session, hours=2.5)) == Decimal("2.50")
    assert svc.shift_hours(make_shift(session, hours=30)) == Decimal("24")


def test_a_withdrawn_log_is_counted_nowhere_in_the_day_total(session, now):
    me = make_user(session)
    make_log(session, user=me, hours="20", status=LogStatus.WITHDRAWN)
    total = session.scalar(
        select(func.count()).where(
            ContributionLog.user_id == me.id, ContributionLog.status.in_(svc.rules.DAY_COUNTED)
        )
    )
    assert total == 0
