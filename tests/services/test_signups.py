from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select, update

from coprod.errors import Conflict, Invalid, NotAllowed, NotFound
from coprod.models import (
    AuditEntry,
    Membership,
    OutboxMessage,
    Role,
    Shift,
    Signup,
    SignupStatus,
    TaskStatus,
)
from coprod.services import signups
from tests.factories import (
    ShiftWorld,
    add_role,
    make_past_volunteer,
    make_shift,
    make_signup,
    make_task,
    make_user,
)

C, W, X = SignupStatus.CONFIRMED, SignupStatus.WAITLISTED, SignupStatus.CANCELLED


@pytest.fixture
def w(session) -> ShiftWorld:
    return ShiftWorld(session)


@pytest.fixture
def known(session, w) -> ShiftWorld:
    """w, whose volunteer has signed up to the programme before (so may be assigned)."""
    make_past_volunteer(session, w.programme, w.volunteer)
    return w


def seats(session, shift: Shift) -> int:
    session.expire(shift)
    return session.get(Shift, shift.id).confirmed


# --- sign up ------------------------------------------------------------------------------


def test_sign_up_confirms_and_takes_a_seat_while_places_are_free(session, w, now) -> None:
    signup = signups.sign_up(session, w.volunteer, w.shift, now)
    assert signup.status == C
    assert signup.queued_at == now
    assert seats(session, w.shift) == 1


def test_sign_up_joins_the_waitlist_when_the_shift_is_full(session, w, now) -> None:
    signups.sign_up(session, w.volunteer, w.shift, now)
    signups.sign_up(session, w.other_volunteer, w.shift, now)
    third = signups.sign_up(session, make_user(session), w.shift, now)
    assert third.status == W
    assert seats(session, w.shift) == 2
    assert signups.waitlist_position(session, third) == 1


def test_a_second_sign_up_for_the_same_shift_is_refused(session, w, now) -> None:
    signups.sign_up(session, w.volunteer, w.shift, now)
    with pytest.raises(Conflict, match="already signed up for this shift"):
        signups.sign_up(session, w.volunteer, w.shift, now)
    assert seats(session, w.shift) == 1


def test_a_waitlisted_person_cannot_sign_up_again(session, now) -> None:
    w = ShiftWorld(session, capacity=1)
    signups.sign_up(session, w.other_volunteer, w.shift, now)
    signups.sign_up(session, w.volunteer, w.shift, now)
    with pytest.raises(Conflict, match="already signed up"):
        signups.sign_up(session, w.volunteer, w.shift, now)


def test_an_overlapping_sign_up_is_refused_naming_the_other_shift(session, w, now) -> None:
    other_task = make_task(session, title="Food bank sorting")
    other = make_shift(session, other_task, starts_at=w.shift.starts_at + timedelta(hours=2))
    signups.sign_up(session, w.volunteer, other, now)
    with pytest.raises(Conflict) as err:
        signups.sign_up(session, w.volunteer, w.shift, now)
    assert "Food bank sorting" in err.value.message
    assert "Sat 20 Jun 2026, 13:00\u201316:00 BST" in err.value.message  # London time
    assert seats(session, w.shift) == 0


def test_back_to_back_shifts_do_not_overlap(session, w, now) -> None:
    after = make_shift(session, w.task, starts_at=w.shift.ends_at)
    signups.sign_up(session, w.volunteer, w.shift, now)
    assert signups.sign_up(session, w.volunteer, after, now).status == C


def test_a_cancelled_sign_up_does_not_block_an_overlapping_shift(session, w, now) -> None:
    other = make_shift(session, starts_at=w.shift.starts_at)
    make_signup(session, other, w.volunteer, status=X)
    assert signups.sign_up(session, w.volunteer, w.shift, now).status == C


def test_sign_up_after_the_shift_started_is_refused(session, w, now) -> None:
    with pytest.raises(Conflict, match="already started"):
        signups.sign_up(session, w.volunteer, w.shift, w.shift.starts_at)
    assert seats(session, w.shift) == 0


def test_sign_up_for_a_closed_task_is_refused(session, now) -> None:
    w = ShiftWorld(session, status=TaskStatus.CLOSED)
    with pytest.raises(NotAllowed):
        signups.sign_up(session, w.volunteer, w.shift, now)


def test_sign_up_for_a_draft_task_looks_like_it_does_not_exist(session, now) -> None:
    w = ShiftWorld(session, status=TaskStatus.DRAFT)
    with pytest.raises(NotFound):
        signups.sign_up(session, w.volunteer, w.shift, now)


def test_rejoining_after_cancelling_reuses_the_row_with_a_new_queue_time(session, w, now) -> None:
    first = signups.sign_up(session, w.volunteer, w.shift, now)
    signups.cancel(session, w.volunteer, first, now)
    later = now + timedelta(hours=1)
    again = signups.sign_up(session, w.volunteer, w.shift, later)
    assert again.id == first.id
    assert again.status == C
    assert again.queued_at == later
    assert seats(session, w.shift) == 1
    rows = session.scalars(select(Signup).where(Signup.shift_id == w.shift.id)).all()
    assert len(rows) == 1


def test_sign_up_is_audited(session, w, now) -> None:
    signup = signups.sign_up(session, w.volunteer, w.shift, now)
    entry = session.scalar(
        select(AuditEntry).where(
            AuditEntry.object_type == "Signup", AuditEntry.object_id == signup.id
        )
    )
    assert entry is not None
    assert entry.action == "signup.created"
    assert entry.actor_id == w.volunteer.id
    assert entry.after["status"] == "confirmed"


# --- cancel -------------------------------------------------------------------------------


def test_cancelling_a_confirmed_sign_up_promotes_the_oldest_waitlisted(session, now) -> None:
    w = ShiftWorld(session, capacity=1)
    seated = signups.sign_up(session, w.volunteer, w.shift, now)
    newer = signups.sign_up(session, make_user(session), w.shift, now + timedelta(minutes=5))
    older = signups.sign_up(session, make_user(session), w.shift, now + timedelta(minutes=1))
    signups.cancel(session, w.volunteer, seated, now)
    assert seated.status == X
    session.refresh(older)
    session.refresh(newer)
    assert older.status == C
    assert newer.status == W
    assert seats(session, w.shift) == 1


def test_promotion_breaks_queue_time_ties_by_id(session, now) -> None:
    w = ShiftWorld(session, capacity=1)
    seated = signups.sign_up(session, w.volunteer, w.shift, now)
    first = signups.sign_up(session, make_user(session), w.shift, now)
    second = signups.sign_up(session, make_user(session), w.shift, now)
    signups.cancel(session, w.coordinator, seated, now)
    session.refresh(first)
    session.refresh(second)
    assert (first.status, second.status) == (C, W)


def test_cancelling_with_nobody_waiting_frees_the_seat(session, w, now) -> None:
    signup = signups.sign_up(session, w.volunteer, w.shift, now)
    signups.cancel(session, w.volunteer, signup, now)
    assert seats(session, w.shift) == 0


def test_cancelling_a_waitlisted_sign_up_just_leaves_the_waitlist(session, now) -> None:
    w = ShiftWorld(session, capacity=1)
    seated = signups.sign_up(session, w.other_volunteer, w.shift, now)
    waiting = signups.sign_up(session, w.volunteer, w.shift, now)
    behind = signups.sign_up(session, make_user(session), w.shift, now)
    signups.cancel(session, w.volunteer, waiting, now)
    assert waiting.status == X
    session.refresh(seated)
    session.refresh(behind)
    assert (seated.status, behind.status) == (C, W)
    assert seats(session, w.shift) == 1


def test_cancel_after_the_shift_started_is_refused(session, w, now) -> None:
    signup = signups.sign_up(session, w.volunteer, w.shift, now)
    with pytest.raises(Conflict, match="already started"):
        signups.cancel(session, w.volunteer, signup, w.shift.starts_at + timedelta(minutes=1))
    assert signup.status == C


def test_cancelling_twice_is_refused(session, w, now) -> None:
    signup = signups.sign_up(session, w.volunteer, w.shift, now)
    signups.cancel(session, w.volunteer, signup, now)
    with pytest.raises(Conflict, match="already cancelled"):
        signups.cancel(session, w.volunteer, signup, now)
    assert seats(session, w.shift) == 0


def test_cancel_decides_on_the_row_as_stored_not_as_loaded(session, w, now) -> None:
    """Someone else cancelled the place after this request loaded it: the second cancel is a
    Conflict and frees no second seat (the row is re-read under its lock)."""
    signup = signups.sign_up(session, w.volunteer, w.shift, now)
    session.execute(  # another transaction's cancel, unseen by the loaded object
        update(Signup)
        .where(Signup.id == signup.id)
        .values(status=SignupStatus.CANCELLED)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(Shift)
        .where(Shift.id == w.shift.id)
        .values(confirmed=0)
        .execution_options(synchronize_session=False)
    )
    assert signup.status == C  # stale
    waiting = signups.sign_up(session, w.other_volunteer, w.shift, now)
    with pytest.raises(Conflict, match="already cancelled"):
        signups.cancel(session, w.coordinator, signup, now)
    assert seats(session, w.shift) == 1
    assert waiting.status == C


def test_another_volunteer_cannot_cancel_a_sign_up(session, w, now) -> None:
    signup = signups.sign_up(session, w.volunteer, w.shift, now)
    with pytest.raises(NotFound):
        signups.cancel(session, w.other_volunteer, signup, now)
    with pytest.raises(NotFound):
        signups.cancel(session, w.other_coordinator, signup, now)
    assert signup.status == C


def test_the_tasks_coordinator_and_lead_staff_may_cancel_for_a_volunteer(session, w, now) -> None:
    one = signups.sign_up(session, w.volunteer, w.shift, now)
    two = signups.sign_up(session, w.other_volunteer, w.shift, now)
    signups.cancel(session, w.coordinator, one, now)
    signups.cancel(session, w.lead_staff, two, now)
    assert (one.status, two.status) == (X, X)


def test_cancel_and_promotion_are_audited(session, now) -> None:
    w = ShiftWorld(session, capacity=1)
    seated = signups.sign_up(session, w.volunteer, w.shift, now)
    waiting = signups.sign_up(session, w.other_volunteer, w.shift, now)
    signups.cancel(session, w.volunteer, seated, now)
    actions = session.scalars(
        select(AuditEntry.action).where(
            AuditEntry.object_type == "Signup", AuditEntry.object_id.in_([seated.id, waiting.id])
        )
    ).all()
    assert "signup.cancelled" in actions
    assert "signup.promoted" in actions


# --- assign -------------------------------------------------------------------------------


def test_a_coordinator_assigns_a_volunteer_and_is_recorded(session, known, now) -> None:
    signup = signups.assign(session, known.coordinator, known.shift, known.volunteer, now)
    assert signup.status == C
    assert signup.user_id == known.volunteer.id
    assert signup.assigned_by_id == known.coordinator.id
    assert seats(session, known.shift) == 1


def test_lead_staff_may_assign(session, known, now) -> None:
    assert signups.assign(session, known.lead_staff, known.shift, known.volunteer, now).status == C


def test_assigning_to_a_full_shift_waitlists(session, now) -> None:
    w = ShiftWorld(session, capacity=1)
    make_past_volunteer(session, w.programme, w.volunteer)
    signups.sign_up(session, w.other_volunteer, w.shift, now)
    assert signups.assign(session, w.coordinator, w.shift, w.volunteer, now).status == W
    assert seats(session, w.shift) == 1


def test_assigning_someone_already_signed_up_is_refused(session, known, now) -> None:
    signups.sign_up(session, known.volunteer, known.shift, now)
    with pytest.raises(Conflict, match=f"{known.volunteer.display_name} is already signed up"):
        signups.assign(session, known.coordinator, known.shift, known.volunteer, now)


def test_assigning_an_overlapping_shift_is_refused_naming_it(session, known, now) -> None:
    other = make_shift(
        session, make_task(session, title="Park clean-up"), starts_at=known.shift.starts_at
    )
    signups.sign_up(session, known.volunteer, other, now)
    with pytest.raises(Conflict, match="Park clean-up"):
        signups.assign(session, known.coordinator, known.shift, known.volunteer, now)


def test_assigning_after_the_start_is_refused(session, known, now) -> None:
    with pytest.raises(Conflict, match="already started"):
        signups.assign(
            session, known.coordinator, known.shift, known.volunteer, known.shift.starts_at
        )


def test_only_the_coordinating_org_and_lead_staff_may_assign(session, known, now) -> None:
    with pytest.raises(NotAllowed):
        signups.assign(session, known.other_coordinator, known.shift, known.volunteer, now)
    with pytest.raises(NotAllowed):
        signups.assign(session, known.other_volunteer, known.shift, known.volunteer, now)
    assert seats(session, known.shift) == 0


def test_assign_by_email_finds_the_account_case_insensitively(session, known, now) -> None:
    signup = signups.assign_by_email(
        session, known.coordinator, known.shift, known.volunteer.email.upper(), now
    )
    assert signup.user_id == known.volunteer.id


@pytest.mark.parametrize("email", ["", "not an email", "nobody@example.org"])
def test_assign_by_email_explains_a_wrong_address_beside_the_field(
    session, known, now, email
) -> None:
    with pytest.raises(Invalid) as err:
        signups.assign_by_email(session, known.coordinator, known.shift, email, now)
    assert "email" in err.value.errors


def test_assign_by_email_checks_permission_before_looking_anyone_up(session, known, now) -> None:
    with pytest.raises(NotAllowed):
        signups.assign_by_email(
            session, known.other_volunteer, known.shift, "nobody@example.org", now
        )


def _outbox_to(session, user) -> int:
    return session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.recipient == user.email)
    )


def test_a_stranger_cannot_be_assigned_and_the_refusal_is_that_of_nobody(session, w, now) -> None:
    stranger = make_user(session)
    with pytest.raises(Invalid) as by_id:
        signups.assign_by_id(session, w.coordinator, w.shift, stranger.id, now)
    with pytest.raises(Invalid) as nobody_id:
        signups.assign_by_id(session, w.coordinator, w.shift, 10**9, now)
    assert by_id.value.errors == nobody_id.value.errors
    assert list(by_id.value.errors) == ["user_id"]
    with pytest.raises(Invalid) as by_email:
        signups.assign_by_email(session, w.lead_staff, w.shift, stranger.email, now)
    with pytest.raises(Invalid) as nobody_email:
        signups.assign_by_email(session, w.lead_staff, w.shift, "nobody@example.org", now)
    assert by_email.value.errors == nobody_email.value.errors
    assert seats(session, w.shift) == 0
    assert _outbox_to(session, stranger) == 0
    assert session.scalar(select(func.count()).where(Signup.user_id == stranger.id)) == 0


def test_a_closed_account_of_a_stranger_is_answered_as_nobody(session, w, now) -> None:
    closed = make_user(session, is_active=False)
    with pytest.raises(Invalid) as err:
        signups.assign_by_id(session, w.coordinator, w.shift, closed.id, now)
    assert "closed" not in err.value.message


def test_members_of_the_coordinating_org_may_be_assigned(session, w, now) -> None:
    member = add_role(session, make_user(session), w.nonprofit, Role.MEMBER)
    assert signups.assign_by_id(session, w.coordinator, w.shift, member.id, now).status == C


def test_only_a_sign_up_of_their_own_to_the_programme_makes_someone_assignable(
    session, w, now
) -> None:
    elsewhere = make_past_volunteer(session, make_task(session).programme, w.volunteer)
    assert elsewhere.user_id == w.volunteer.id
    assert not signups.is_assignable(session, w.shift, w.volunteer.id)  # another programme
    member = add_role(session, make_user(session), w.nonprofit, Role.MEMBER)
    signups.assign(session, w.coordinator, make_shift(session, w.task), member, now)
    # Once assigned, a member who leaves the organisation is not "signed up before".
    session.execute(delete(Membership).where(Membership.user_id == member.id))
    assert not signups.is_assignable(session, w.shift, member.id)
    make_past_volunteer(session, w.programme, w.other_volunteer)
    assert signups.is_assignable(session, w.shift, w.other_volunteer.id)


def test_a_roster_shares_contacts_only_of_people_legitimately_on_it(session, w, now) -> None:
    self_signed = signups.sign_up(session, w.volunteer, w.shift, now)
    # An assignment made before the rule existed (a harvested address): not shared.
    harvested = make_signup(session, w.shift, make_user(session), assigned_by_id=w.coordinator.id)
    member = add_role(session, make_user(session), w.nonprofit, Role.MEMBER)
    legit = signups.assign(session, w.coordinator, make_shift(session, w.task), member, now)
    page = signups.get_roster(session, w.coordinator, w.shift)
    assert signups.roster_contacts(session, w.coordinator, w.shift, page.items) == {self_signed.id}
    assert harvested.id in {s.id for s in page.items}
    assert signups.roster_contacts(session, w.coordinator, legit.shift, [legit]) == {legit.id}


# --- attendance ---------------------------------------------------------------------------


def test_attendance_before_the_start_is_refused(session, w, now) -> None:
    signup = signups.sign_up(session, w.volunteer, w.shift, now)
    with pytest.raises(Conflict, match="once the shift has started"):
        signups.mark_attendance(session, w.coordinator, signup, True, now)
    assert signup.status == C


def test_attendance_is_marked_and_can_be_corrected(session, w, now) -> None:
    signup = signups.sign_up(session, w.volunteer, w.shift, now)
    later = w.shift.starts_at + timedelta(hours=1)
    signups.mark_attendance(session, w.coordinator, signup, True, later)
    assert signup.status == SignupStatus.ATTENDED
    signups.mark_attendance(session, w.lead_staff, signup, False, later)
    assert signup.status == SignupStatus.NO_SHOW
    assert seats(session, w.shift) == 1  # the seat stays counted either way


def test_attendance_for_a_waitlisted_sign_up_is_refused(session, now) -> None:
    w = ShiftWorld(session, capacity=1)
    signups.sign_up(session, w.other_volunteer, w.shift, now)
    waiting = signups.sign_up(session, w.volunteer, w.shift, now)
    with pytest.raises(Conflict, match="waitlisted"):
        signups.mark_attendance(session, w.coordinator, waiting, True, w.shift.starts_at)
    assert waiting.status == W


def test_volunteers_cannot_mark_their_own_attendance(session, w, now) -> None:
    signup = signups.sign_up(session, w.volunteer, w.shift, now)
    with pytest.raises(NotAllowed):
        signups.mark_attendance(session, w.volunteer, signup, True, w.shift.starts_at)


# --- reading ------------------------------------------------------------------------------


def test_my_schedule_shows_upcoming_soonest_first_and_past_only_when_asked(session, w, now) -> None:
    later = make_shift(session, starts_at=now + timedelta(days=30))
    past = make_shift(session, starts_at=now - timedelta(days=3))
    cancelled = make_shift(session, starts_at=now + timedelta(days=2))
    make_signup(session, later, w.volunteer)
    make_signup(session, past, w.volunteer, status=SignupStatus.ATTENDED)
    make_signup(session, cancelled, w.volunteer, status=X)
    make_signup(session, w.shift, w.volunteer, status=W)
    make_signup(session, w.shift, w.other_volunteer)
    upcoming = signups.list_my_schedule(session, w.volunteer, now)
    assert [s.shift_id for s in upcoming.items] == [w.shift.id, later.id]
    every = signups.list_my_schedule(session, w.volunteer, now, include_past=True)
    assert [s.shift_id for s in every.items] == [w.shift.id, later.id, past.id]


def test_my_schedule_walked_by_next_shows_each_sign_up_once_in_its_order(session, w, now) -> None:
    upcoming = [now + timedelta(days=d) for d in (3, 1, 2, 2, 5)]
    past = [now - timedelta(days=d) for d in (4, 1, 9)]
    for at in upcoming + past:
        make_signup(session, make_shift(session, starts_at=at), w.volunteer)
    seen, after = [], None
    while True:
        page = signups.list_my_schedule(
            session, w.volunteer, now, after=after, per_page=3, include_past=True
        )
        seen += [s.shift.starts_at for s in page.items]
        if not page.has_next:
            break
        after = page.next
    assert seen == sorted(upcoming) + sorted(past, reverse=True)
    back = signups.list_my_schedule(session, w.volunteer, now, before=after, per_page=3)
    assert [s.shift.starts_at for s in back.items] == sorted(upcoming)[2:5]
    with pytest.raises(Invalid):
        signups.list_my_schedule(session, w.volunteer, now, after="W1siaSIsMV1d")


def test_roster_lists_seated_then_waitlist_in_queue_order(session, now) -> None:
    w = ShiftWorld(session, capacity=1)
    late = make_user(session)
    signups.sign_up(session, w.volunteer, w.shift, now)
    signups.sign_up(session, late, w.shift, now + timedelta(minutes=9))
    signups.sign_up(session, w.other_volunteer, w.shift, now + timedelta(minutes=1))
    gone = signups.sign_up(session, make_user(session), w.shift, now)
    signups.cancel(session, gone.volunteer, gone, now)
    roster = signups.get_roster(session, w.coordinator, w.shift)
    assert [s.user_id for s in roster.items] == [w.volunteer.id, w.other_volunteer.id, late.id]
    assert roster.items[0].volunteer.email == w.volunteer.email
    # Window by window (one a window) by `next`: the same order, each once.
    seen, after = [], None
    while True:
        window = signups.get_roster(session, w.coordinator, w.shift, after=after, per_page=1)
        seen += [s.user_id for s in window.items]
        if not window.has_next:
            break
        after = window.next
    assert seen == [w.volunteer.id, w.other_volunteer.id, late.id]


def test_roster_is_only_for_coordinators_and_lead_staff(session, w) -> None:
    assert signups.get_roster(session, w.lead_staff, w.shift).items == []
    for outsider in (w.volunteer, w.other_coordinator):
        with pytest.raises(NotAllowed):
            signups.get_roster(session, outsider, w.shift)


def test_roster_of_a_draft_task_is_hidden_from_outsiders(session) -> None:
    w = ShiftWorld(session, status=TaskStatus.DRAFT)
    with pytest.raises(NotFound):
        signups.get_roster(session, w.other_coordinator, w.shift)
    assert signups.get_roster(session, w.coordinator, w.shift).items == []


def test_waitlist_position_counts_those_ahead(session, now) -> None:
    w = ShiftWorld(session, capacity=1)
    signups.sign_up(session, w.volunteer, w.shift, now)
    a = signups.sign_up(session, w.other_volunteer, w.shift, now)
    b = signups.sign_up(session, make_user(session), w.shift, now)
    assert [signups.waitlist_position(session, s) for s in (a, b)] == [1, 2]


def test_waitlist_positions_for_a_page_come_in_one_query(session, now, count_queries) -> None:
    w = ShiftWorld(session, capacity=1)
    seated = signups.sign_up(session, w.volunteer, w.shift, now)
    a = signups.sign_up(session, w.other_volunteer, w.shift, now + timedelta(minutes=2))
    b = signups.sign_up(session, make_user(session), w.shift, now + timedelta(minutes=1))
    session.flush()
    before = count_queries.count
    positions = signups.waitlist_positions(session, [seated, a, b])
    assert count_queries.count == before + 1
    assert positions == {b.id: 1, a.id: 2}
