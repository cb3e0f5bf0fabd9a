"""Changing shifts: cancelling one, weekly series with skipped dates and removing a date,
copying and moving shifts (coprod/services/shift_changes/)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from coprod.errors import Conflict, Invalid, NotAllowed
from coprod.jobs.reminders import send_reminders
from coprod.models import (
    AuditEntry,
    NotificationKind,
    OrgKind,
    OutboxMessage,
    Role,
    Shift,
    Signup,
    SignupStatus,
    TaskStatus,
)
from coprod.services import calendar, shift_changes, shifts, signups, tasks
from coprod.services.shift_state import live_shift
from tests.conftest import NOW
from tests.factories import (
    add_partner,
    make_member,
    make_org,
    make_programme,
    make_shift,
    make_signup,
    make_task,
    make_user,
)

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def world(session):
    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency, timezone="Europe/London")
    partner = make_org(session, OrgKind.NONPROFIT)
    add_partner(session, programme, partner)
    task = make_task(session, programme, title="Litter pick")
    return {
        "agency": agency,
        "programme": programme,
        "task": task,
        "staff": make_member(session, agency, Role.STAFF),
        "coordinator": make_member(session, partner, Role.COORDINATOR),
        "other_staff": make_member(session, make_org(session, OrgKind.AGENCY), Role.STAFF),
    }


def _mail(session, user, kind=NotificationKind.SHIFT_CHANGED):
    return list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.user_id == user.id, OutboxMessage.kind == kind
            )
        )
    )


# --- cancelling one shift -----------------------------------------------------------------


def test_cancelling_a_shift_ends_its_places_tells_everyone_and_deletes_nothing(
    session, world, now
) -> None:
    shift = make_shift(
        session, world["task"], capacity=1, starts_at=datetime(2026, 6, 20, 8, 0, tzinfo=UTC)
    )
    confirmed = make_signup(session, shift)
    waiting = make_signup(session, shift, status=SignupStatus.WAITLISTED)
    gone = make_signup(session, shift, status=SignupStatus.CANCELLED)
    ended = shift_changes.cancel_shift(
        session, world["staff"], shift, reason="Storm warning: the park is closed", now=now
    )
    session.expire_all()
    assert {s.id for s in ended} == {confirmed.id, waiting.id}
    assert session.get(Signup, confirmed.id).status == SignupStatus.SHIFT_CANCELLED
    assert session.get(Signup, waiting.id).status == SignupStatus.SHIFT_CANCELLED
    assert session.get(Signup, gone.id).status == SignupStatus.CANCELLED  # left as it was
    shift = session.get(Shift, shift.id)
    assert shift.is_cancelled and shift.cancelled_at == now
    assert shift.cancel_reason == "Storm warning: the park is closed"
    assert shift.cancelled_by_id == world["staff"].id
    assert shift.confirmed == 0 and shift.free_places == 0
    assert (
        session.scalar(select(func.count()).select_from(Signup).where(Signup.shift_id == shift.id))
        == 3
    )
    for signup in (confirmed, waiting):
        [mail] = _mail(session, signup.volunteer)
        assert mail.subject.startswith("Cancelled: “Litter pick” on Sat 20 Jun 2026, 09:00")
        assert "BST" in mail.subject  # local time, with its abbreviation
        assert "Storm warning: the park is closed" in mail.body_text
        assert "Storm warning" in mail.body_html
    assert _mail(session, gone.volunteer) == []
    actions = set(session.scalars(select(AuditEntry.action)))
    assert {"shift.cancelled", "signup.cancelled_with_shift"} <= actions


def test_a_shift_is_cancelled_once_before_it_starts_by_those_who_manage_the_task(
    session, world, now
) -> None:
    shift = make_shift(session, world["task"])
    with pytest.raises(NotAllowed):
        shift_changes.cancel_shift(session, world["other_staff"], shift, now=now)
    with pytest.raises(Invalid) as err:
        shift_changes.cancel_shift(session, world["staff"], shift, reason="a\nb", now=now)
    assert "reason" in err.value.errors
    with pytest.raises(Invalid):
        shift_changes.cancel_shift(session, world["staff"], shift, reason="x" * 301, now=now)
    with pytest.raises(Conflict, match="already started"):
        shift_changes.cancel_shift(session, world["staff"], shift, now=shift.starts_at)
    shift_changes.cancel_shift(session, world["staff"], shift, now=now)
    with pytest.raises(Conflict, match="already cancelled"):
        shift_changes.cancel_shift(session, world["staff"], shift, now=now)


def test_nobody_signs_up_for_or_is_assigned_to_a_cancelled_shift(session, world, now) -> None:
    shift = make_shift(session, world["task"])
    shift_changes.cancel_shift(session, world["staff"], shift, reason="Flooded", now=now)
    volunteer = make_user(session)
    with pytest.raises(Conflict, match=r"cancelled \(Flooded\)"):
        signups.sign_up(session, volunteer, shift, now)
    member = make_member(session, world["agency"], Role.MEMBER)
    with pytest.raises(Conflict, match="cancelled"):
        signups.assign(session, world["staff"], shift, member, now)
    assert (
        session.scalar(select(func.count()).select_from(Signup).where(Signup.shift_id == shift.id))
        == 0
    )


def test_a_cancelled_shift_cannot_be_changed_and_its_waitlist_is_not_filled(
    session, world, now
) -> None:
    shift = make_shift(session, world["task"])
    shift_changes.cancel_shift(session, world["staff"], shift, now=now)
    with pytest.raises(Conflict, match="cancelled"):
        shifts.update_shift(
            session,
            world["staff"],
            shift,
            starts_at=shift.starts_at,
            ends_at=shift.ends_at,
            capacity=9,
            now=now,
        )
    assert signups.fill_from_waitlist(session, world["staff"], shift, now) == []


def test_a_cancelled_shift_is_not_reminded(session, world, now) -> None:
    shift = make_shift(session, world["task"], starts_at=now + timedelta(hours=5))
    make_signup(session, shift)
    # Even a sign-up left confirmed (as before this rule) is not reminded once cancelled.
    shift.cancelled_at = now
    session.flush()
    assert send_reminders(session, now=now, hours_before=24) == 0
    shift.cancelled_at = None
    session.flush()
    assert send_reminders(session, now=now, hours_before=24) == 1


def test_a_cancelled_shift_offers_no_places_in_the_public_list_and_does_not_publish_a_task(
    session, world, now
) -> None:
    live = make_shift(session, world["task"], capacity=4, starts_at=now + timedelta(days=2))
    gone = make_shift(session, world["task"], capacity=7, starts_at=now + timedelta(days=1))
    shift_changes.cancel_shift(session, world["staff"], gone, now=now)
    [summary] = [
        s for s in tasks.list_tasks(session, None, now=now).items if s.task.id == world["task"].id
    ]
    assert (summary.next_starts_at, summary.upcoming_shifts, summary.free_places) == (
        live.starts_at,
        1,
        4,
    )
    draft = make_task(session, world["programme"], status=TaskStatus.DRAFT)
    only = make_shift(session, draft)
    shift_changes.cancel_shift(session, world["staff"], only, now=now)
    with pytest.raises(Conflict, match="future"):
        tasks.transition_task(session, world["staff"], draft, TaskStatus.OPEN, now=now)
    ids = set(session.scalars(select(Shift.id).where(live_shift())))
    assert live.id in ids and gone.id not in ids


def test_the_calendar_feed_marks_a_cancelled_shift_cancelled(session, world, now) -> None:
    shift = make_shift(session, world["task"])
    signup = make_signup(session, shift)
    assert b"STATUS:CONFIRMED" in calendar.build_feed(session, signup.volunteer, "http://x")
    shift_changes.cancel_shift(session, world["staff"], shift, reason="Ice", now=now)
    feed = calendar.build_feed(session, signup.volunteer, "http://x")
    assert b"STATUS:CANCELLED" in feed and b"STATUS:CONFIRMED" not in feed
    assert b"Ice" in feed


def test_my_schedule_keeps_a_cancelled_shift_with_its_status(session, world, now) -> None:
    shift = make_shift(session, world["task"])
    signup = make_signup(session, shift)
    shift_changes.cancel_shift(session, world["staff"], shift, now=now)
    page = signups.list_my_schedule(session, signup.volunteer, now)
    assert [(s.id, s.status) for s in page.items] == [(signup.id, SignupStatus.SHIFT_CANCELLED)]


# --- deleting -------------------------------------------------------------------------------


def test_only_a_shift_nobody_is_or_was_on_can_be_deleted(session, world, now) -> None:
    free = make_shift(session, world["task"])
    assert shifts.deletion_blocker(session, free) is None
    taken = make_shift(session, world["task"])
    make_signup(session, taken)
    assert "Cancel the shift instead" in (shifts.deletion_blocker(session, taken) or "")
    shift_changes.cancel_shift(session, world["staff"], taken, now=now)
    assert "cancelled" in (shifts.deletion_blocker(session, taken) or "")
    with pytest.raises(Conflict):
        shifts.delete_shift(session, world["staff"], taken, now=NOW)


# --- weekly series ------------------------------------------------------------------------


def _weekly(session, world, now, skip=(), until=date(2026, 12, 31)):
    first = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)  # Saturday 10:00 GMT in London
    return shifts.add_weekly_shifts(
        session,
        world["staff"],
        world["task"],
        first_starts_at=first,
        duration=timedelta(hours=2),
        until=until,
        capacity=3,
        now=now,
        skip=skip,
    )


def test_a_weekly_series_skips_the_chosen_dates_and_shares_a_series_id(session, world, now) -> None:
    made = _weekly(session, world, now, skip=[date(2026, 12, 26)])
    days = [s.starts_at.astimezone(LONDON).date() for s in made]
    assert days == [date(2026, 12, 5), date(2026, 12, 12), date(2026, 12, 19)]
    assert {s.series_id for s in made} == {made[0].id}
    other = _weekly(session, world, now)
    assert {s.series_id for s in other} == {other[0].id} != {made[0].id}


def test_a_skipped_date_must_be_a_date_of_the_series(session, world, now) -> None:
    with pytest.raises(Invalid) as err:
        _weekly(session, world, now, skip=[date(2026, 12, 25)])  # a Friday
    assert "not a date of the series" in err.value.errors["skip_dates"][0]
    assert "Saturdays" in err.value.errors["skip_dates"][0]
    with pytest.raises(Invalid) as err:
        _weekly(session, world, now, skip=[date(2027, 1, 2)])  # a Saturday after the last date
    assert "outside the series" in err.value.errors["skip_dates"][0]
    with pytest.raises(Invalid) as err:
        _weekly(session, world, now, skip=[date(2026, 12, 5)], until=date(2026, 12, 5))
    assert "keep at least one" in err.value.errors["skip_dates"][0]


def test_dates_to_skip_are_typed_as_a_list(session) -> None:
    assert shift_changes.parse_day_list("2026-12-26, 2027-01-02\n2027-01-09") == [
        date(2026, 12, 26),
        date(2027, 1, 2),
        date(2027, 1, 9),
    ]
    assert shift_changes.parse_day_list("  ") == []
    for bad in ("26/12/2026", "2026-02-30", "1899-01-01", "x" * 50):
        with pytest.raises(Invalid) as err:
            shift_changes.parse_day_list(bad)
        assert "skip_dates" in err.value.errors


def test_removing_a_date_nobody_is_on_deletes_it_and_keeps_the_rest(session, world, now) -> None:
    made = _weekly(session, world, now)
    second = made[1]
    second_id = second.id
    assert shift_changes.remove_from_series(session, world["staff"], second, now=now) == "deleted"
    session.expire_all()
    assert session.get(Shift, second_id) is None
    assert len(shift_changes.series_shifts(session, made[0])) == len(made) - 1


def test_removing_a_date_people_are_on_cancels_it_with_a_notice(session, world, now) -> None:
    made = _weekly(session, world, now)
    signup = make_signup(session, made[2])
    outcome = shift_changes.remove_from_series(
        session, world["staff"], made[2], reason="Christmas", now=now
    )
    assert outcome == "cancelled"
    assert made[2].is_cancelled and session.get(Shift, made[2].id) is not None
    [mail] = _mail(session, signup.volunteer)
    assert "Christmas" in mail.body_text
    assert not any(s.is_cancelled for s in made[:2])
    lone = make_shift(session, world["task"])
    with pytest.raises(Conflict, match="not part of a weekly series"):
        shift_changes.remove_from_series(session, world["staff"], lone, now=now)
    with pytest.raises(Conflict, match="already cancelled"):
        shift_changes.remove_from_series(session, world["staff"], made[2], now=now)


# --- copying ------------------------------------------------------------------------------


def test_copying_shifts_to_another_task_keeps_local_times_and_places(session, world, now) -> None:
    source = world["task"]
    target = make_task(session, world["programme"], title="Spring clean")
    # 09:00 BST on Sat 24 Oct 2026; eight weeks later the clocks have gone back: 09:00 GMT.
    autumn = make_shift(
        session, source, capacity=6, starts_at=datetime(2026, 10, 24, 8, 0, tzinfo=UTC)
    )
    make_signup(session, autumn)
    made = shift_changes.copy_shifts(
        session,
        world["staff"],
        source,
        target_task_id=target.id,
        shift_ids=[autumn.id],
        weeks=8,
        now=now,
    )
    [copy] = made
    assert copy.task_id == target.id and copy.capacity == 6 and copy.confirmed == 0
    local = copy.starts_at.astimezone(LONDON)
    assert (local.date(), local.time()) == (date(2026, 12, 19), time(9, 0))
    assert copy.ends_at - copy.starts_at == timedelta(hours=3)
    assert (
        session.scalar(select(func.count()).select_from(Signup).where(Signup.shift_id == copy.id))
        == 0
    )


def test_copying_all_future_shifts_leaves_out_past_and_cancelled_ones(session, world, now) -> None:
    source = world["task"]
    target = make_task(session, world["programme"])
    future = make_shift(session, source, starts_at=now + timedelta(days=3))
    make_shift(session, source, starts_at=now - timedelta(days=3))
    gone = make_shift(session, source, starts_at=now + timedelta(days=4))
    shift_changes.cancel_shift(session, world["staff"], gone, now=now)
    made = shift_changes.copy_shifts(
        session, world["staff"], source, target_task_id=target.id, shift_ids=None, weeks=0, now=now
    )
    assert [s.starts_at for s in made] == [future.starts_at]


def test_copying_is_refused_clearly(session, world, now) -> None:
    source = world["task"]
    shift = make_shift(session, source, starts_at=now + timedelta(days=3))
    past = make_shift(session, source, starts_at=now - timedelta(days=10))
    target = make_task(session, world["programme"])
    elsewhere = make_task(session, make_programme(session, world["agency"]))
    foreign = make_task(session, make_programme(session))

    def copy(**kw):
        args = {"target_task_id": target.id, "shift_ids": [shift.id], "weeks": 1} | kw
        with pytest.raises(Invalid) as err:
            shift_changes.copy_shifts(session, world["staff"], source, now=now, **args)
        return err.value.errors

    assert "target_task_id" in copy(target_task_id=None)
    assert "target_task_id" in copy(target_task_id=source.id)
    assert (
        "No such task in this programme" in copy(target_task_id=elsewhere.id)["target_task_id"][0]
    )
    assert "target_task_id" in copy(target_task_id=foreign.id)  # not one the actor manages
    assert "target_task_id" in copy(target_task_id=10**9)
    assert "target_task_id" in copy(target_task_id=10**20)  # typed in the form: no overflow
    assert "target_task_id" in copy(target_task_id=-1)
    assert "shift_ids" in copy(shift_ids=[shift.id, 10**20])
    assert "weeks" in copy(weeks=53)
    assert "weeks" in copy(weeks=-53)
    assert "past" in copy(shift_ids=[past.id], weeks=0)["weeks"][0]
    other_shift = make_shift(session, target)
    assert "shift_ids" in copy(shift_ids=[other_shift.id])
    with pytest.raises(NotAllowed):
        shift_changes.copy_shifts(
            session,
            world["other_staff"],
            source,
            target_task_id=target.id,
            shift_ids=None,
            weeks=0,
            now=now,
        )
    finished = make_task(session, world["programme"], status=TaskStatus.COMPLETED)
    with pytest.raises(Conflict):
        shift_changes.copy_shifts(
            session,
            world["staff"],
            source,
            target_task_id=finished.id,
            shift_ids=None,
            weeks=0,
            now=now,
        )


# --- moving -------------------------------------------------------------------------------


def test_moving_future_shifts_by_weeks_tells_their_volunteers(session, world, now) -> None:
    task = world["task"]
    first = make_shift(session, task, starts_at=now + timedelta(days=2))
    second = make_shift(session, task, starts_at=now + timedelta(days=9))
    past = make_shift(session, task, starts_at=now - timedelta(days=2))
    volunteer = make_user(session)
    # The same person on two consecutive weeks: moving by one week must not trip the overlap
    # rule on the task's own shifts.
    make_signup(session, first, volunteer)
    make_signup(session, second, volunteer)
    starts = {s.id: s.starts_at for s in (first, second, past)}
    moved = shift_changes.move_shifts(session, world["staff"], task, weeks=1, now=now)
    assert [s.id for s in moved] == [first.id, second.id]
    assert first.starts_at == starts[first.id] + timedelta(weeks=1)
    assert second.starts_at == starts[second.id] + timedelta(weeks=1)
    assert past.starts_at == starts[past.id]
    assert len(_mail(session, volunteer)) == 2
    shift_changes.move_shifts(session, world["staff"], task, weeks=-1, now=now)
    assert first.starts_at == starts[first.id]


def test_moving_refuses_to_give_a_volunteer_two_shifts_at_once(session, world, now) -> None:
    task = world["task"]
    shift = make_shift(session, task, starts_at=now + timedelta(days=2))
    volunteer = make_user(session, display_name="Vera Volunteer")
    make_signup(session, shift, volunteer)
    elsewhere = make_shift(
        session,
        make_task(session, world["programme"]),
        starts_at=shift.starts_at + timedelta(weeks=2),
    )
    make_signup(session, elsewhere, volunteer)
    with pytest.raises(Conflict, match="Vera Volunteer") as err:
        shift_changes.move_shifts(session, world["staff"], task, weeks=2, now=now)
    assert "cannot move" in err.value.message


def test_moving_is_bounded_and_never_into_the_past(session, world, now) -> None:
    task = world["task"]
    make_shift(session, task, starts_at=now + timedelta(days=2))
    for weeks, field_text in (
        (0, "other than 0"),
        (53, "-52 to 52"),
        (-1, "past"),
        (None, "Enter"),
    ):
        with pytest.raises(Invalid) as err:
            shift_changes.move_shifts(session, world["staff"], task, weeks=weeks, now=now)
        assert field_text in err.value.errors["weeks"][0]
    with pytest.raises(NotAllowed):
        shift_changes.move_shifts(session, world["other_staff"], task, weeks=1, now=now)
    empty = make_task(session, world["programme"])
    with pytest.raises(Conflict, match="no future shifts"):
        shift_changes.move_shifts(session, world["staff"], empty, weeks=1, now=now)


def test_a_shift_cancelled_after_it_was_loaded_is_not_changed(session, world, now) -> None:
    """The guarded UPDATE of update_shift also requires the shift to be live (a cancel that
    committed after the editor loaded it)."""
    shift = make_shift(session, world["task"])
    session.execute(
        Shift.__table__.update().where(Shift.id == shift.id).values(cancelled_at=now)
    )  # behind the ORM's back: the loaded object still reads live
    assert not shift.is_cancelled
    with pytest.raises(Conflict, match="cancelled"):
        shifts.update_shift(
            session,
            world["staff"],
            shift,
            starts_at=shift.starts_at + timedelta(days=1),
            ends_at=shift.ends_at + timedelta(days=1),
            capacity=shift.capacity,
            now=now,
        )
