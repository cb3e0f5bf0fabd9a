from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.models import AuditEntry, LogStatus, OrgKind, Role, TaskStatus
from coprod.services import contributions as svc
from tests.factories import (
    make_held_shift,
    make_log,
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_shift,
    make_task,
    make_user,
)


@pytest.fixture
def world(session):
    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency)
    metric = make_metric(session, programme, name="Meals delivered", unit="meals")
    task = make_task(session, programme)
    task.metrics.append(metric)
    session.flush()
    return {"agency": agency, "programme": programme, "metric": metric, "task": task}


def submit(session, actor, task, now, **kw):
    kw.setdefault("on", now.date())
    kw.setdefault("hours", Decimal("2"))
    return svc.submit_log(session, actor, task, now=now, **kw)


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(Invalid) as exc:
        call()
    return exc.value.errors


def test_a_volunteer_logs_their_own_hours_as_submitted_and_audited(session, world, now):
    me = make_user(session)
    metric = world["metric"]
    log = submit(
        session,
        me,
        world["task"],
        now,
        hours=Decimal("3.5"),
        outcomes=[(metric.id, Decimal("40"))],
        notes="  Van round  ",
        in_kind=[("Van and fuel", Decimal("25.00"))],
    )
    session.refresh(log)
    assert log.status == LogStatus.SUBMITTED
    assert (log.user_id, log.created_by_id, log.organisation_id) == (me.id, me.id, None)
    assert log.programme_id == world["programme"].id
    assert log.notes == "Van round"
    assert [(o.metric_id, o.quantity) for o in log.outcomes] == [(metric.id, Decimal("40"))]
    assert [(i.description, i.value) for i in log.in_kind] == [("Van and fuel", Decimal("25"))]
    entry = session.scalar(select(AuditEntry).where(AuditEntry.object_id == log.id))
    assert entry is not None and entry.action == "log.submitted" and entry.actor_id == me.id
    assert entry.after is not None and entry.after["hours"] == "3.5"


@pytest.mark.parametrize("hours", ["0", "-1", "24.01", "2.555"])
def test_hours_must_be_more_than_0_and_at_most_24(session, world, now, hours):
    errs = errors_of(
        lambda: submit(session, make_user(session), world["task"], now, hours=Decimal(hours))
    )
    assert list(errs) == ["hours"]


def test_24_hours_exactly_is_accepted(session, world, now):
    log = submit(session, make_user(session), world["task"], now, hours=Decimal("24"))
    assert log.hours == Decimal("24")


def test_a_log_cannot_be_for_a_future_date(session, world, now):
    errs = errors_of(
        lambda: submit(
            session, make_user(session), world["task"], now, on=now.date() + timedelta(1)
        )
    )
    assert list(errs) == ["date"]


def test_at_most_24_hours_per_person_per_day_across_logs(session, world, now):
    me = make_user(session)
    submit(session, me, world["task"], now, hours=Decimal("20"))
    errs = errors_of(lambda: submit(session, me, world["task"], now, hours=Decimal("4.5")))
    assert "at most 4 more hours" in errs["hours"][0]
    assert submit(session, me, world["task"], now, hours=Decimal("4")).hours == Decimal("4")


def test_rejected_and_superseded_logs_do_not_count_toward_the_day(session, world, now):
    me = make_user(session)
    for status in (LogStatus.REJECTED, LogStatus.SUPERSEDED):
        make_log(session, user=me, task=world["task"], status=status, hours="20")
    make_log(session, user=me, task=world["task"], status=LogStatus.CHANGES_REQUESTED, hours="10")
    assert submit(session, me, world["task"], now, hours=Decimal("14")).hours == Decimal("14")


def test_the_day_limit_is_per_person(session, world, now):
    make_log(session, user=make_user(session), task=world["task"], hours="24")
    assert submit(session, make_user(session), world["task"], now, hours=Decimal("24"))


def test_outcomes_must_be_for_the_tasks_own_metrics(session, world, now):
    foreign = make_metric(session, world["programme"])  # same programme, not on this task
    errs = errors_of(
        lambda: submit(
            session, make_user(session), world["task"], now, outcomes=[(foreign.id, Decimal("1"))]
        )
    )
    assert list(errs) == ["outcomes"]


def test_outcome_quantities_cannot_be_negative(session, world, now):
    metric = world["metric"]
    errs = errors_of(
        lambda: submit(
            session, make_user(session), world["task"], now, outcomes=[(metric.id, Decimal("-1"))]
        )
    )
    assert list(errs) == [f"outcome_{metric.id}"]


def test_in_kind_items_need_a_description_and_a_value_of_0_or_more(session, world, now):
    rows = [("", Decimal("5")), ("Chairs", Decimal("-1")), ("", None), ("Cakes", None)]
    errs = errors_of(lambda: submit(session, make_user(session), world["task"], now, in_kind=rows))
    assert set(errs) == {"in_kind_0_description", "in_kind_1_value", "in_kind_3_value"}


@pytest.mark.parametrize("status", [TaskStatus.DRAFT, TaskStatus.CANCELLED])
def test_hours_cannot_be_logged_for_a_draft_or_cancelled_task(session, world, now, status):
    world["task"].status = status
    staff = make_member(session, world["agency"], Role.STAFF)  # staff can see a draft task
    with pytest.raises(Conflict):
        submit(session, staff, world["task"], now)


def test_a_volunteer_cannot_even_see_a_draft_task_to_log_for(session, world, now):
    world["task"].status = TaskStatus.DRAFT
    with pytest.raises(NotFound):
        submit(session, make_user(session), world["task"], now)


@pytest.mark.parametrize("status", [TaskStatus.CLOSED, TaskStatus.COMPLETED])
def test_hours_can_be_logged_for_closed_and_completed_tasks(session, world, now, status):
    world["task"].status = status
    assert submit(session, make_user(session), world["task"], now).status == LogStatus.SUBMITTED


def test_the_shift_must_belong_to_the_task(session, world, now):
    other_shift = make_shift(session, make_task(session, world["programme"]))
    errs = errors_of(
        lambda: submit(session, make_user(session), world["task"], now, shift=other_shift)
    )
    assert list(errs) == ["shift"]
    me = make_user(session)
    own = make_held_shift(session, world["task"], me)
    on = svc.shift_day(own)
    assert submit(session, me, world["task"], now, shift=own, on=on).shift_id == own.id


def test_every_wrong_field_is_reported_at_once(session, world, now):
    errs = errors_of(
        lambda: submit(
            session,
            make_user(session),
            world["task"],
            now,
            on=date(2030, 1, 1),
            hours=Decimal("0"),
            outcomes=[(world["metric"].id, Decimal("-2"))],
            in_kind=[("", Decimal("1"))],
            notes="x" * 2001,
        )
    )
    assert set(errs) == {
        "date",
        "hours",
        f"outcome_{world['metric'].id}",
        "in_kind_0_description",
        "notes",
    }


def test_a_coordinator_logs_on_behalf_of_their_organisation(session, world, now):
    org = make_org(session)
    coordinator = make_member(session, org, Role.COORDINATOR)
    log = submit(session, coordinator, world["task"], now, organisation=org)
    assert (log.organisation_id, log.user_id) == (org.id, coordinator.id)


def test_only_a_coordinator_may_log_for_an_organisation(session, world, now):
    org = make_org(session)
    member = make_member(session, org, Role.MEMBER)
    with pytest.raises(NotAllowed):
        submit(session, member, world["task"], now, organisation=org)


# --- resubmission -----------------------------------------------------------------------------


def test_the_contributor_resubmits_a_log_sent_back_for_changes(session, world, now):
    me = make_user(session)
    log = make_log(session, user=me, task=world["task"], status=LogStatus.CHANGES_REQUESTED)
    svc.resubmit_log(session, me, log, on=now.date(), hours=Decimal("5"), notes="fixed", now=now)
    session.refresh(log)
    assert (log.status, log.hours, log.notes) == (LogStatus.SUBMITTED, Decimal("5"), "fixed")
    entry = session.scalar(select(AuditEntry).where(AuditEntry.action == "log.resubmitted"))
    assert entry is not None and entry.object_id == log.id
    assert entry.before is not None and entry.before["status"] == "changes_requested"
    assert entry.after is not None and entry.after["hours"] == "5"


def test_a_resubmission_is_checked_by_the_same_rules(session, world, now):
    me = make_user(session)
    log = make_log(session, user=me, task=world["task"], status=LogStatus.CHANGES_REQUESTED)
    make_log(session, user=me, task=world["task"], hours="20")
    errs = errors_of(
        lambda: svc.resubmit_log(session, me, log, on=now.date(), hours=Decimal("5"), now=now)
    )
    assert list(errs) == ["hours"]
    # its own previous hours are not counted twice
    svc.resubmit_log(session, me, log, on=now.date(), hours=Decimal("4"), now=now)


@pytest.mark.parametrize("status", [LogStatus.SUBMITTED, LogStatus.REJECTED, LogStatus.APPROVED])
def test_only_a_log_with_changes_requested_can_be_resubmitted(session, world, now, status):
    me = make_user(session)
    log = make_log(session, user=me, task=world["task"], status=status)
    with pytest.raises(Conflict):
        svc.resubmit_log(session, me, log, on=now.date(), hours=Decimal("1"), now=now)
    session.refresh(log)
    assert log.hours == Decimal("2")


def test_only_the_contributor_may_resubmit(session, world, now):
    log = make_log(session, task=world["task"], status=LogStatus.CHANGES_REQUESTED)
    with pytest.raises(NotFound):
        svc.resubmit_log(
            session, make_user(session), log, on=now.date(), hours=Decimal("1"), now=now
        )


# --- corrections ------------------------------------------------------------------------------


def test_a_correction_is_a_new_linked_log_and_the_original_is_untouched(session, world, now):
    me = make_user(session)
    original = make_log(session, user=me, task=world["task"], status=LogStatus.APPROVED)
    fix = svc.correct_log(session, me, original, on=now.date(), hours=Decimal("3"), now=now)
    session.refresh(original)
    assert fix.id != original.id and fix.corrects_id == original.id
    assert fix.status == LogStatus.SUBMITTED
    assert (original.status, original.hours) == (LogStatus.APPROVED, Decimal("2"))


def test_a_correction_does_not_count_the_hours_it_replaces(session, world, now):
    me = make_user(session)
    original = make_log(session, user=me, task=world["task"], status=LogStatus.APPROVED, hours="20")
    fix = svc.correct_log(session, me, original, on=now.date(), hours=Decimal("22"), now=now)
    assert fix.hours == Decimal("22")


@pytest.mark.parametrize("status", [LogStatus.SUBMITTED, LogStatus.REJECTED, LogStatus.SUPERSEDED])
def test_only_an_approved_log_can_be_corrected(session, world, now, status):
    me = make_user(session)
    log = make_log(session, user=me, task=world["task"], status=status)
    with pytest.raises(Conflict):
        svc.correct_log(session, me, log, on=now.date(), hours=Decimal("1"), now=now)


def test_only_one_correction_at_a_time_waits_for_review(session, world, now):
    me = make_user(session)
    original = make_log(session, user=me, task=world["task"], status=LogStatus.APPROVED)
    svc.correct_log(session, me, original, on=now.date(), hours=Decimal("3"), now=now)
    with pytest.raises(Conflict):
        svc.correct_log(session, me, original, on=now.date(), hours=Decimal("4"), now=now)


# --- reading ----------------------------------------------------------------------------------


def test_my_logs_lists_only_mine_with_my_total_approved_hours(session, world, now):
    me = make_user(session)
    make_log(session, user=me, task=world["task"], status=LogStatus.APPROVED, hours="3")
    make_log(session, user=me, task=world["task"], status=LogStatus.APPROVED, hours="1.5")
    make_log(session, user=me, task=world["task"], status=LogStatus.SUBMITTED, hours="7")
    make_log(session, task=world["task"], status=LogStatus.APPROVED, hours="9")
    mine = svc.list_my_logs(session, me)
    assert mine.count.n == 3
    assert mine.approved_hours == Decimal("4.5")
    only = svc.list_my_logs(session, me, LogStatus.SUBMITTED)
    assert [log.hours for log in only.window.items] == [Decimal("7")]


def test_a_log_is_not_found_for_someone_who_may_not_view_it(session, world, now):
    log = make_log(session, task=world["task"])
    with pytest.raises(NotFound):
        svc.get_log(session, make_user(session), log.id)
    with pytest.raises(NotFound):
        svc.get_log(session, make_user(session), 999999)
    assert svc.get_log(session, log.contributor, log.id).id == log.id


def test_my_logs_walked_by_next_show_every_log_once_newest_first(session, world, now):
    me = make_user(session)
    days = [now.date() - timedelta(days=d) for d in (3, 1, 1, 5, 0, 2, 1)]
    logs = [make_log(session, user=me, task=world["task"], on=d) for d in days]
    make_log(session, task=world["task"])  # someone else's
    expected = [g.id for g in sorted(logs, key=lambda g: (g.date, g.id), reverse=True)]
    seen, after = [], None
    while True:
        mine = svc.list_my_logs(session, me, after=after, per_page=3)
        seen += [g.id for g in mine.window.items]
        assert mine.count.n == 7
        if not mine.window.has_next:
            break
        after = mine.window.next
    assert seen == expected
    with pytest.raises(Invalid):
        svc.list_my_logs(session, me, after="garbage!")
    nothing = svc.list_my_logs(session, make_user(session))
    assert nothing.window.items == [] and nothing.window.first and nothing.count.n == 0
