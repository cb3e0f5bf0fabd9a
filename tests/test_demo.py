"""The demo world: believable, consistent with the product's rules, and loaded only once."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest
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
    Task,
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


@pytest.mark.parametrize("hour", [0, 7, 13, 17, 23])
def test_the_demo_shift_inside_the_reminder_window_is_in_the_daytime(session, hour) -> None:
    """Loaded at any hour, the soon shift starts within the day's hours, not at 03:00."""
    from zoneinfo import ZoneInfo

    now = NOW.replace(hour=hour, minute=20)
    load_demo_data(session, now=now)
    soon = session.scalars(
        select(Shift)
        .where(Shift.starts_at > now, Shift.starts_at <= now + timedelta(hours=24))
        .order_by(Shift.starts_at)
    ).all()
    assert soon, "no shift inside the next 24 hours"
    for shift in soon:
        assert 9 <= shift.starts_at.astimezone(ZoneInfo("Europe/London")).hour <= 16


def test_the_demo_has_a_cancelled_shift_with_a_reason_and_its_ended_places(session) -> None:
    load_demo_data(session, now=NOW)
    [shift] = session.scalars(select(Shift).where(Shift.cancelled_at.is_not(None)))
    assert shift.cancel_reason and shift.confirmed == 0
    statuses = {s.status for s in shift.signups}
    assert statuses == {SignupStatus.SHIFT_CANCELLED}
    load_demo_data(session, now=NOW)
    assert session.scalar(select(func.count()).where(Shift.cancelled_at.is_not(None))) == 1


def test_the_demo_has_an_open_ongoing_task_with_approved_logs_and_someone_interested(
    session,
) -> None:
    from coprod.models import Task, TaskInterest, TaskStatus

    load_demo_data(session, now=NOW)
    drain = session.scalars(select(Task).where(Task.ongoing.is_(True))).one()
    assert drain.status == TaskStatus.OPEN and drain.shifts == []
    approved = session.scalars(
        select(ContributionLog).where(
            ContributionLog.task_id == drain.id, ContributionLog.status == LogStatus.APPROVED
        )
    ).all()
    assert len(approved) == 2 and all(log.shift_id is None for log in approved)
    assert all(drain.programme.starts_on <= log.date <= NOW.date() for log in approved)
    assert all(log.date >= drain.created_at.date() for log in approved)
    assert session.scalar(select(func.count()).where(TaskInterest.task_id == drain.id)) == 1


def test_the_demo_has_a_past_shift_whose_roster_waits_for_attendance(session) -> None:
    load_demo_data(session, now=NOW)
    waiting = session.scalars(
        select(Shift)
        .join(Signup)
        .where(Shift.ends_at < NOW, Signup.status == SignupStatus.CONFIRMED)
        .distinct()
    ).all()
    assert waiting
    shift = waiting[0]
    assert shift.task.coordinating_organisation is not None  # the coordinator's roster
    assert sum(s.status == SignupStatus.CONFIRMED for s in shift.signups) >= 3
    assert all(s.volunteer.phone for s in shift.signups)  # the sign-in sheet shows phones


def test_the_demo_queue_has_a_log_with_a_flag(session) -> None:
    from coprod.models import User
    from coprod.services import contributions, review

    load_demo_data(session, now=NOW)
    reviewer = session.scalar(select(User).where(User.email == "reviewer@demo.coprod.org"))
    page = review.review_queue(session, reviewer, per_page=100)
    flags = contributions.log_flags(session, page.items)
    flagged = [log for log in page.items if flags.of(log)]
    assert any("more than the shift's length" in f for log in flagged for f in flags.of(log))


def test_demo_tasks_were_created_before_their_shifts_and_logs(session) -> None:
    """Otherwise the log form refuses a day the task's past shifts were held ("cannot be
    before ..., when the task was created") and the demo's own logs break that rule."""
    load_demo_data(session, now=NOW)
    for task in session.scalars(select(Task)):
        created = task.created_at
        assert all(created <= s.starts_at for s in task.shifts), task.title
        dates = session.scalars(
            select(ContributionLog.date).where(
                ContributionLog.task_id == task.id, ContributionLog.shift_id.is_(None)
            )
        )
        assert all(created.date() <= d for d in dates), task.title


def test_demo_proposals_stand_in_every_state_with_their_supports_counted(session) -> None:
    from coprod.models import Proposal, ProposalStatus, ProposalSupport
    from coprod.models.engagement import DECIDED

    load_demo_data(session, now=NOW)
    found = list(session.scalars(select(Proposal)))
    assert {p.status for p in found} == set(ProposalStatus)
    for p in found:
        rows = select(func.count()).where(ProposalSupport.proposal_id == p.id)
        assert p.supports == session.scalar(rows)
        assert p.supports > 0 or p.is_hidden  # an advert hidden at once gathered none
        assert bool(p.answer) == (p.status != ProposalStatus.OPEN)
        assert (p.task_id is not None) == (p.status == ProposalStatus.ACCEPTED)
        assert p.status in DECIDED or p.task_id is None
    tasks = [session.get(Task, p.task_id) for p in found if p.task_id]
    assert any(t.co_coordinator_id is not None and t.status.value == "open" for t in tasks)
    assert any(t.status.value == "draft" for t in tasks)


def test_demo_feedback_comes_from_people_who_worked_on_the_task(session) -> None:
    from coprod.models import Feedback
    from coprod.services.engagement import feedback

    load_demo_data(session, now=NOW)
    items = list(session.scalars(select(Feedback)))
    assert len(items) >= 8
    assert {True, False} <= {i.public for i in items}
    assert len({i.rating for i in items}) >= 4
    for item in items:
        assert feedback.eligibility(session, item.author, item.task).eligible
    # The kitchen's coordinator reads a comment the public does not see.
    cora = session.scalars(select(User).where(User.display_name == "Cora Coordinator")).one()
    kitchen = session.scalars(select(Task).where(Task.title == "Saturday community kitchen")).one()
    private = [
        i
        for i in feedback.task_feedback(session, cora, kitchen).items
        if i.comment and not i.public
    ]
    assert private
    vera = session.scalars(select(User).where(User.display_name == "Vera Volunteer")).one()
    assert feedback.my_feedback(session, vera, kitchen) is None
    assert feedback.eligibility(session, vera, kitchen).eligible  # she can rate it herself


def test_demo_qualifications_tell_the_kitchen_story(session) -> None:
    """Everyone with a kitchen place holds Food hygiene on its day; Jonas lacks it and the
    kitchen refuses him until the course awards it; Chloe's expires within the month, before
    a kitchen shift of hers (the roster's warning) but not before an earlier one."""
    from coprod.errors import Invalid
    from coprod.models import Qualification, QualificationAward
    from coprod.services import capacity, signups
    from coprod.services.capacity import rosters

    load_demo_data(session, now=NOW)
    kitchen = session.scalar(select(Task).where(Task.title == "Saturday community kitchen"))
    [hygiene] = kitchen.required_qualifications
    assert hygiene.name == "Food hygiene" and hygiene.validity_months == 24
    chloe = session.scalar(select(User).where(User.email == "chloe@demo.coprod.org"))
    warned = []
    for shift in kitchen.shifts:
        on_it = [s for s in shift.signups if s.status != SignupStatus.CANCELLED]
        lacking = rosters.missing_by_person(session, [s.user_id for s in on_it], shift)
        if shift.starts_at < NOW:
            assert lacking == {}
        else:
            assert set(lacking) <= {chloe.id}
            warned += [shift] if lacking else []
    assert len(warned) == 1
    [chloes] = session.scalars(
        select(QualificationAward).where(QualificationAward.user_id == chloe.id)
    ).all()
    assert NOW.date() < chloes.expires_on <= NOW.date() + timedelta(days=30)

    jonas = session.scalar(select(User).where(User.email == "jonas@demo.coprod.org"))
    free = next(s for s in kitchen.shifts if s.starts_at > NOW and s.confirmed < s.capacity)
    with pytest.raises(Invalid, match="Food hygiene"):
        signups.sign_up(session, jonas, free, NOW)
    course = session.scalar(select(Task).where(Task.title == "Food hygiene course"))
    assert course.trains_qualification_id == hygiene.id
    assert any(s.starts_at > NOW and s.confirmed < s.capacity for s in course.shifts)
    [place] = [s for shift in course.shifts for s in shift.signups if s.user_id == jonas.id]
    coordinator = session.scalar(select(User).where(User.email == "coordinator@demo.coprod.org"))
    signups.mark_attendance(session, coordinator, place, True, NOW)
    assert signups.sign_up(session, jonas, free, NOW).status == SignupStatus.CONFIRMED
    assert capacity.missing_for(session, jonas.id, free) == []
    safeguarding = session.scalar(
        select(Qualification).where(Qualification.name == "Safeguarding check")
    )
    assert safeguarding.validity_months is None
    holders = session.scalar(
        select(func.count()).where(QualificationAward.qualification_id == safeguarding.id)
    )
    assert holders >= 3


def test_demo_community_meals_agreement_is_at_version_2_accepted_and_objected_to(session) -> None:
    """Issue #18: an agreement at version 2 accepted by one partner and objected to by another
    (comment shown); the residents have not answered; every partner has responsibilities."""
    from coprod.demo.governance.agreements import OBJECTION
    from coprod.models import Agreement, Partner, Programme
    from coprod.services.governance import agreement_reads as reads

    load_demo_data(session, now=NOW)
    meals = session.scalar(select(Programme).where(Programme.name == "Community Meals"))
    staff = session.scalar(select(User).where(User.email == "staff@demo.coprod.org"))
    versions = session.scalars(
        select(Agreement).where(Agreement.programme_id == meals.id).order_by(Agreement.version)
    ).all()
    assert [v.version for v in versions] == [1, 2]
    assert len(versions[0].answers) == 3 and all(a.accepted for a in versions[0].answers)
    second = versions[1]
    assert second.decision_rule.value == "majority" and second.review_on.year == NOW.year + 1
    by_name = {a.organisation.name: a for a in second.answers}
    assert by_name["Riverside Food Bank"].accepted is True
    assert (by_name["Harbour Bakery"].accepted, by_name["Harbour Bakery"].comment) == (
        False,
        OBJECTION,
    )
    assert "Northside Residents' Association" not in by_name
    standings = reads.standings(session, meals, second)
    assert len(standings) == 3
    assert all(s.accepted_version for s in standings.values())
    assert all(p.responsibilities for p in session.scalars(select(Partner)))
    # The partners' admins can answer: the residents' admin sees it waiting.
    chloe = session.scalar(select(User).where(User.email == "chloe@demo.coprod.org"))
    assert [w.agreement.id for w in reads.waiting_for(session, chloe)] == [second.id]
    assert reads.waiting_for(session, staff) == []


def test_demo_decisions_show_a_carried_result_with_every_vote_and_an_open_one(session) -> None:
    """Community Meals: a closed decision every organisation voted on (with comments), carried;
    an open one closing within a few days with some votes, that the food bank has not voted on
    (its admin, coordinator@, sees it on the home page); every voting organisation has an
    admin."""
    from coprod.models import Decision, DecisionOutcome, Programme, Role
    from coprod.services.governance import decisions
    from coprod.services.governance.decisions import _common

    load_demo_data(session, now=NOW)
    meals = session.scalar(select(Programme).where(Programme.name == "Community Meals"))
    entitled = decisions.voting_organisation_ids(session, meals)
    assert len(entitled) == 4
    for org_id in entitled:
        admins = _common._admins(session, [org_id], (Role.ADMIN,))
        assert admins, f"organisation {org_id} has no admin to vote"
    closed = session.scalar(select(Decision).where(Decision.question.like("Move the Saturday%")))
    assert closed.closed_at is not None and closed.closed_at < NOW
    assert closed.outcome == DecisionOutcome.CARRIED
    assert {v.organisation_id for v in closed.votes} == set(entitled)
    assert all(v.comment for v in closed.votes)
    votes = {v.organisation_id: v.option_id for v in closed.votes}
    assert decisions.tally(closed.rule, entitled, votes) == (
        closed.outcome,
        closed.chosen_option_id,
    )
    [still_open] = session.scalars(select(Decision).where(Decision.closed_at.is_(None))).all()
    assert NOW < still_open.closes_at <= NOW + timedelta(days=5)
    assert 0 < len(still_open.votes) < len(entitled)
    cora = session.scalar(select(User).where(User.email == "coordinator@demo.coprod.org"))
    waiting = decisions.waiting_for_my_vote(session, cora, now=NOW)
    assert [w.decision.id for w in waiting] == [still_open.id]


def test_the_demo_has_a_finished_pilot_with_its_evaluation_and_decision(session) -> None:
    from coprod.models import PilotDecision, Programme
    from coprod.services.governance import pilots

    load_demo_data(session, now=NOW)
    finished = session.scalar(
        select(Programme).where(Programme.name == "Doorstep Deliveries pilot")
    )
    assert finished.is_pilot and pilots.window_ended(finished, NOW)
    view = pilots.get_evaluation(session, None, finished.id, now=NOW, preview=False)
    assert not view.preview and view.evaluation.decision == PilotDecision.ADAPT
    assert view.evaluation.lessons
    f = view.figures
    assert f["pilot"]["contributors"] == 8 and f["comparison"]["contributors"] == 7
    [m] = f["measures"]
    assert m["difference"] > 0 and m["interval"] is not None
    assert m["pilot"]["per_hour"] > m["comparison"]["per_hour"]
    # Rebuilding the demo's evaluation gives the same figures.
    assert pilots.canonical(pilots.build_figures(session, finished)) == pilots.canonical(f)
    green = session.scalar(select(Programme).where(Programme.name == "Green Streets"))
    assert green.is_pilot and not pilots.window_ended(green, NOW)
    assert pilots.get_stored(session, green) is None
    assert [m.name for m in green.metrics if m.pilot_measure] == ["Trees planted"]


def test_the_demo_food_bank_delivered_31_of_its_40_hours_last_month_flagged_behind(
    session,
) -> None:
    from coprod.models import PeriodKind, Programme, User
    from coprod.services.governance import commitments
    from coprod.services.governance import figures as commitment_figures
    from coprod.services.reports.periods import last_complete_start

    load_demo_data(session, now=NOW)
    meals = session.scalars(select(Programme).where(Programme.name == "Community Meals")).one()
    last_month = last_complete_start(PeriodKind.MONTH, NOW.date())
    block = commitment_figures.programme_blocks(session, meals, PeriodKind.MONTH, [last_month])
    by_name = {e["organisation_name"]: e["figures"] for e in block[last_month]}
    [hours] = by_name["Riverside Food Bank"]
    assert (hours["kind"], hours["committed"], hours["delivered"]) == ("hours", 40, 31)
    assert hours["status"] == "behind"
    [bread] = by_name["Harbour Bakery"]
    assert (bread["kind"], bread["committed"], bread["status"]) == ("in_kind", 100, "on_track")
    [meals_by_june] = by_name["Northside Residents' Association"]
    assert (meals_by_june["kind"], meals_by_june["status"]) == ("outcome", "on_track")
    staff = session.scalar(select(User).where(User.email == "staff@demo.coprod.org"))
    behind = commitments.behind_partners(session, staff, now=NOW)
    assert [
        (b.partner.organisation.name, b.doc["committed"], b.doc["delivered"]) for b in behind
    ] == [("Riverside Food Bank", 40, 31)]
    assert behind[0].words == "40 volunteer hours a month from 1 May 2026"
