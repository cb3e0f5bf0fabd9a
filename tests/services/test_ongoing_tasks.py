"""Ongoing tasks (no shifts: people log hours whenever they do the work) and "I'm interested"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import delete, func, select

from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.models import (
    OrgKind,
    PeriodKind,
    ReportSnapshot,
    Role,
    Task,
    TaskInterest,
    TaskStatus,
)
from coprod.services import contributions, reports, review, shifts, tasks
from coprod.services.accounts import EmailNotConfirmed
from tests.conftest import NOW
from tests.factories import (
    add_partner,
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
    programme = make_programme(session, agency, starts_on=date(2026, 1, 1))
    partner = make_org(session, OrgKind.NONPROFIT)
    add_partner(session, programme, partner)
    return {
        "programme": programme,
        "partner": partner,
        "metric": make_metric(session, programme),
        "staff": make_member(session, agency, Role.STAFF),
        "reviewer": make_member(session, agency, Role.REVIEWER),
        "coordinator": make_member(session, partner, Role.COORDINATOR),
        "partner_member": make_member(session, partner, Role.MEMBER),
        "other_coordinator": make_member(session, make_org(session), Role.COORDINATOR),
        "other_staff": make_member(session, make_org(session, OrgKind.AGENCY), Role.STAFF),
        "volunteer": make_user(session),
    }


def _ongoing(session, world, **kw):
    return tasks.create_task(
        session,
        world["staff"],
        world["programme"],
        title="Adopt a storm drain",
        description="Keep it clear of leaves.",
        location="Any street",
        coordinating_organisation_id=world["partner"].id,
        ongoing=True,
        **kw,
    )


def _open(session, world):
    task = _ongoing(session, world)
    tasks.transition_task(session, world["staff"], task, TaskStatus.OPEN, now=NOW)
    return task


# --- publishing without shifts ----------------------------------------------------------------


def test_an_ongoing_task_is_published_without_any_shift(session, world) -> None:
    task = _ongoing(session, world)
    assert task.ongoing and task.shifts == []
    tasks.transition_task(session, world["staff"], task, TaskStatus.OPEN, now=NOW)
    assert task.status == TaskStatus.OPEN


def test_a_task_with_shifts_still_needs_a_future_shift_to_be_published(session, world) -> None:
    task = tasks.create_task(session, world["staff"], world["programme"], title="Kitchen")
    assert task.ongoing is False
    with pytest.raises(Conflict, match="shift in the future"):
        tasks.transition_task(session, world["staff"], task, TaskStatus.OPEN, now=NOW)
    make_shift(session, task, starts_at=NOW - timedelta(days=1))
    session.refresh(task, ["shifts"])
    with pytest.raises(Conflict, match="shift in the future"):
        tasks.transition_task(session, world["staff"], task, TaskStatus.OPEN, now=NOW)


def test_an_ongoing_task_takes_no_shift_nor_weekly_series(session, world) -> None:
    task = _ongoing(session, world)
    start = NOW + timedelta(days=2)
    with pytest.raises(Conflict, match="ongoing task has no shifts"):
        shifts.add_shift(
            session,
            world["staff"],
            task,
            starts_at=start,
            ends_at=start + timedelta(hours=2),
            capacity=3,
            now=NOW,
        )
    with pytest.raises(Conflict, match="ongoing task has no shifts"):
        shifts.add_weekly_shifts(
            session,
            world["staff"],
            task,
            first_starts_at=start,
            duration=timedelta(hours=2),
            until=(start + timedelta(days=21)).date(),
            capacity=3,
            now=NOW,
        )
    assert session.scalar(select(func.count()).where(Task.id == task.id)) == 1
    session.refresh(task, ["shifts"])
    assert task.shifts == []


def test_a_task_with_shifts_cannot_become_ongoing_but_one_without_can(session, world) -> None:
    with_shift = tasks.create_task(session, world["staff"], world["programme"], title="Kitchen")
    make_shift(session, with_shift, starts_at=NOW + timedelta(days=3))
    session.refresh(with_shift, ["shifts"])
    keep = {"description": "", "location": ""}
    with pytest.raises(Invalid) as err:
        tasks.update_task(session, world["staff"], with_shift, ongoing=True, **keep)
    assert "ongoing" in err.value.errors
    assert with_shift.ongoing is False

    plain = tasks.create_task(session, world["staff"], world["programme"], title="Drains")
    tasks.update_task(session, world["staff"], plain, ongoing=True, **keep)
    assert plain.ongoing is True
    tasks.update_task(session, world["staff"], plain, ongoing=False, **keep)
    assert plain.ongoing is False


def test_an_open_ongoing_task_stays_ongoing(session, world) -> None:
    """Unticking "Ongoing" on a published task would leave it listed with no shifts."""
    task = _open(session, world)
    with pytest.raises(Invalid) as err:
        tasks.update_task(session, world["staff"], task, description="", location="", ongoing=False)
    assert "stays ongoing" in err.value.errors["ongoing"][0]
    assert task.ongoing is True


def test_only_lead_staff_choose_whether_a_task_is_ongoing(session, world) -> None:
    task = _ongoing(session, world)
    with pytest.raises(NotAllowed):
        tasks.update_task(
            session, world["coordinator"], task, description="", location="", ongoing=False
        )
    assert task.ongoing is True


# --- listed and searchable like any other --------------------------------------------------------


def test_an_open_ongoing_task_is_listed_searched_and_kept_by_date_filters(session, world) -> None:
    drain = _open(session, world)
    kitchen = make_task(session, world["programme"], title="Kitchen")
    make_shift(session, kitchen, starts_at=NOW + timedelta(days=2))
    everything = tasks.list_tasks(session, None, per_page=100, now=NOW)
    rows = {row.task.id: row for row in everything.items}
    assert drain.id in rows and kitchen.id in rows
    assert rows[drain.id].next_starts_at is None and rows[drain.id].upcoming_shifts == 0
    found = tasks.list_tasks(session, None, q="storm drain", now=NOW)
    assert [row.task.id for row in found.items] == [drain.id]
    # An ongoing task can be done on any day, so a date filter keeps it.
    far = (NOW + timedelta(days=60)).date()
    dated = tasks.list_tasks(session, None, date_from=far, date_to=far, now=NOW)
    assert [row.task.id for row in dated.items] == [drain.id]
    api_list = tasks.list_tasks(
        session,
        None,
        status=TaskStatus.OPEN,
        programme_id=world["programme"].id,
        q="drain",
        date_from=far,
        now=NOW,
    )
    assert [row.task.id for row in api_list.items] == [drain.id]


# --- "I'm interested" -----------------------------------------------------------------------------


def test_saying_interested_twice_keeps_one_row_and_withdrawing_twice_is_harmless(
    session, world
) -> None:
    task = _open(session, world)
    me = world["volunteer"]
    first = tasks.express_interest(session, me, task, now=NOW)
    again = tasks.express_interest(session, me, task, now=NOW + timedelta(hours=1))
    assert first.id == again.id and again.created_at == NOW
    assert tasks.get_interest(session, me, task) is not None
    count = select(func.count()).select_from(TaskInterest).where(TaskInterest.task_id == task.id)
    assert session.scalar(count) == 1
    assert tasks.withdraw_interest(session, me, task) is True
    assert tasks.withdraw_interest(session, me, task) is False
    assert tasks.get_interest(session, me, task) is None
    assert session.scalar(count) == 0


def test_interest_needs_a_confirmed_email_like_signing_up(session, world) -> None:
    task = _open(session, world)
    unconfirmed = make_user(session, email_confirmed_at=None)
    with pytest.raises(EmailNotConfirmed):
        tasks.express_interest(session, unconfirmed, task, now=NOW)
    with pytest.raises(NotAllowed):
        tasks.express_interest(session, None, task, now=NOW)


def test_interest_is_only_for_open_ongoing_tasks(session, world) -> None:
    me = world["volunteer"]
    with_shifts = make_task(session, world["programme"])
    with pytest.raises(Conflict, match="open ongoing task"):
        tasks.express_interest(session, me, with_shifts, now=NOW)
    draft = _ongoing(session, world)
    with pytest.raises(NotFound):  # a draft is not even visible to a volunteer
        tasks.express_interest(session, me, draft, now=NOW)
    closed = _open(session, world)
    tasks.transition_task(session, world["staff"], closed, TaskStatus.CLOSED, now=NOW)
    with pytest.raises(Conflict, match="open ongoing task"):
        tasks.express_interest(session, me, closed, now=NOW)


def test_interests_go_with_their_task(session, world) -> None:
    task = _open(session, world)
    tasks.express_interest(session, world["volunteer"], task, now=NOW)
    session.execute(delete(Task).where(Task.id == task.id))
    session.expunge_all()
    assert session.scalar(select(func.count()).select_from(TaskInterest)) == 0


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("staff", True),
        ("coordinator", True),
        ("reviewer", False),
        ("partner_member", False),
        ("other_coordinator", False),
        ("other_staff", False),
        ("volunteer", False),
        ("visitor", False),
    ],
)
def test_only_the_coordinators_and_lead_staff_read_the_contact_list(
    session, world, who, sees
) -> None:
    task = _open(session, world)
    tasks.express_interest(session, world["volunteer"], task, now=NOW)
    gone = make_user(session, is_active=False)
    session.add(TaskInterest(task_id=task.id, user_id=gone.id, created_at=NOW))
    session.flush()
    actor = None if who == "visitor" else world[who]
    if sees:
        page = tasks.list_interested(session, actor, task)
        assert [i.user_id for i in page.items] == [world["volunteer"].id]  # not the deactivated
    else:
        with pytest.raises(NotAllowed):
            tasks.list_interested(session, actor, task)


# --- reports count its hours ---------------------------------------------------------------


def test_hours_logged_and_approved_on_an_ongoing_task_count_in_the_report(session, world) -> None:
    task = _open(session, world)
    task.created_at = datetime(2026, 6, 1, tzinfo=UTC)  # made by then: no log before its creation
    tasks.update_task(
        session,
        world["staff"],
        task,
        description=task.description,
        location=task.location,
        metric_ids=[world["metric"].id],
    )
    log = contributions.submit_log(
        session,
        world["volunteer"],
        task,
        on=date(2026, 6, 10),
        hours=Decimal("2.5"),
        outcomes=[(world["metric"].id, Decimal(4))],
        now=NOW,
    )
    assert log.shift_id is None
    review.approve(session, world["reviewer"], log, NOW)
    batch = reports.Batch(world["programme"].id, PeriodKind.MONTH, (date(2026, 6, 1),))
    reports.build_batch(session, batch, now=NOW)
    snap = session.scalars(
        select(ReportSnapshot).where(ReportSnapshot.programme_id == world["programme"].id)
    ).one()
    assert snap.data["hours_total"] == 2.5
    assert snap.data["hours_by_sector"]["citizen"] == 2.5
    assert [(t["id"], t["hours"]) for t in snap.data["hours_by_task"]] == [(task.id, 2.5)]
    assert [o["quantity"] for o in snap.data["outcomes"]] == [4.0]
