"""Tasks that fit me: upcoming shifts with free places of open tasks the person may take,
qualified on the shift's day, free at that time, skill matches first, then soonest."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from coprod.models import OrgKind, SignupStatus, TaskSkill, TaskStatus, UserSkill
from coprod.services.capacity import matching, shift_day
from tests.factories import (
    make_award,
    make_org,
    make_programme,
    make_qualification,
    make_shift,
    make_signup,
    make_task,
    make_user,
)


def shifts_of(session, person, now, **kw):
    return [s.shift for s in matching.list_suggestions(session, person, now=now, **kw).items]


def test_open_upcoming_shifts_with_free_places_are_suggested_soonest_first(session, now):
    person = make_user(session)
    task = make_task(session)
    later = make_shift(session, task, starts_at=now + timedelta(days=9))
    sooner = make_shift(session, task, starts_at=now + timedelta(days=2))
    make_shift(session, task, starts_at=now - timedelta(days=1))  # over
    make_shift(session, task, starts_at=now + timedelta(days=3), capacity=1, confirmed=1)  # full
    make_shift(session, task, starts_at=now + timedelta(days=4), cancelled_at=now)
    draft = make_task(session, status=TaskStatus.DRAFT)
    make_shift(session, draft)
    closed = make_task(session, status=TaskStatus.CLOSED)
    make_shift(session, closed)
    assert shifts_of(session, person, now) == [sooner, later]


def test_a_shift_needing_a_qualification_fits_only_who_holds_it_on_the_shifts_day(session, now):
    task = make_task(session)
    q = make_qualification(session, required_by=task)
    early = make_shift(session, task, starts_at=now + timedelta(days=5))
    late = make_shift(session, task, starts_at=now + timedelta(days=20))
    holder, lacking, revoked = make_user(session), make_user(session), make_user(session)
    # Valid until (not on) the later shift's day.
    make_award(session, holder, q, expires_on=shift_day(late))
    make_award(session, revoked, q, revoked_at=now)
    assert shifts_of(session, holder, now) == [early]
    assert shifts_of(session, lacking, now) == []
    assert shifts_of(session, revoked, now) == []


def test_the_shifts_day_is_its_local_day(session, now):
    """A shift at 23:30 in Los Angeles on the 20th is on the 20th there (the 21st in UTC): an
    award expiring on the 21st still covers it; one expiring on the 20th does not."""
    agency = make_org(session, OrgKind.AGENCY, timezone="America/Los_Angeles")
    task = make_task(session, make_programme(session, agency))
    q = make_qualification(session, required_by=task)
    shift = make_shift(session, task, starts_at=datetime(2026, 6, 21, 6, 30, tzinfo=UTC))
    assert shift_day(shift).day == 20
    covered, expired = make_user(session), make_user(session)
    make_award(session, covered, q, expires_on=datetime(2026, 6, 21).date())
    make_award(session, expired, q, expires_on=datetime(2026, 6, 20).date())
    assert shifts_of(session, covered, now) == [shift]
    assert shifts_of(session, expired, now) == []


def test_every_required_qualification_is_needed(session, now):
    task = make_task(session)
    a = make_qualification(session, required_by=task)
    b = make_qualification(session, required_by=task)
    shift = make_shift(session, task)
    one, both = make_user(session), make_user(session)
    make_award(session, one, a)
    make_award(session, both, a)
    make_award(session, both, b)
    assert shifts_of(session, one, now) == []
    assert shifts_of(session, both, now) == [shift]


def test_shifts_overlapping_a_place_or_already_taken_are_not_suggested(session, now):
    person = make_user(session)
    task = make_task(session)
    mine = make_shift(session, task, starts_at=now + timedelta(days=2))
    make_signup(session, mine, person, status=SignupStatus.WAITLISTED)
    make_shift(session, make_task(session), starts_at=mine.starts_at + timedelta(hours=1))
    left = make_shift(session, task, starts_at=now + timedelta(days=3))
    make_signup(session, left, person, status=SignupStatus.CANCELLED)
    free = make_shift(session, task, starts_at=now + timedelta(days=4))
    assert shifts_of(session, person, now) == [left, free]


def test_tasks_matching_the_persons_skills_come_first(session, now):
    person = make_user(session)
    plain = make_shift(session, make_task(session), starts_at=now + timedelta(days=1))
    cooking_task = make_task(session)
    cooking = make_shift(session, cooking_task, starts_at=now + timedelta(days=8))
    session.add_all(
        [
            TaskSkill(task_id=cooking_task.id, tag="cooking"),
            TaskSkill(task_id=cooking_task.id, tag="lifting"),
            UserSkill(user_id=person.id, tag="cooking"),
        ]
    )
    session.flush()
    page = matching.list_suggestions(session, person, now=now)
    assert [s.shift for s in page.items] == [cooking, plain]
    assert page.items[0].skills == ["cooking"]
    assert page.items[1].skills == []


def test_suggestions_are_read_by_window_across_the_skill_matches_and_the_rest(session, now):
    """Windows follow the list's order (skill matches first, then the soonest) forwards and
    backwards through the cursors, across the point where the matches end, without a count."""
    person = make_user(session)
    cooking_task, plain_task = make_task(session), make_task(session)
    session.add_all(
        [
            TaskSkill(task_id=cooking_task.id, tag="cooking"),
            UserSkill(user_id=person.id, tag="cooking"),
        ]
    )
    matched = [make_shift(session, cooking_task, starts_at=now + timedelta(days=d)) for d in (5, 9)]
    plain = [make_shift(session, plain_task, starts_at=now + timedelta(days=d)) for d in (1, 2, 3)]
    session.flush()
    everything = matched + plain
    assert shifts_of(session, person, now) == everything

    seen, after, windows = [], None, []
    while True:
        window = matching.list_suggestions(session, person, now=now, after=after, per_page=2)
        windows.append(window)
        seen += [s.shift for s in window.items]
        if window.next is None:
            break
        after = window.next
    assert seen == everything and [len(w.items) for w in windows] == [2, 2, 1]
    assert windows[0].first and windows[0].prev is None and not windows[1].first
    back = matching.list_suggestions(session, person, now=now, before=windows[2].prev, per_page=2)
    assert [s.shift for s in back.items] == everything[2:4] and back.next == windows[1].next
    start = matching.list_suggestions(session, person, now=now, before=back.prev, per_page=2)
    assert [s.shift for s in start.items] == everything[:2] and start.first and start.prev is None


def test_a_person_without_skills_walks_the_soonest_shifts(session, now):
    person = make_user(session)
    task = make_task(session)
    shifts = [make_shift(session, task, starts_at=now + timedelta(days=d)) for d in (3, 1, 2)]
    first = matching.list_suggestions(session, person, now=now, per_page=2)
    assert [s.shift for s in first.items] == [shifts[1], shifts[2]] and first.next
    rest = matching.list_suggestions(session, person, now=now, after=first.next, per_page=2)
    assert [s.shift for s in rest.items] == [shifts[0]] and rest.next is None


def test_a_cursor_that_does_not_fit_the_list_is_a_field_error(session, now):
    from coprod.errors import Invalid
    from coprod.services import keyset

    person = make_user(session)
    made_up = keyset.encode((7, now, 1))  # no segment 7
    for bad in ("nonsense", made_up):
        try:
            matching.list_suggestions(session, person, now=now, after=bad)
        except Invalid as err:
            assert list(err.errors) == ["after"]
        else:
            raise AssertionError(f"{bad} accepted")


def test_the_statements_do_not_grow_with_shifts_or_awards(session, now, count_queries):
    person = make_user(session)
    counts = []
    for _round in range(2):
        for _ in range(4):
            task = make_task(session)
            q = make_qualification(session, required_by=task)
            make_award(session, person, q)
            make_shift(session, task, starts_at=now + timedelta(days=3))
            session.add(TaskSkill(task_id=task.id, tag="cooking"))
        session.add(UserSkill(user_id=person.id, tag=f"skill {_round}"))
        session.flush()
        session.expire_all()
        count_queries.count = 0
        page = matching.list_suggestions(session, person, now=now, per_page=3)
        assert page.items
        counts.append(count_queries.count)
    # the person and their memberships (after expire_all), their skills, awards by zone, the
    # skill matches' walk (the rest's only when the window is not full), the matched skills
    assert counts[0] == counts[1] <= 7


def _home(session, person, now):
    shown, more = matching.home_suggestions(session, person, now=now)
    return [(s.shift, s.skills) for s in shown], more


def _full(session, person, now):
    return [(s.shift, s.skills) for s in matching.list_suggestions(session, person, now=now).items]


def test_the_home_page_shows_the_first_suggestions_of_the_full_list_in_its_order(session, now):
    """The home page reads its few suggestions its own way (matches, then the rest, each in
    start order); they are the full list's first ones, for a person with skills that some tasks
    ask for, one whose skills none asks for, and one without skills."""
    matched_task, other_task, other_tag_task = (make_task(session) for _ in range(3))
    session.add_all(
        [
            TaskSkill(task_id=matched_task.id, tag="cooking"),
            TaskSkill(task_id=other_tag_task.id, tag="lifting"),
        ]
    )
    # Interleaved in time: a later matching shift must still come before sooner others.
    for day in (1, 2, 3, 4, 5):
        make_shift(session, other_task, starts_at=now + timedelta(days=day, hours=1))
        make_shift(session, other_tag_task, starts_at=now + timedelta(days=day, hours=2))
    for day in (4, 6):
        make_shift(session, matched_task, starts_at=now + timedelta(days=day))
    cook, painter, plain = make_user(session), make_user(session), make_user(session)
    session.add_all(
        [UserSkill(user_id=cook.id, tag="cooking"), UserSkill(user_id=painter.id, tag="painting")]
    )
    session.flush()
    for person in (cook, painter, plain):
        full = _full(session, person, now)
        shown, more = _home(session, person, now)
        assert shown == full[: matching.HOME_ITEMS]
        assert more is (len(full) > matching.HOME_ITEMS)
    assert [s for s, _ in _home(session, cook, now)[0][:2]] == [
        s for s, _ in _full(session, cook, now)[:2]
    ]
    assert _home(session, cook, now)[0][0][1] == ["cooking"]  # matched first, with its skill


def test_the_home_page_says_when_no_more_suggestions_fit(session, now):
    person = make_user(session)
    task = make_task(session)
    session.add(TaskSkill(task_id=task.id, tag="cooking"))
    session.add(UserSkill(user_id=person.id, tag="cooking"))
    shifts = [
        make_shift(session, task, starts_at=now + timedelta(days=d))
        for d in range(1, matching.HOME_ITEMS + 1)
    ]
    session.flush()
    shown, more = matching.home_suggestions(session, person, now=now)
    assert [s.shift for s in shown] == shifts and more is False
    make_shift(session, make_task(session), starts_at=now + timedelta(days=30))
    shown, more = matching.home_suggestions(session, person, now=now)
    assert [s.shift for s in shown] == shifts and more is True
