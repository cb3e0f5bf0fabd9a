"""The roster on the day: mark all attended, attendance of a list, the export's lines, the CSV,
the members to pick from when assigning."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.models import AuditEntry, Role, SignupStatus
from coprod.services import signups
from coprod.services.signups import roster as roster_module
from tests.factories import (
    ShiftWorld,
    add_role,
    make_member,
    make_shift,
    make_signup,
    make_user,
)

C, W, A, N, X = (
    SignupStatus.CONFIRMED,
    SignupStatus.WAITLISTED,
    SignupStatus.ATTENDED,
    SignupStatus.NO_SHOW,
    SignupStatus.CANCELLED,
)


@pytest.fixture
def w(session) -> ShiftWorld:
    return ShiftWorld(session, capacity=6)


def started(w: ShiftWorld):
    return w.shift.starts_at + timedelta(minutes=30)


def statuses(session, *rows) -> list[SignupStatus]:
    session.expire_all()
    return [session.get(type(r), r.id).status for r in rows]


def attendance_audits(session) -> int:
    return session.scalar(
        select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "signup.attendance")
    )


# --- mark all attended --------------------------------------------------------------------


def test_mark_all_marks_only_confirmed_sign_ups(session, w) -> None:
    confirmed = [make_signup(session, w.shift, make_user(session)) for _ in range(2)]
    waiting = make_signup(session, w.shift, make_user(session), status=W)
    absent = make_signup(session, w.shift, make_user(session), status=N)
    gone = make_signup(session, w.shift, make_user(session), status=X)
    marked = signups.mark_all_attended(session, w.coordinator, w.shift, started(w))
    assert {s.id for s in marked} == {s.id for s in confirmed}
    assert statuses(session, *confirmed, waiting, absent, gone) == [A, A, W, N, X]


def test_mark_all_before_the_shift_starts_is_refused_and_changes_nothing(session, w) -> None:
    one = make_signup(session, w.shift, w.volunteer)
    with pytest.raises(Conflict, match="once the shift has started"):
        signups.mark_all_attended(session, w.coordinator, w.shift, w.shift.starts_at - timedelta(1))
    assert statuses(session, one) == [C]


def test_mark_all_run_twice_changes_nothing_the_second_time(session, w) -> None:
    make_signup(session, w.shift, w.volunteer)
    make_signup(session, w.shift, w.other_volunteer)
    assert len(signups.mark_all_attended(session, w.lead_staff, w.shift, started(w))) == 2
    audits = attendance_audits(session)
    assert signups.mark_all_attended(session, w.lead_staff, w.shift, started(w)) == []
    assert attendance_audits(session) == audits
    assert signups.count_unmarked(session, w.shift) == 0


@pytest.mark.parametrize(
    ("who", "error"),
    [("volunteer", NotAllowed), ("other_coordinator", NotAllowed), ("member", NotAllowed)],
)
def test_only_the_roster_keepers_may_mark_all(session, w, who, error) -> None:
    one = make_signup(session, w.shift, w.volunteer)
    actor = {
        "volunteer": w.volunteer,
        "other_coordinator": w.other_coordinator,
        "member": make_member(session, w.nonprofit, Role.MEMBER),
    }[who]
    with pytest.raises(error):
        signups.mark_all_attended(session, actor, w.shift, started(w))
    assert statuses(session, one) == [C]


def test_mark_all_on_a_draft_task_is_not_found_for_outsiders(session) -> None:
    from coprod.models import TaskStatus

    w = ShiftWorld(session, status=TaskStatus.DRAFT)
    with pytest.raises(NotFound):
        signups.mark_all_attended(session, w.other_coordinator, w.shift, started(w))


def test_every_mark_goes_through_mark_attendance(session, w, monkeypatch) -> None:
    """Marking one person does more than set a status (an audit entry, their contribution
    log): every path must call it."""
    rows = [make_signup(session, w.shift, make_user(session)) for _ in range(3)]
    calls: list[tuple[int, bool]] = []
    real = roster_module.mark_attendance

    def spy(session, actor, signup, attended, now):
        calls.append((signup.id, attended))
        return real(session, actor, signup, attended, now)

    monkeypatch.setattr(roster_module, "mark_attendance", spy)
    signups.mark_attendance_of(
        session, w.coordinator, w.shift, [(rows[0].id, False)], started(w), others_attended=True
    )
    assert calls == [(rows[0].id, False), (rows[1].id, True), (rows[2].id, True)]
    assert attendance_audits(session) == 3


# --- a list of marks ----------------------------------------------------------------------


def test_a_list_marks_each_and_may_correct_a_mark(session, w) -> None:
    one = make_signup(session, w.shift, w.volunteer)
    two = make_signup(session, w.shift, w.other_volunteer, status=A)
    signups.mark_attendance_of(
        session, w.coordinator, w.shift, [(one.id, True), (two.id, False)], started(w)
    )
    assert statuses(session, one, two) == [A, N]


def test_a_list_with_a_sign_up_of_another_shift_is_refused_before_any_change(session, w) -> None:
    one = make_signup(session, w.shift, w.volunteer)
    elsewhere = make_signup(session, make_shift(session, w.task), w.other_volunteer)
    with pytest.raises(Invalid, match="No such sign-up on this shift") as err:
        signups.mark_attendance_of(
            session, w.coordinator, w.shift, [(one.id, True), (elsewhere.id, True)], started(w)
        )
    assert "signups" in err.value.errors
    assert statuses(session, one, elsewhere) == [C, C]


def test_a_list_naming_a_sign_up_twice_is_refused(session, w) -> None:
    one = make_signup(session, w.shift, w.volunteer)
    with pytest.raises(Invalid, match="given twice"):
        signups.mark_attendance_of(
            session, w.coordinator, w.shift, [(one.id, True), (one.id, False)], started(w)
        )
    assert statuses(session, one) == [C]


# --- the export's lines and the CSV ---------------------------------------------------------


def test_roster_lines_share_contacts_only_with_the_keepers(session, w) -> None:
    w.volunteer.phone = "+44 7700 900111"
    make_signup(session, w.shift, w.volunteer)
    lines = signups.list_roster_lines(session, w.coordinator, w.shift, started(w))
    assert [(x.email, x.phone, x.place, x.attendance) for x in lines] == [
        (w.volunteer.email, "+44 7700 900111", "Confirmed", "Not marked")
    ]
    with pytest.raises(NotAllowed):
        signups.list_roster_lines(session, w.volunteer, w.shift, started(w))
    # The contacts themselves: nobody but a keeper gets any, whatever they are given.
    assert signups.roster_contacts(session, w.volunteer, w.shift, lines[0:0] or []) == set()
    rows = signups.get_roster(session, w.coordinator, w.shift).items
    assert signups.roster_contacts(session, w.volunteer, w.shift, rows) == set()
    assert signups.roster_contacts(session, None, w.shift, rows) == set()
    assert signups.roster_contacts(session, w.lead_staff, w.shift, rows) == {rows[0].id}


def test_a_roster_line_hides_the_contact_of_someone_assigned_who_may_not_be(session, w) -> None:
    harvested = make_user(session, phone="+44 7700 900222")
    make_signup(session, w.shift, harvested, assigned_by_id=w.coordinator.id)
    (line,) = signups.list_roster_lines(session, w.coordinator, w.shift, started(w))
    assert line.name == harvested.display_name and line.email is None and line.phone is None


@pytest.mark.parametrize(
    ("raw", "cell"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("+44 7700", "'+44 7700"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Ann", "Ann"),
        (None, ""),
    ],
)
def test_spreadsheet_cells_never_start_a_formula(raw, cell) -> None:
    assert signups.spreadsheet_cell(raw) == cell


def test_roster_csv_has_a_header_and_one_quoted_row_a_person(session, w) -> None:
    person = make_user(session, display_name='=cmd|"/c calc"!A1, "Ann"', phone="+44 1")
    make_signup(session, w.shift, person)
    make_signup(session, w.shift, make_user(session), status=W)
    text = signups.roster_csv(
        signups.list_roster_lines(session, w.coordinator, w.shift, started(w))
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Name", "Email", "Phone", "Status", "Attendance"]
    assert rows[1] == ["'" + person.display_name, person.email, "'+44 1", "Confirmed", "Not marked"]
    assert rows[2][3:] == ["Waitlisted", ""]


def test_the_file_name_holds_the_task_and_the_local_date(session, w) -> None:
    w.task.title = "Café clean-up: Riverside / North!"
    name = signups.roster_file_name(w.shift)
    assert name.startswith("roster-cafe-clean-up-riverside-north-")
    assert name.endswith(w.shift.starts_at.date().isoformat())  # UTC and London agree here


# --- members to pick ------------------------------------------------------------------------


def test_members_to_pick_are_the_coordinating_organisations_with_reasons(session, w) -> None:
    free = make_member(session, w.nonprofit, Role.MEMBER, display_name="Ann Free")
    on_shift = make_member(session, w.nonprofit, Role.MEMBER, display_name="Bob Booked")
    make_signup(session, w.shift, on_shift)
    busy = make_member(session, w.nonprofit, Role.MEMBER, display_name="Cat Busy")
    other = make_shift(session, make_shift(session).task, starts_at=w.shift.starts_at)
    make_signup(session, other, busy)
    new = make_member(session, w.nonprofit, Role.MEMBER, display_name="Dan New")
    new.email_confirmed_at = None
    make_user(session, display_name="Eve Outsider")  # not a member: never listed
    listed, more = signups.list_members_to_assign(session, w.coordinator, w.shift, "")
    reasons = {c.user.display_name: c.reason for c in listed}
    assert not more
    assert reasons["Ann Free"] is None
    assert reasons["Bob Booked"] == "Already on this shift"
    assert reasons["Cat Busy"] == "Has another shift at this time"
    assert reasons["Dan New"] == "Email address not confirmed yet"
    assert "Eve Outsider" not in reasons
    assert reasons[w.coordinator.display_name] is None  # a coordinator is a member too
    # The reasons are the rules assigning applies.
    for person in (on_shift, busy, new):
        with pytest.raises((Conflict, Invalid)):
            signups.assign_member(
                session, w.coordinator, w.shift, person.id, w.shift.starts_at - timedelta(days=1)
            )
    signups.assign_member(
        session, w.coordinator, w.shift, free.id, w.shift.starts_at - timedelta(days=1)
    )


def test_members_to_pick_are_filtered_by_name_or_email(session, w) -> None:
    make_member(session, w.nonprofit, Role.MEMBER, display_name="Zoë Quill")
    mail = make_member(session, w.nonprofit, Role.MEMBER, email="qx-mail@example.org")
    names = lambda q: [  # noqa: E731
        c.user.id for c in signups.list_members_to_assign(session, w.coordinator, w.shift, q)[0]
    ]
    assert len(names("zoË q")) == 1
    assert names("QX-MAIL") == [mail.id]
    assert names("100%_") == []


def test_members_to_pick_say_when_more_match_than_are_listed(session, w, monkeypatch) -> None:
    monkeypatch.setattr(roster_module, "MAX_PICK", 2)
    for _ in range(2):
        make_member(session, w.nonprofit, Role.MEMBER)
    listed, more = signups.list_members_to_assign(session, w.coordinator, w.shift, None)
    assert len(listed) == 2 and more


def test_only_those_who_may_assign_see_the_members_to_pick(session, w) -> None:
    member = add_role(session, make_user(session), w.nonprofit, Role.MEMBER)
    for actor in (member, w.volunteer, w.other_coordinator):
        with pytest.raises(NotAllowed):
            signups.list_members_to_assign(session, actor, w.shift, "")


def test_a_search_with_a_control_character_is_a_field_message(session, w) -> None:
    with pytest.raises(Invalid) as err:
        signups.list_members_to_assign(session, w.coordinator, w.shift, "a\x00b")
    assert "q" in err.value.errors


def test_assigning_without_a_pick_is_a_field_message(session, w) -> None:
    with pytest.raises(Invalid) as err:
        signups.assign_member(session, w.coordinator, w.shift, None, w.shift.starts_at)
    assert "user_id" in err.value.errors
