from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.models import AuditEntry, OrgKind, Role, Shift, Signup, SignupStatus, TaskStatus
from coprod.services import shifts, tasks
from tests.conftest import NOW
from tests.factories import (
    add_partner,
    make_member,
    make_metric,
    make_org,
    make_programme,
    make_shift,
    make_signup,
    make_task,
    make_user,
)


@pytest.fixture
def world(session):
    """A verified agency's programme with a partner nonprofit, a metric and the people."""
    agency = make_org(session, OrgKind.AGENCY)
    programme = make_programme(session, agency)
    partner = make_org(session, OrgKind.NONPROFIT)
    add_partner(session, programme, partner)
    return {
        "agency": agency,
        "programme": programme,
        "partner": partner,
        "metric": make_metric(session, programme),
        "staff": make_member(session, agency, Role.STAFF),
        "coordinator": make_member(session, partner, Role.COORDINATOR),
        "volunteer": make_user(session),
        "other_staff": make_member(session, make_org(session, OrgKind.AGENCY), Role.STAFF),
    }


def _create(session, world, actor=None, **kw):
    fields = {"title": "Deliver meals", "description": "Drive", "location": "Depot"}
    fields.update(kw)
    return tasks.create_task(session, actor or world["staff"], world["programme"], **fields)


def _at(days: float, now: datetime) -> datetime:
    return now + timedelta(days=days)


# --- create / update ----------------------------------------------------------------------


def test_lead_staff_create_a_task_as_draft_with_metrics_and_coordinator(session, world) -> None:
    task = _create(
        session,
        world,
        metric_ids=[world["metric"].id],
        coordinating_organisation_id=world["partner"].id,
    )
    assert task.status == TaskStatus.DRAFT
    assert [m.id for m in task.metrics] == [world["metric"].id]
    assert task.coordinating_organisation_id == world["partner"].id
    assert session.scalar(select(AuditEntry).where(AuditEntry.action == "task.created"))


@pytest.mark.parametrize("who", ["volunteer", "coordinator", "other_staff"])
def test_only_lead_staff_create_tasks(session, world, who) -> None:
    with pytest.raises(NotAllowed):
        _create(session, world, world[who])


def test_staff_of_an_unverified_agency_cannot_create_tasks(session) -> None:
    agency = make_org(session, OrgKind.AGENCY, verified=False)
    staff = make_member(session, agency, Role.STAFF)
    with pytest.raises(NotAllowed):
        tasks.create_task(session, staff, make_programme(session, agency), title="x")


def test_metrics_must_belong_to_the_programme(session, world) -> None:
    foreign = make_metric(session)
    with pytest.raises(Invalid) as err:
        _create(session, world, metric_ids=[foreign.id])
    assert "metric_ids" in err.value.errors


def test_the_coordinating_organisation_must_be_a_partner(session, world) -> None:
    stranger = make_org(session, OrgKind.NONPROFIT)
    with pytest.raises(Invalid) as err:
        _create(session, world, coordinating_organisation_id=stranger.id)
    assert "partner" in err.value.errors["coordinating_organisation_id"][0]


def test_ids_beyond_the_database_integer_are_field_errors_not_overflows(session, world) -> None:
    """A number typed into the form's select (or the CLI) is refused beside its field."""
    with pytest.raises(Invalid) as err:
        _create(session, world, metric_ids=[10**20], coordinating_organisation_id=10**20)
    assert {"metric_ids", "coordinating_organisation_id"} <= set(err.value.errors)


def test_a_task_needs_a_title_and_all_field_errors_come_together(session, world) -> None:
    with pytest.raises(Invalid) as err:
        _create(session, world, title="  ", location="x" * 301)
    assert set(err.value.errors) == {"title", "location"}


def test_lead_staff_edit_every_field(session, world) -> None:
    task = _create(session, world)
    tasks.update_task(
        session,
        world["staff"],
        task,
        title="New",
        description="D",
        location="L",
        metric_ids=[world["metric"].id],
        coordinating_organisation_id=world["partner"].id,
    )
    assert (task.title, task.description, task.location) == ("New", "D", "L")
    assert task.metrics == [world["metric"]]
    assert task.coordinating_organisation_id == world["partner"].id


def test_the_coordinator_edits_only_description_and_location(session, world) -> None:
    task = _create(session, world, coordinating_organisation_id=world["partner"].id)
    tasks.update_task(session, world["coordinator"], task, description="Bring gloves", location="X")
    assert (task.description, task.location) == ("Bring gloves", "X")
    with pytest.raises(NotAllowed):
        tasks.update_task(
            session, world["coordinator"], task, description="d", location="l", title="Hijack"
        )
    assert task.title == "Deliver meals"


def test_a_coordinator_of_another_organisation_cannot_edit(session, world) -> None:
    task = _create(session, world, coordinating_organisation_id=world["partner"].id)
    other = make_member(session, make_org(session), Role.COORDINATOR)
    with pytest.raises(NotFound):  # a draft is invisible to them
        tasks.update_task(session, other, task, description="d", location="l")


# --- lifecycle ----------------------------------------------------------------------------


def test_publishing_needs_a_shift_in_the_future(session, world, now) -> None:
    task = _create(session, world)
    make_shift(session, task, starts_at=now - timedelta(days=1))
    session.refresh(task, ["shifts"])
    with pytest.raises(Conflict, match="shift in the future"):
        tasks.transition_task(session, world["staff"], task, TaskStatus.OPEN, now=now)
    make_shift(session, task, starts_at=now + timedelta(days=1))
    session.refresh(task, ["shifts"])
    tasks.transition_task(session, world["staff"], task, TaskStatus.OPEN, now=now)
    assert task.status == TaskStatus.OPEN


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (TaskStatus.OPEN, TaskStatus.CLOSED),
        (TaskStatus.CLOSED, TaskStatus.COMPLETED),
        (TaskStatus.DRAFT, TaskStatus.CANCELLED),
        (TaskStatus.OPEN, TaskStatus.CANCELLED),
        (TaskStatus.CLOSED, TaskStatus.CANCELLED),
    ],
)
def test_the_lifecycle_allows_these_moves(session, world, now, start, to) -> None:
    task = make_task(session, world["programme"], status=start)
    tasks.transition_task(session, world["staff"], task, to, now=now)
    assert task.status == to


@pytest.mark.parametrize(
    ("start", "to"),
    [
        (TaskStatus.DRAFT, TaskStatus.CLOSED),
        (TaskStatus.DRAFT, TaskStatus.COMPLETED),
        (TaskStatus.OPEN, TaskStatus.COMPLETED),
        (TaskStatus.OPEN, TaskStatus.DRAFT),
        (TaskStatus.COMPLETED, TaskStatus.CANCELLED),
        (TaskStatus.CANCELLED, TaskStatus.OPEN),
    ],
)
def test_any_other_move_is_a_conflict_naming_both_states(session, world, now, start, to) -> None:
    task = make_task(session, world["programme"], status=start)
    with pytest.raises(Conflict) as err:
        tasks.transition_task(session, world["staff"], task, to, now=now)
    assert start.value in err.value.message
    assert to.value in err.value.message
    assert task.status == start


def test_an_unknown_status_is_invalid(session, world, now) -> None:
    task = make_task(session, world["programme"])
    with pytest.raises(Invalid):
        tasks.transition_task(session, world["staff"], task, "archived", now=now)


def test_only_lead_staff_change_the_status(session, world, now) -> None:
    task = make_task(session, world["programme"], coordinating_organisation_id=world["partner"].id)
    with pytest.raises(NotAllowed):
        tasks.transition_task(session, world["coordinator"], task, TaskStatus.CLOSED, now=now)


def test_cancelling_a_task_cancels_its_live_signups_and_frees_the_seats(session, world, now):
    task = make_task(session, world["programme"])
    shift = make_shift(session, task, capacity=1)
    confirmed = make_signup(session, shift)
    waiting = make_signup(session, shift, status=SignupStatus.WAITLISTED)
    past = make_shift(session, task, starts_at=now - timedelta(days=3))
    attended = make_signup(session, past, status=SignupStatus.ATTENDED)
    session.refresh(task, ["shifts"])
    tasks.transition_task(session, world["staff"], task, TaskStatus.CANCELLED, now=now)
    session.expire_all()
    assert session.get(Signup, confirmed.id).status == SignupStatus.CANCELLED
    assert session.get(Signup, waiting.id).status == SignupStatus.CANCELLED
    assert session.get(Signup, attended.id).status == SignupStatus.ATTENDED
    assert session.get(Shift, shift.id).confirmed == 0
    assert session.get(Shift, past.id).confirmed == 1
    audited = session.scalars(
        select(AuditEntry.object_id).where(AuditEntry.action == "signup.cancelled_with_task")
    ).all()
    assert sorted(audited) == sorted([confirmed.id, waiting.id])


# --- shifts -------------------------------------------------------------------------------


def test_lead_staff_add_a_shift(session, world, now) -> None:
    task = _create(session, world)
    shift = shifts.add_shift(
        session,
        world["staff"],
        task,
        starts_at=_at(1, now),
        ends_at=_at(1.1, now),
        capacity=4,
        now=now,
    )
    assert shift.task_id == task.id
    assert (shift.capacity, shift.confirmed) == (4, 0)


@pytest.mark.parametrize(
    ("start", "end", "capacity", "field"),
    [
        (-1, 1, 3, "starts_at"),
        (2, 1, 3, "ends_at"),
        (1, 1, 3, "ends_at"),
        (1, 2, 0, "capacity"),
        (1, 2, 1001, "capacity"),
    ],
)
def test_a_shift_starts_in_the_future_ends_after_it_starts_and_has_1_to_1000_places(
    session, world, now, start, end, capacity, field
) -> None:
    task = _create(session, world)
    with pytest.raises(Invalid) as err:
        shifts.add_shift(
            session,
            world["staff"],
            task,
            starts_at=_at(start, now),
            ends_at=_at(end, now),
            capacity=capacity,
            now=now,
        )
    assert field in err.value.errors


def test_a_cancelled_task_gets_no_new_shifts(session, world, now) -> None:
    task = make_task(session, world["programme"], status=TaskStatus.CANCELLED)
    with pytest.raises(Conflict):
        shifts.add_shift(
            session,
            world["staff"],
            task,
            starts_at=_at(1, now),
            ends_at=_at(2, now),
            capacity=1,
            now=now,
        )


def test_weekly_shifts_run_up_to_and_including_the_last_date(session, world, now) -> None:
    task = _create(session, world)
    first = datetime(2026, 6, 20, 9, 0, tzinfo=UTC)  # a Saturday
    made = shifts.add_weekly_shifts(
        session,
        world["staff"],
        task,
        first_starts_at=first,
        duration=timedelta(hours=3),
        until=date(2026, 7, 11),
        capacity=6,
        now=now,
    )
    assert [s.starts_at.date() for s in made] == [
        date(2026, 6, 20),
        date(2026, 6, 27),
        date(2026, 7, 4),
        date(2026, 7, 11),
    ]
    assert all(s.ends_at - s.starts_at == timedelta(hours=3) for s in made)
    assert all(s.capacity == 6 for s in made)


def test_a_weekly_series_has_at_most_104_shifts(session, world, now) -> None:
    task = _create(session, world)
    first = datetime(2026, 6, 20, 9, 0, tzinfo=UTC)
    args = {"first_starts_at": first, "duration": timedelta(hours=1), "capacity": 1, "now": now}
    ok = shifts.add_weekly_shifts(
        session, world["staff"], task, until=(first + timedelta(weeks=103)).date(), **args
    )
    assert len(ok) == 104
    with pytest.raises(Invalid) as err:
        shifts.add_weekly_shifts(
            session, world["staff"], task, until=(first + timedelta(weeks=104)).date(), **args
        )
    assert "104" in err.value.errors["until"][0]


def test_a_weekly_series_needs_a_last_date_after_the_first(session, world, now) -> None:
    task = _create(session, world)
    with pytest.raises(Invalid) as err:
        shifts.add_weekly_shifts(
            session,
            world["staff"],
            task,
            first_starts_at=_at(5, now),
            duration=timedelta(hours=1),
            until=_at(1, now).date(),
            capacity=1,
            now=now,
        )
    assert "until" in err.value.errors


def test_capacity_never_goes_below_the_seats_taken(session, world, now) -> None:
    shift = make_shift(session, make_task(session, world["programme"]), capacity=3)
    make_signup(session, shift)
    make_signup(session, shift)
    args = {"starts_at": shift.starts_at, "ends_at": shift.ends_at, "now": now}
    with pytest.raises(Conflict, match="2 places are already taken"):
        shifts.update_shift(session, world["staff"], shift, capacity=1, **args)
    shifts.update_shift(session, world["staff"], shift, capacity=2, **args)
    assert shift.capacity == 2


def test_more_places_go_to_the_waitlist_oldest_first(session, world, now) -> None:
    shift = make_shift(session, make_task(session, world["programme"]), capacity=1)
    make_signup(session, shift)
    first = make_signup(
        session, shift, status=SignupStatus.WAITLISTED, queued_at=now - timedelta(hours=3)
    )
    second = make_signup(
        session, shift, status=SignupStatus.WAITLISTED, queued_at=now - timedelta(hours=2)
    )
    third = make_signup(
        session, shift, status=SignupStatus.WAITLISTED, queued_at=now - timedelta(hours=1)
    )
    args = {"starts_at": shift.starts_at, "ends_at": shift.ends_at, "now": now}
    shifts.update_shift(session, world["staff"], shift, capacity=3, **args)
    statuses = [
        session.get(Signup, s.id, populate_existing=True).status for s in (first, second, third)
    ]
    assert statuses == [SignupStatus.CONFIRMED, SignupStatus.CONFIRMED, SignupStatus.WAITLISTED]
    assert session.get(Shift, shift.id, populate_existing=True).confirmed == 3


def test_a_shift_cannot_be_moved_into_the_past(session, world, now) -> None:
    shift = make_shift(session, make_task(session, world["programme"]))
    with pytest.raises(Invalid) as err:
        shifts.update_shift(
            session,
            world["staff"],
            shift,
            starts_at=_at(-1, now),
            ends_at=_at(1, now),
            capacity=5,
            now=now,
        )
    assert "starts_at" in err.value.errors


def test_a_shift_nobody_signed_up_for_can_be_deleted(session, world, now) -> None:
    task = make_task(session, world["programme"])
    shift = make_shift(session, task)
    make_signup(session, shift, status=SignupStatus.CANCELLED)
    session.refresh(task, ["shifts"])
    shift_id = shift.id
    shifts.delete_shift(session, world["staff"], shift, now=NOW)
    session.expire_all()
    assert session.get(Shift, shift_id) is None


def test_a_shift_with_signups_cannot_be_deleted(session, world) -> None:
    shift = make_shift(session, make_task(session, world["programme"]))
    make_signup(session, shift, status=SignupStatus.WAITLISTED)
    with pytest.raises(Conflict, match="Cancel the shift instead"):
        shifts.delete_shift(session, world["staff"], shift, now=NOW)


# --- reading ------------------------------------------------------------------------------


def test_the_public_list_shows_open_tasks_only_soonest_first(session, world, now) -> None:
    late = make_task(session, world["programme"], title="Late")
    make_shift(session, late, starts_at=_at(10, now), capacity=4)
    soon = make_task(session, world["programme"], title="Soon")
    make_shift(session, soon, starts_at=_at(2, now), capacity=3)
    make_shift(session, soon, starts_at=_at(-2, now), capacity=9)  # past: not counted
    make_task(session, world["programme"], title="No shifts")
    for status in (TaskStatus.DRAFT, TaskStatus.CLOSED, TaskStatus.CANCELLED):
        make_shift(session, make_task(session, world["programme"], status=status))
    page = tasks.list_tasks(session, None, now=now)
    assert [s.task.title for s in page.items] == ["Soon", "Late", "No shifts"]
    first = page.items[0]
    assert (first.next_starts_at, first.upcoming_shifts, first.free_places) == (_at(2, now), 1, 3)
    assert page.items[2].next_starts_at is None


def test_search_is_case_insensitive_over_title_description_and_location(session, world, now):
    make_task(session, world["programme"], title="Food BANK")
    make_task(session, world["programme"], title="x", description="at the food bank")
    make_task(session, world["programme"], title="y", location="Food Bank Depot")
    make_task(session, world["programme"], title="Litter pick")
    page = tasks.list_tasks(session, None, q="food bank", now=now)
    assert page.count is not None and (page.count.n, page.count.more) == (3, False)
    assert {s.task.title for s in page.items} == {"Food BANK", "x", "y"}


def test_a_search_is_counted_only_when_one_window_shows_it_whole(session, world, now) -> None:
    """Counting a search's matches tests every candidate's text, so a search that goes on
    past its first window shows no count (its "Next" says there are more); one shown whole
    is counted from the window, and the list without a search keeps its capped count."""
    for i in range(3):
        make_task(session, world["programme"], title=f"Food bank {i}")
    make_task(session, world["programme"], title="Litter pick")
    whole = tasks.list_tasks(session, None, q="food bank", now=now)
    assert whole.count is not None and (whole.count.n, whole.count.more) == (3, False)
    first = tasks.list_tasks(session, None, q="food bank", per_page=2, now=now)
    assert first.count is None and first.window.next
    rest = tasks.list_tasks(session, None, q="food bank", after=first.window.next, now=now)
    assert rest.count is None and len(rest.items) == 1  # a later window is not the whole list
    plain = tasks.list_tasks(session, None, per_page=2, now=now)
    assert plain.count is not None and plain.count.n == 4


def test_search_treats_like_wildcards_as_plain_text(session, world, now) -> None:
    make_task(session, world["programme"], title="100% fun")
    make_task(session, world["programme"], title="1000 fun")
    make_task(session, world["programme"], title="a_b")
    make_task(session, world["programme"], title="axb")
    assert [s.task.title for s in tasks.list_tasks(session, None, q="00%", now=now).items] == [
        "100% fun"
    ]
    assert [s.task.title for s in tasks.list_tasks(session, None, q="a_b", now=now).items] == [
        "a_b"
    ]


def test_the_list_filters_by_programme_and_by_a_shift_in_the_date_range(session, world, now):
    other = make_programme(session)
    mine = make_task(session, world["programme"], title="Mine")
    # 23:59 on 20 June in London (BST), the programme's zone: the last minute of the day.
    make_shift(session, mine, starts_at=datetime(2026, 6, 20, 22, 59, tzinfo=UTC))
    theirs = make_task(session, other, title="Theirs")
    make_shift(session, theirs, starts_at=datetime(2026, 6, 25, 9, 0, tzinfo=UTC))
    by_programme = tasks.list_tasks(session, None, programme_id=str(other.id), now=now)
    assert [s.task.title for s in by_programme.items] == ["Theirs"]
    in_range = tasks.list_tasks(
        session, None, date_from="2026-06-20", date_to="2026-06-20", now=now
    )
    assert [s.task.title for s in in_range.items] == ["Mine"]
    later = tasks.list_tasks(session, None, date_from="2026-06-21", now=now)
    assert [s.task.title for s in later.items] == ["Theirs"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"date_from": "2026-13-01"}, "date_from"),
        ({"date_to": "soon"}, "date_to"),
        ({"date_from": "2026-06-20", "date_to": "2026-06-19"}, "date_to"),
        ({"programme_id": "abc"}, "programme_id"),
    ],
)
def test_bad_filters_are_invalid_on_their_field(session, now, args, field) -> None:
    with pytest.raises(Invalid) as err:
        tasks.list_tasks(session, None, now=now, **args)
    assert field in err.value.errors


def test_the_list_is_read_by_windows_and_walked_to_its_end_sees_every_task_once(
    session, world, now
) -> None:
    made = []
    for i in range(5):
        task = make_task(session, world["programme"], title=f"T{i}")
        if i % 2:
            make_shift(session, task, starts_at=_at(i, now))
        made.append(task.id)
    seen: list[int] = []
    after = None
    while True:
        page = tasks.list_tasks(session, None, after=after, per_page=2, now=now)
        seen += [s.task.id for s in page.items]
        assert page.count is not None and page.count.n == 5
        if page.window.next is None:
            break
        after = page.window.next
    assert sorted(seen) == sorted(made) and len(seen) == 5
    # With shifts first (soonest first), then those without, by id.
    assert seen == [made[1], made[3], made[0], made[2], made[4]]


def test_a_forged_cursor_is_invalid_on_its_field(session, world, now) -> None:
    with pytest.raises(Invalid) as err:
        tasks.list_tasks(session, None, after="not-a-cursor", now=now)
    assert "after" in err.value.errors


def test_a_search_of_short_words_alone_is_invalid_and_short_words_are_left_out(
    session, world, now
) -> None:
    make_task(session, world["programme"], title="Beach clean-up of the bay")
    make_task(session, world["programme"], title="Park of trees")
    with pytest.raises(Invalid) as err:
        tasks.list_tasks(session, None, q="of a", now=now)
    assert "q" in err.value.errors
    found = tasks.list_tasks(session, None, q="BEA of", now=now)
    assert [s.task.title for s in found.items] == ["Beach clean-up of the bay"]
    # Part of a word is enough, anywhere in it; every word must be found.
    assert [
        s.task.title for s in tasks.list_tasks(session, None, q="ean-u bay", now=now).items
    ] == ["Beach clean-up of the bay"]
    assert tasks.list_tasks(session, None, q="beach trees", now=now).items == []


def test_a_draft_task_is_not_found_for_the_public_but_visible_to_lead_staff(session, world):
    task = make_task(session, world["programme"], status=TaskStatus.DRAFT)
    for actor in (None, world["volunteer"], world["other_staff"]):
        with pytest.raises(NotFound):
            tasks.get_task(session, actor, task.id)
    assert tasks.get_task(session, world["staff"], task.id) is task


def test_waitlist_counts_come_per_shift(session, world) -> None:
    task = make_task(session, world["programme"])
    a, b = make_shift(session, task), make_shift(session, task)
    make_signup(session, a, status=SignupStatus.WAITLISTED)
    make_signup(session, a, status=SignupStatus.WAITLISTED)
    make_signup(session, b)
    assert shifts.waitlist_counts(session, [a.id, b.id]) == {a.id: 2}


def test_programme_tasks_hide_drafts_from_the_public(session, world) -> None:
    make_task(session, world["programme"], status=TaskStatus.DRAFT, title="Draft")
    make_task(session, world["programme"], title="Open")
    public = tasks.list_programme_tasks(session, None, world["programme"])
    staff = tasks.list_programme_tasks(session, world["staff"], world["programme"])
    assert [t.title for t in public] == ["Open"]
    assert sorted(t.title for t in staff) == ["Draft", "Open"]


def test_a_shift_is_not_moved_onto_another_shift_of_someone_on_it(session, world, now) -> None:
    """Nobody holds two overlapping shifts: moving a shift checks the people already on it."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=7)
    morning = make_shift(session, make_task(session, world["programme"]),
                         starts_at=day + timedelta(hours=9), hours=3)  # fmt: skip
    afternoon = make_shift(session, make_task(session, world["programme"]),
                           starts_at=day + timedelta(hours=14), hours=3)  # fmt: skip
    busy = make_user(session, display_name="Ada Busy")
    waiting = make_user(session, display_name="Bo Waiting")
    gone = make_user(session, display_name="Cy Cancelled")
    for person in (busy, waiting, gone):
        make_signup(session, morning, person)
    make_signup(session, afternoon, busy)
    make_signup(session, afternoon, waiting, status=SignupStatus.WAITLISTED)
    make_signup(session, afternoon, gone, status=SignupStatus.CANCELLED)

    def move(start_hour: int) -> Shift:
        return shifts.update_shift(
            session, world["staff"], afternoon, capacity=5, now=now,
            starts_at=day + timedelta(hours=start_hour),
            ends_at=day + timedelta(hours=start_hour + 3),
        )  # fmt: skip

    with pytest.raises(Conflict) as err:
        move(11)  # 11:00-14:00 overlaps the morning's 09:00-12:00
    assert "2 people" in err.value.message
    assert "Ada Busy, Bo Waiting" in err.value.message
    assert "Cy Cancelled" not in err.value.message
    assert session.get(Shift, afternoon.id, populate_existing=True).starts_at.hour == 14
    assert move(12).starts_at.hour == 12  # touching at 12:00 is not overlapping
