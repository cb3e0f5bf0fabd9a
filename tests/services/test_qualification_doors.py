"""The qualification rule at every door that books (signing up, assigning, promotion from the
waitlist), training shifts that award it, and the gaps coordinators see on their rosters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from coprod.errors import Conflict, Invalid
from coprod.models import (
    AuditEntry,
    AwardSource,
    NotificationKind,
    OutboxMessage,
    QualificationAward,
    Shift,
    SignupStatus,
)
from coprod.services import capacity, signups
from coprod.services.capacity import rosters, training
from tests.factories import (
    ShiftWorld,
    make_award,
    make_past_volunteer,
    make_qualification,
    make_shift,
    make_signup,
    make_task,
    make_user,
)

C, W, X = SignupStatus.CONFIRMED, SignupStatus.WAITLISTED, SignupStatus.CANCELLED


class Kitchen(ShiftWorld):
    """ShiftWorld whose task (the kitchen) requires Food hygiene, defined by the nonprofit
    coordinating it, with a training task (the course) of the same programme that awards it."""

    def __init__(self, session, **kw) -> None:
        super().__init__(session, **kw)
        self.hygiene = make_qualification(
            session,
            self.nonprofit,
            required_by=self.task,
            name="Food hygiene",
            how_to_get="Attend the food hygiene course.",
            validity_months=24,
        )
        self.course = make_task(
            session,
            self.programme,
            title="Food hygiene course",
            coordinating_organisation_id=self.nonprofit.id,
            trains_qualification_id=self.hygiene.id,
        )


@pytest.fixture
def k(session) -> Kitchen:
    return Kitchen(session)


def seats(session, shift: Shift) -> int:
    session.expire(shift)
    return session.get(Shift, shift.id).confirmed


def holds(session, k: Kitchen, user, shift: Shift) -> bool:
    return not capacity.missing_for(session, user.id, shift)


def audits(session, action: str) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def skipped_emails(session, user) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage).where(
                OutboxMessage.user_id == user.id,
                OutboxMessage.kind == NotificationKind.WAITLIST_SKIPPED,
            )
        )
    )


# --- signing up and assigning ---------------------------------------------------------------


def test_a_volunteer_without_it_is_refused_naming_it_and_nothing_changes(session, k, now) -> None:
    with pytest.raises(Invalid) as refused:
        signups.sign_up(session, k.volunteer, k.shift, now)
    message = refused.value.errors[capacity.QUALIFICATION_FIELD][0]
    assert "“Food hygiene”" in message
    assert "which you do not hold" in message
    assert "Attend the food hygiene course." in message
    assert refused.value.extensions == {"qualification_id": k.hygiene.id}
    assert seats(session, k.shift) == 0
    assert audits(session, "signup.created") == []


def test_after_the_training_is_marked_attended_they_hold_it_and_may_sign_up(
    session, k, now
) -> None:
    course_shift = make_shift(session, k.course, starts_at=now - timedelta(hours=2))
    place = make_signup(session, course_shift, k.volunteer)
    with pytest.raises(Invalid):
        signups.sign_up(session, k.volunteer, k.shift, now)

    signups.mark_attendance(session, k.coordinator, place, True, now)

    award = session.scalar(
        select(QualificationAward).where(QualificationAward.signup_id == place.id)
    )
    assert award is not None
    assert (award.user_id, award.qualification_id) == (k.volunteer.id, k.hygiene.id)
    assert award.source == AwardSource.TRAINING
    assert award.awarded_on == capacity.shift_day(course_shift)
    assert award.expires_on == capacity.add_months(award.awarded_on, 24)
    assert award.awarded_by_id == k.coordinator.id
    [entry] = audits(session, "award.from_training")
    assert entry.actor_id == k.coordinator.id
    assert signups.sign_up(session, k.volunteer, k.shift, now).status == C


def test_marking_attended_twice_awards_once_and_a_no_show_revokes_it(session, k, now) -> None:
    course_shift = make_shift(session, k.course, starts_at=now - timedelta(hours=2))
    place = make_signup(session, course_shift, k.volunteer)
    signups.mark_attendance(session, k.coordinator, place, True, now)
    signups.mark_attendance(session, k.coordinator, place, True, now)
    awards = session.scalars(
        select(QualificationAward).where(QualificationAward.user_id == k.volunteer.id)
    ).all()
    assert len(awards) == 1
    assert holds(session, k, k.volunteer, k.shift)

    signups.mark_attendance(session, k.coordinator, place, False, now)
    assert awards[0].revoked_at == now
    assert awards[0].revoked_by_id == k.coordinator.id
    assert len(audits(session, "award.revoked_no_show")) == 1
    assert not holds(session, k, k.volunteer, k.shift)
    with pytest.raises(Invalid, match="Food hygiene"):
        signups.sign_up(session, k.volunteer, k.shift, now)

    # Back to attended: the same award counts again (still one per sign-up).
    signups.mark_attendance(session, k.coordinator, place, True, now)
    assert awards[0].revoked_at is None
    assert holds(session, k, k.volunteer, k.shift)


def test_mark_all_attended_awards_every_attendee(session, k, now) -> None:
    course_shift = make_shift(session, k.course, starts_at=now - timedelta(hours=2))
    people = [make_user(session) for _ in range(3)]
    for person in people:
        make_signup(session, course_shift, person)
    signups.mark_all_attended(session, k.coordinator, course_shift, now)
    for person in people:
        assert holds(session, k, person, k.shift)


def test_attending_a_task_that_trains_nothing_awards_nothing(session, k, now) -> None:
    plain = make_shift(session, make_task(session, k.programme), starts_at=now - timedelta(hours=1))
    place = make_signup(session, plain, k.volunteer)
    signups.mark_attendance(session, k.lead_staff, place, True, now)
    assert training.training_award(session, place) is None
    assert session.scalars(select(QualificationAward)).all() == []


def test_an_award_expiring_before_a_shift_is_refused_there_but_not_earlier(session, k, now) -> None:
    later = k.shift  # in a week
    earlier = make_shift(session, k.task, starts_at=now + timedelta(days=2))
    day = capacity.shift_day(later)
    make_award(
        session,
        k.volunteer,
        k.hygiene,
        awarded_on=day - timedelta(days=700),
        expires_on=day,  # the first day it is no longer valid: the later shift's day
    )
    assert signups.sign_up(session, k.volunteer, earlier, now).status == C
    with pytest.raises(Invalid) as refused:
        signups.sign_up(session, k.volunteer, later, now)
    assert "no longer valid" in refused.value.message
    assert "Food hygiene" in refused.value.message


def test_assigning_is_refused_the_same_way_naming_the_person(session, k, now) -> None:
    make_past_volunteer(session, k.programme, k.volunteer)
    with pytest.raises(Invalid) as refused:
        signups.assign(session, k.coordinator, k.shift, k.volunteer, now)
    assert f"which {k.volunteer.display_name} does not hold" in refused.value.message
    assert seats(session, k.shift) == 0
    with pytest.raises(Invalid, match="Food hygiene"):
        signups.assign_by_email(session, k.coordinator, k.shift, k.volunteer.email, now)
    with pytest.raises(Invalid, match="Food hygiene"):
        signups.assign_by_id(session, k.coordinator, k.shift, k.volunteer.id, now)
    make_award(session, k.volunteer, k.hygiene)
    assert signups.assign(session, k.coordinator, k.shift, k.volunteer, now).status == C


def test_a_qualified_duplicate_is_still_answered_as_a_duplicate(session, k, now) -> None:
    make_award(session, k.volunteer, k.hygiene)
    signups.sign_up(session, k.volunteer, k.shift, now)
    with pytest.raises(Conflict, match="already signed up"):
        signups.sign_up(session, k.volunteer, k.shift, now)


# --- the waitlist -----------------------------------------------------------------------------


def _full_kitchen(session, now) -> tuple[Kitchen, object, object, object]:
    """A one-place kitchen: a seated holder, then waiting: one who lacks it (first in line)
    and one who holds it."""
    k = Kitchen(session, capacity=1)
    seated_person, lacking, holder = k.volunteer, k.other_volunteer, make_user(session)
    for person in (seated_person, lacking, holder):
        make_award(session, person, k.hygiene)
    seated = signups.sign_up(session, seated_person, k.shift, now)
    first = signups.sign_up(session, lacking, k.shift, now + timedelta(minutes=1))
    second = signups.sign_up(session, holder, k.shift, now + timedelta(minutes=2))
    # The first in line loses it after joining (revoked by a verifier).
    award = session.scalar(
        select(QualificationAward).where(QualificationAward.user_id == lacking.id)
    )
    award.revoked_at = now
    session.flush()
    return k, seated, first, second


def test_promotion_skips_who_lacks_it_and_promotes_the_next(session, now) -> None:
    k, seated, first, second = _full_kitchen(session, now)
    signups.cancel(session, k.volunteer, seated, now)
    session.refresh(first)
    session.refresh(second)
    assert (first.status, second.status) == (W, C)
    assert seats(session, k.shift) == 1
    [email] = skipped_emails(session, k.other_volunteer)
    assert "Food hygiene" in email.body_text
    assert "went to the next person" in email.body_text
    assert "Attend the food hygiene course." in email.body_text
    assert "Food hygiene" in email.body_html
    [entry] = audits(session, "signup.skipped")
    assert entry.object_id == first.id
    assert entry.after["missing_qualification_id"] == k.hygiene.id


def test_a_skipped_person_is_emailed_once_per_sign_up_and_qualification(session, now) -> None:
    k, seated, first, second = _full_kitchen(session, now)
    signups.cancel(session, k.volunteer, seated, now)
    signups.cancel(session, second.volunteer, second, now)  # a second free place, same skip
    session.refresh(first)
    assert first.status == W
    assert len(skipped_emails(session, k.other_volunteer)) == 1
    assert len(audits(session, "signup.skipped")) == 2
    assert seats(session, k.shift) == 0


def test_more_places_go_to_the_qualified_waiting_only(session, now) -> None:
    k, _seated, first, second = _full_kitchen(session, now)
    third_person = make_user(session)
    make_award(session, third_person, k.hygiene)
    third = signups.sign_up(session, third_person, k.shift, now + timedelta(minutes=3))
    k.shift.capacity = 5
    session.flush()
    promoted = signups.fill_from_waitlist(session, k.coordinator, k.shift, now)
    assert {s.id for s in promoted} == {second.id, third.id}
    session.refresh(first)
    assert first.status == W
    assert len(skipped_emails(session, k.other_volunteer)) == 1
    assert len(audits(session, "signup.skipped")) == 1  # once in one filling
    assert seats(session, k.shift) == 3


def test_no_free_place_skips_nobody(session, now) -> None:
    k, _seated, _first, _second = _full_kitchen(session, now)
    signups.fill_from_waitlist(session, k.coordinator, k.shift, now)
    assert skipped_emails(session, k.other_volunteer) == []
    assert audits(session, "signup.skipped") == []


def test_a_skipped_person_who_gets_it_is_promoted_next(session, now) -> None:
    k, seated, first, second = _full_kitchen(session, now)
    signups.cancel(session, k.volunteer, seated, now)
    make_award(session, k.other_volunteer, k.hygiene)
    session.refresh(second)
    signups.cancel(session, second.volunteer, second, now)
    session.refresh(first)
    assert first.status == C


# --- what coordinators see --------------------------------------------------------------------


def test_the_roster_marks_who_will_have_expired_by_the_shifts_day(session, k, now) -> None:
    day = capacity.shift_day(k.shift)
    expiring, never, fine = k.volunteer, k.other_volunteer, make_user(session)
    for person in (expiring, fine):
        make_award(session, person, k.hygiene)
    a = signups.sign_up(session, expiring, k.shift, now)
    b = make_signup(session, k.shift, never, status=W)  # on the roster from before the rule
    c = signups.sign_up(session, fine, k.shift, now)
    award = session.scalar(
        select(QualificationAward).where(QualificationAward.user_id == expiring.id)
    )
    award.expires_on = day - timedelta(days=2)
    session.flush()
    gaps = rosters.roster_gaps(session, k.shift, [a, b, c])
    assert set(gaps) == {a.id, b.id}
    expected = capacity.localtime.format_day(day - timedelta(days=2))
    assert gaps[a.id][0].message == f"Food hygiene expires on {expected}, before this shift."
    assert gaps[b.id][0].message == "Does not hold Food hygiene on the day of this shift."


def test_the_coordinators_upcoming_gaps(session, k, now) -> None:
    day = capacity.shift_day(k.shift)
    make_award(session, k.volunteer, k.hygiene, expires_on=day - timedelta(days=1))
    make_signup(session, k.shift, k.volunteer)
    covered = make_user(session)
    make_award(session, covered, k.hygiene)
    make_signup(session, k.shift, covered)
    gaps, more = rosters.upcoming_gaps(session, k.coordinator, now)
    assert [(g.signup.user_id, g.qualification.name) for g in gaps] == [
        (k.volunteer.id, "Food hygiene")
    ]
    assert gaps[0].expired_on == day - timedelta(days=1)
    assert more is False
    # Not theirs: another organisation's coordinator sees none; past shifts are not listed.
    assert rosters.upcoming_gaps(session, k.other_coordinator, now) == ([], False)
    assert rosters.upcoming_gaps(session, k.coordinator, k.shift.ends_at) == ([], False)
