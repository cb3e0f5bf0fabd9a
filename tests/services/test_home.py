"""The signed-in home page: what needs each person, section by section (coprod.services.home)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import false

from coprod import policy
from coprod.models import LogStatus, OrgKind, Role, SignupStatus, TaskStatus
from coprod.services import home
from coprod.services.home import roles as home_roles
from coprod.services.home import volunteer as home_volunteer
from tests.conftest import NOW
from tests.factories import (
    add_role,
    make_log,
    make_member,
    make_org,
    make_programme,
    make_shift,
    make_signup,
    make_task,
    make_user,
)

H = timedelta(hours=1)
D = timedelta(days=1)


# --- volunteer ----------------------------------------------------------------------------


def test_a_volunteer_sees_next_shifts_confirmed_or_waitlisted_soonest_first(session) -> None:
    me = make_user(session)
    task = make_task(session)
    later = make_shift(session, task, starts_at=NOW + 5 * D)
    sooner = make_shift(session, task, starts_at=NOW + 2 * D)
    gone = make_shift(session, task, starts_at=NOW - 2 * D)
    left = make_shift(session, task, starts_at=NOW + 3 * D)
    waiting = make_signup(session, later, me, status=SignupStatus.WAITLISTED)
    confirmed = make_signup(session, sooner, me)
    make_signup(session, gone, me)  # over: not "next"
    make_signup(session, left, me, status=SignupStatus.CANCELLED)
    make_signup(session, make_shift(session, task, starts_at=NOW + D))  # someone else's

    v = home.home(session, me, NOW).volunteer
    assert [s.id for s in v.next_shifts] == [confirmed.id, waiting.id]
    assert v.more_shifts == 0


def test_next_shifts_are_bounded_and_the_rest_counted(session) -> None:
    me = make_user(session)
    task = make_task(session)
    for i in range(home.NEXT_SHIFTS + 3):
        make_signup(session, make_shift(session, task, starts_at=NOW + (i + 1) * D, hours=1), me)
    v = home.home(session, me, NOW).volunteer
    assert len(v.next_shifts) == home.NEXT_SHIFTS
    assert v.more_shifts == 3


def test_hours_approved_this_year_by_programme(session) -> None:
    me = make_user(session)
    garden, kitchen = make_programme(session), make_programme(session)
    g, k = make_task(session, garden), make_task(session, kitchen)
    this_year = NOW.date().replace(month=1, day=2)
    make_log(session, user=me, task=g, status=LogStatus.APPROVED, hours="2.5", on=this_year)
    make_log(session, user=me, task=g, status=LogStatus.APPROVED, hours="1", on=NOW.date())
    make_log(session, user=me, task=k, status=LogStatus.APPROVED, hours="4", on=NOW.date())
    # Not counted: last year's, waiting, rejected, and someone else's.
    last_year = date(NOW.year - 1, 12, 31)
    make_log(session, user=me, task=k, status=LogStatus.APPROVED, hours="9", on=last_year)
    make_log(session, user=me, task=k, status=LogStatus.SUBMITTED, hours="9")
    make_log(session, user=me, task=g, status=LogStatus.REJECTED, hours="9")
    make_log(session, task=g, status=LogStatus.APPROVED, hours="9")

    hours = home.home(session, me, NOW).volunteer.hours
    assert [(h.programme.id, h.year, h.hours) for h in hours] == [
        (kitchen.id, NOW.year, Decimal("4")),
        (garden.id, NOW.year, Decimal("3.5")),
    ]


def test_this_year_is_the_programme_local_year(session) -> None:
    """At 23:30 UTC on 31 December it is already next year in Auckland."""
    now = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    me = make_user(session)
    auckland = make_programme(session, timezone="Pacific/Auckland")
    london = make_programme(session, timezone="Europe/London")
    a, b = make_task(session, auckland), make_task(session, london)
    make_log(session, user=me, task=a, status=LogStatus.APPROVED, hours="3", on=date(2026, 12, 30))
    make_log(session, user=me, task=a, status=LogStatus.APPROVED, hours="1", on=date(2027, 1, 1))
    make_log(session, user=me, task=b, status=LogStatus.APPROVED, hours="2", on=date(2026, 12, 30))

    hours = {h.programme.id: (h.year, h.hours) for h in home.home(session, me, now).volunteer.hours}
    assert hours == {auckland.id: (2027, Decimal("1")), london.id: (2026, Decimal("2"))}


def test_logs_waiting_or_sent_back_sent_back_first(session) -> None:
    me = make_user(session)
    task = make_task(session)
    waiting = make_log(session, user=me, task=task, on=NOW.date())
    back = make_log(
        session, user=me, task=task, status=LogStatus.CHANGES_REQUESTED, on=NOW.date() - D
    )
    for status in (LogStatus.APPROVED, LogStatus.REJECTED, LogStatus.SUPERSEDED):
        make_log(session, user=me, task=task, status=status)
    make_log(session, task=task)  # someone else's

    v = home.home(session, me, NOW).volunteer
    assert [log.id for log in v.open_logs] == [back.id, waiting.id]


# --- coordinator --------------------------------------------------------------------------


@pytest.fixture
def coord(session):
    charity = make_org(session, OrgKind.NONPROFIT)
    me = make_member(session, charity, Role.COORDINATOR)
    programme = make_programme(session)
    task = make_task(session, programme, coordinating_organisation_id=charity.id)
    return me, charity, programme, task


def test_a_coordinator_sees_this_week_understaffed_first(session, coord) -> None:
    me, _charity, programme, task = coord
    full_today = make_shift(session, task, starts_at=NOW + 2 * H, capacity=1)
    make_signup(session, full_today)
    short_later = make_shift(session, task, starts_at=NOW + 6 * D, capacity=3)
    short_soon = make_shift(session, task, starts_at=NOW + D, capacity=2)
    make_signup(session, short_soon)
    make_shift(session, task, starts_at=NOW + 9 * D)  # beyond the next 7 days
    other = make_task(session, programme)  # not coordinated by the charity
    make_shift(session, other, starts_at=NOW + D)

    c = home.home(session, me, NOW).coordinator
    assert c is not None
    assert [s.id for s in c.upcoming] == [short_soon.id, short_later.id, full_today.id]


def test_a_coordinator_sees_past_shifts_waiting_for_attendance(session, coord) -> None:
    me, _charity, _programme, task = coord
    unmarked = make_shift(session, task, starts_at=NOW - 2 * D)
    make_signup(session, unmarked)
    make_signup(session, unmarked)
    make_signup(session, unmarked, status=SignupStatus.ATTENDED)
    marked = make_shift(session, task, starts_at=NOW - 3 * D)
    make_signup(session, marked, status=SignupStatus.ATTENDED)
    make_signup(session, marked, status=SignupStatus.NO_SHOW)
    empty = make_shift(session, task, starts_at=NOW - 4 * D)
    make_signup(session, empty, status=SignupStatus.CANCELLED)
    running = make_shift(session, task, starts_at=NOW - H)  # not over yet
    make_signup(session, running)

    c = home.home(session, me, NOW).coordinator
    assert c is not None
    assert [s.id for s in c.awaiting] == [unmarked.id]
    assert c.unmarked == {unmarked.id: 2}


def test_no_coordinator_section_without_coordinated_tasks(session) -> None:
    volunteer = make_user(session)
    assert home.home(session, volunteer, NOW).coordinator is None
    idle = make_member(session, make_org(session), Role.COORDINATOR)
    assert home.home(session, idle, NOW).coordinator is None


def test_a_coordinator_with_nothing_to_do_gets_empty_lists(session, coord) -> None:
    me, *_ = coord
    c = home.home(session, me, NOW).coordinator
    assert c is not None and c.upcoming == [] and c.awaiting == []


# --- reviewer -----------------------------------------------------------------------------


def test_a_reviewer_sees_queue_size_and_oldest_log_per_programme(session) -> None:
    agency = make_org(session, OrgKind.AGENCY)
    me = make_member(session, agency, Role.REVIEWER)
    first, second, quiet = (make_programme(session, agency) for _ in range(3))
    other = make_programme(session)  # another agency's
    t1, t2 = make_task(session, first), make_task(session, second)
    make_task(session, quiet)
    old = NOW - 5 * D
    make_log(session, task=t1, submitted_at=old)
    make_log(session, task=t1, submitted_at=NOW - D)
    make_log(session, task=t1, status=LogStatus.APPROVED, submitted_at=NOW - 9 * D)
    make_log(session, task=t2, submitted_at=NOW - 7 * D)
    make_log(session, user=me, task=t2, submitted_at=NOW - 30 * D)  # their own: not theirs
    make_log(session, task=make_task(session, other), submitted_at=NOW - 40 * D)

    r = home.home(session, me, NOW).reviewer
    assert r is not None and r.programmes == 3
    rows = [(row.programme.id, row.waiting, row.oldest.replace(tzinfo=UTC)) for row in r.rows]
    assert rows == [(second.id, 1, NOW - 7 * D), (first.id, 2, old)]


def test_a_reviewer_sees_how_many_logs_wait_up_to_a_cap_and_the_oldest_beyond_it(
    session, monkeypatch
) -> None:
    """Each programme's waiting logs are counted up to WAITING_CAP (then "more than"); the
    oldest is the oldest of all, even past the cap, and the reviewer's own logs never count."""
    monkeypatch.setattr(home_roles, "WAITING_CAP", 2)
    agency = make_org(session, OrgKind.AGENCY)
    me = make_member(session, agency, Role.REVIEWER)
    full, at_cap = make_programme(session, agency), make_programme(session, agency)
    t_full, t_cap = make_task(session, full), make_task(session, at_cap)
    for days in (1, 2, 3, 9):
        make_log(session, task=t_full, submitted_at=NOW - days * D)
    make_log(session, task=t_cap, submitted_at=NOW - 4 * D)
    make_log(session, task=t_cap, submitted_at=NOW - 5 * D)
    make_log(session, user=me, task=t_cap, submitted_at=NOW - 50 * D)  # their own
    r = home.home(session, me, NOW).reviewer
    assert r is not None
    rows = [
        (row.programme.id, row.waiting, row.more, row.oldest.replace(tzinfo=UTC)) for row in r.rows
    ]
    assert rows == [(full.id, 2, True, NOW - 9 * D), (at_cap.id, 2, False, NOW - 5 * D)]


def test_a_reviewer_sees_the_programmes_waiting_longest_and_that_more_wait(
    session, monkeypatch
) -> None:
    """The home lists the programmes whose oldest waiting log is oldest, up to a cap, and says
    when logs wait in more programmes than those (the review queue has them all)."""
    monkeypatch.setattr(home_roles, "MAX_PROGRAMMES", 2)
    agency = make_org(session, OrgKind.AGENCY)
    me = make_member(session, agency, Role.REVIEWER)
    ages = {}
    for days in (3, 9, 1, 6):
        programme = make_programme(session, agency)
        make_log(session, task=make_task(session, programme), submitted_at=NOW - days * D)
        ages[days] = programme.id
    r = home.home(session, me, NOW).reviewer
    assert r is not None and r.more
    assert [row.programme.id for row in r.rows] == [ages[9], ages[6]]

    monkeypatch.setattr(home_roles, "MAX_PROGRAMMES", 4)
    r = home.home(session, me, NOW).reviewer
    assert r is not None and not r.more and len(r.rows) == 4


def test_a_nonprofit_admin_reviews_nothing_and_gets_no_reviewer_section(session) -> None:
    charity = make_org(session, OrgKind.NONPROFIT)
    admin = make_member(session, charity, Role.ADMIN)
    assert not policy.can(admin, "log.review_queue")
    assert home.home(session, admin, NOW).reviewer is None


# --- agency staff -------------------------------------------------------------------------


def test_staff_see_open_tasks_without_shifts_and_understaffed_shifts(session) -> None:
    agency = make_org(session, OrgKind.AGENCY)
    me = make_member(session, agency, Role.STAFF)
    programme, fine = make_programme(session, agency), make_programme(session, agency)
    bare = make_task(session, programme, title="Needs shifts")
    make_shift(session, bare, starts_at=NOW - 3 * D)  # only past shifts
    make_task(session, programme, status=TaskStatus.DRAFT)  # a draft needs no shifts yet
    short = make_shift(session, make_task(session, programme), starts_at=NOW + 2 * D, capacity=2)
    full = make_shift(session, make_task(session, fine), starts_at=NOW + 2 * D, capacity=1)
    make_signup(session, full)
    make_programme(session)  # another agency's

    s = home.home(session, me, NOW).staff
    assert s is not None and s.programmes == 2
    assert [r.programme.id for r in s.rows] == [programme.id]
    assert [t.id for t in s.rows[0].need_shifts] == [bare.id]
    assert [x.id for x in s.rows[0].understaffed] == [short.id]


def test_staff_see_the_first_tasks_and_soonest_shifts_over_all_their_programmes(
    session, monkeypatch
) -> None:
    """Each list is capped over all the programmes the person runs (not per programme, and not
    only the first programmes by name): the first tasks by title, the soonest shifts; the
    section says when there are more, and groups what it lists by programme name."""
    monkeypatch.setattr(home_roles, "MAX_TASKS", 2)
    monkeypatch.setattr(home_roles, "MAX_UNDERSTAFFED", 2)
    agency = make_org(session, OrgKind.AGENCY)
    me = make_member(session, agency, Role.STAFF)
    # Programmes named so that the last by name holds the soonest shift and the first task.
    zed, mid, abc = (make_programme(session, agency, name=n) for n in ("Zed", "Mid", "Abc"))
    needs = [make_task(session, p, title=t) for p, t in ((zed, "A1"), (mid, "B2"), (abc, "C3"))]
    soon = make_shift(session, make_task(session, zed), starts_at=NOW + H, capacity=2)
    later = make_shift(session, make_task(session, abc), starts_at=NOW + D, capacity=2)
    make_shift(session, make_task(session, mid), starts_at=NOW + 2 * D, capacity=2)

    s = home.home(session, me, NOW).staff
    assert s is not None and s.programmes == 3
    assert s.more_need_shifts and s.more_understaffed
    assert (s.need_shifts_listed, s.understaffed_listed) == (2, 2)
    assert [r.programme.name for r in s.rows] == ["Abc", "Mid", "Zed"]
    listed = {
        r.programme.name: ([t.id for t in r.need_shifts], [x.id for x in r.understaffed])
        for r in s.rows
    }
    assert listed == {
        "Abc": ([], [later.id]),
        "Mid": ([needs[1].id], []),
        "Zed": ([needs[0].id], [soon.id]),
    }

    monkeypatch.setattr(home_roles, "MAX_TASKS", 3)
    monkeypatch.setattr(home_roles, "MAX_UNDERSTAFFED", 3)
    s = home.home(session, me, NOW).staff
    assert s is not None and not s.more_need_shifts and not s.more_understaffed
    assert (s.need_shifts_listed, s.understaffed_listed) == (3, 3)


def test_staff_see_a_task_whose_kept_next_shift_has_started_when_none_is_left(session) -> None:
    """The section trusts a task's kept next shift only while it is still to come: a task
    whose kept one has started since (the job not yet run) is asked of its shifts."""
    from coprod.services import task_figures

    agency = make_org(session, OrgKind.AGENCY)
    me = make_member(session, agency, Role.STAFF)
    programme = make_programme(session, agency)
    started = make_task(session, programme, title="Started since")
    make_shift(session, started, starts_at=NOW - H)
    coming = make_task(session, programme, title="Still coming")
    make_shift(session, coming, starts_at=NOW + 3 * D)
    task_figures.refresh(session, [started.id, coming.id], NOW - 2 * H)  # kept two hours ago
    session.flush()
    assert started.next_shift_starts_at is not None  # kept, and stale now
    s = home.home(session, me, NOW).staff
    assert s is not None
    assert [t.id for r in s.rows for t in r.need_shifts] == [started.id]


def test_no_staff_section_for_people_who_run_no_programme(session) -> None:
    charity = make_org(session, OrgKind.NONPROFIT)
    assert home.home(session, make_member(session, charity, Role.ADMIN), NOW).staff is None
    unverified = make_org(session, OrgKind.AGENCY, verified=False)
    assert home.home(session, make_member(session, unverified, Role.STAFF), NOW).staff is None


# --- one place for "the shift still takes place", and bounded queries -----------------------


def test_every_shift_list_goes_through_live_shift(session, coord, monkeypatch) -> None:
    """When live_shift() refuses a shift (a cancelled one, once shifts can be cancelled),
    no section lists it."""
    me, _charity, programme, task = coord
    agency = programme.lead_organisation
    add_role(session, me, agency, Role.STAFF)
    make_signup(session, make_shift(session, task, starts_at=NOW + D, capacity=3), me)
    make_signup(session, make_shift(session, task, starts_at=NOW - 2 * D))
    before = home.home(session, me, NOW)
    assert before.volunteer.next_shifts and before.coordinator and before.coordinator.upcoming
    assert before.coordinator.awaiting and before.staff and before.staff.rows

    for section in (home_volunteer, home_roles):  # where the sections look it up
        monkeypatch.setattr(section, "live_shift", false)
    after = home.home(session, me, NOW)
    assert after.volunteer.next_shifts == []
    assert after.coordinator is not None
    assert after.coordinator.upcoming == [] and after.coordinator.awaiting == []
    assert after.staff is not None
    assert [t.id for t in after.staff.rows[0].need_shifts] == [task.id]  # no live shift left
    assert after.staff.rows[0].understaffed == []


def test_a_handful_of_queries_however_many_rows(session, count_queries) -> None:
    def build(n: int):
        agency = make_org(session, OrgKind.AGENCY)
        me = make_member(session, agency, Role.ADMIN)
        for _ in range(n):
            programme = make_programme(session, agency)
            task = make_task(session, programme, coordinating_organisation_id=agency.id)
            make_task(session, programme)
            make_signup(session, make_shift(session, task, starts_at=NOW + D, capacity=3), me)
            make_signup(session, make_shift(session, task, starts_at=NOW - 2 * D))
            make_log(session, task=task)
            make_log(session, user=me, task=task, status=LogStatus.APPROVED, on=NOW.date())
            make_log(session, user=me, task=task, status=LogStatus.CHANGES_REQUESTED)
        session.flush()
        session.expire_all()
        return me

    counts = []
    for n in (11, 22):  # both past every list's limit, so both count "and N more"
        me = build(n)
        count_queries.count = 0
        result = home.home(session, me, NOW)
        assert result.coordinator and result.reviewer and result.staff
        counts.append(count_queries.count)
    assert counts[0] == counts[1]
    # + agreements and decisions waiting for my organisation, partners behind (issue #18)
    # + the longest shift, read by the coordinator's and the staff's week (one index entry)
    # + the staff's understaffed shifts read light, then the shown ones whole
    assert counts[1] <= 26


def test_staff_and_coordinators_see_a_long_shift_under_way_that_started_days_ago(
    session, coord
) -> None:
    """A shift of several days that started before the week's window is not over: it is still
    listed (the start's lower bound is the longest shift, not a fixed length)."""
    me, _charity, programme, task = coord
    agency = programme.lead_organisation
    staff = make_member(session, agency, Role.STAFF)
    make_shift(session, task, starts_at=NOW - 20 * D, hours=2)  # long over
    camp = make_shift(session, task, starts_at=NOW - 10 * D, hours=11 * 24, capacity=4)

    s = home.home(session, staff, NOW).staff
    assert s is not None and [x.id for x in s.rows[0].understaffed] == [camp.id]
    c = home.home(session, me, NOW).coordinator
    assert c is not None and [x.id for x in c.upcoming] == [camp.id]


def test_staff_see_understaffed_shifts_up_to_the_seventh_local_day_of_each_programme(
    session,
) -> None:
    """The week ends at midnight after the 7th day in each programme's own zone, so a later
    instant in one zone can be in the week while an earlier one in another is not."""
    agency = make_org(session, OrgKind.AGENCY)
    me = make_member(session, agency, Role.STAFF)
    zones = {"la": "America/Los_Angeles", "akl": "Pacific/Auckland"}
    progs = {k: make_programme(session, agency, timezone=z) for k, z in zones.items()}
    tasks = {k: make_task(session, p) for k, p in progs.items()}

    def at(key: str, day: int, hour: int) -> datetime:
        tz = ZoneInfo(zones[key])
        today = NOW.astimezone(tz).date()
        return datetime.combine(today + timedelta(days=day), time(hour), tz).astimezone(UTC)

    la_last = make_shift(session, tasks["la"], starts_at=at("la", 7, 22), hours=1)
    akl_last = make_shift(session, tasks["akl"], starts_at=at("akl", 7, 22), hours=1)
    akl_after = make_shift(session, tasks["akl"], starts_at=at("akl", 8, 1), hours=1)
    assert akl_after.starts_at < la_last.starts_at  # earlier, yet past its own week

    s = home.home(session, me, NOW).staff
    assert s is not None
    shown = {r.programme.id: [x.id for x in r.understaffed] for r in s.rows}
    assert shown == {progs["la"].id: [la_last.id], progs["akl"].id: [akl_last.id]}
