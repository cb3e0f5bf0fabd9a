"""Candidates for an understaffed shift and invitations: exactly the qualified, free, opted-in
members; one invitation per person and shift; the one-click sign-up goes through every rule."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from coprod.errors import Conflict, Invalid, NotAllowed, NotFound, TooMany
from coprod.models import (
    AuditEntry,
    NotificationKind,
    OutboxMessage,
    QualificationAward,
    Role,
    ShiftInvitation,
    SignupStatus,
    TaskSkill,
    TaskStatus,
    UserSkill,
)
from coprod.services.capacity import candidates, shift_day
from tests.factories import (
    ShiftWorld,
    make_award,
    make_member,
    make_qualification,
    make_shift,
    make_signup,
    make_task,
    make_user,
)


class World:
    """A shift needing a qualification, coordinated by a nonprofit, and people of every kind:
    the two who fit, and one of each kind of outsider."""

    def __init__(self, session, now):
        self.w = ShiftWorld(session, capacity=3)
        self.shift = self.w.shift
        self.coordinator = self.w.coordinator
        org = self.w.nonprofit
        self.q = make_qualification(session, org, required_by=self.w.task, name="Food hygiene")
        day = shift_day(self.shift)

        def person(*, member=True, opted=True, award=True, **fields):
            user = (
                make_member(session, org, Role.MEMBER, open_to_invitations=opted, **fields)
                if member
                else make_user(session, open_to_invitations=opted, **fields)
            )
            if award:
                make_award(session, user, self.q)
            return user

        self.fits = person(display_name="Ada")
        self.fits_too = person(display_name="Bea")
        self.cancelled_before = person(display_name="Cy")
        make_signup(session, self.shift, self.cancelled_before, status=SignupStatus.CANCELLED)
        self.outsider = person(member=False)
        self.not_opted_in = person(opted=False)
        self.lacks_it = person(award=False)
        self.expired_by_then = person(award=False)
        make_award(
            session,
            self.expired_by_then,
            self.q,
            awarded_on=day - timedelta(days=300),
            expires_on=day,
        )
        self.busy = person()
        other = make_shift(session, make_task(session), starts_at=self.shift.starts_at)
        make_signup(session, other, self.busy)
        self.on_shift = person()
        make_signup(session, self.shift, self.on_shift, status=SignupStatus.WAITLISTED)
        self.deactivated = person(is_active=False)
        self.unconfirmed = person(email_confirmed_at=None)
        session.add_all(
            [
                TaskSkill(task_id=self.w.task.id, tag="cooking"),
                UserSkill(user_id=self.fits.id, tag="cooking"),
                UserSkill(user_id=self.fits.id, tag="driving"),
            ]
        )
        session.flush()


@pytest.fixture
def world(session, now):
    return World(session, now)


def test_the_candidates_are_exactly_the_qualified_free_opted_in_members(session, world):
    page = candidates.list_candidates(session, world.coordinator, world.shift)
    names = {v.id: k for k, v in vars(world).items() if hasattr(v, "display_name")}
    assert [names[c.user.id] for c in page.items] == ["fits", "fits_too", "cancelled_before"]
    assert page.total == 3
    assert page.items[0].skills == ["cooking"]  # only the skills the task asks for
    assert page.items[1].skills == []


def test_the_lead_agencys_members_are_the_candidates_when_no_organisation_coordinates(
    session, world
):
    world.w.task.coordinating_organisation_id = None
    agency_person = make_member(session, world.w.agency, Role.MEMBER, open_to_invitations=True)
    make_award(session, agency_person, world.q)
    session.flush()
    page = candidates.list_candidates(session, world.w.lead_staff, world.shift)
    assert [c.user for c in page.items] == [agency_person]


def test_the_list_is_paginated(session, world):
    first = candidates.list_candidates(session, world.coordinator, world.shift, per_page=2)
    second = candidates.list_candidates(session, world.coordinator, world.shift, page=2, per_page=2)
    assert (first.total, len(first.items), len(second.items)) == (3, 2, 1)


def test_people_outside_the_task_may_not_see_the_candidates(session, world):
    with pytest.raises((NotAllowed, NotFound)):
        candidates.list_candidates(session, world.w.other_coordinator, world.shift)
    with pytest.raises((NotAllowed, NotFound)):
        candidates.list_candidates(session, world.fits, world.shift)


def test_an_invitation_is_audited_and_emailed_with_a_link_to_take_the_place(session, world, now):
    invitation = candidates.invite(session, world.coordinator, world.shift, world.fits.id, now=now)
    assert invitation.invited_by_id == world.coordinator.id
    [mail] = session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == NotificationKind.INVITATION)
    ).all()
    assert mail.user_id == world.fits.id
    assert f"/shifts/{world.shift.id}/invitation" in mail.body_text
    assert world.w.task.title in mail.subject
    actions = session.scalars(select(AuditEntry.action)).all()
    assert "invitation.sent" in actions
    [row] = candidates.list_candidates(session, world.coordinator, world.shift).items[:1]
    assert row.invited


def test_inviting_the_same_person_twice_is_a_conflict(session, world, now):
    candidates.invite(session, world.coordinator, world.shift, world.fits.id, now=now)
    with pytest.raises(Conflict, match="already invited"):
        candidates.invite(session, world.coordinator, world.shift, world.fits.id, now=now)


@pytest.mark.parametrize("who", ["outsider", "not_opted_in", "lacks_it", "busy", "on_shift"])
def test_only_candidates_can_be_invited(session, world, now, who):
    with pytest.raises(Invalid) as err:
        candidates.invite(session, world.coordinator, world.shift, getattr(world, who).id, now=now)
    assert "user_id" in err.value.errors
    assert session.scalar(select(ShiftInvitation.id)) is None


def test_a_started_cancelled_or_full_shift_takes_no_invitation(session, world, now):
    with pytest.raises(Conflict, match="already started"):
        candidates.invite(
            session, world.coordinator, world.shift, world.fits.id, now=world.shift.starts_at
        )
    world.shift.confirmed = world.shift.capacity
    with pytest.raises(Conflict, match="no free place"):
        candidates.invite(session, world.coordinator, world.shift, world.fits.id, now=now)
    world.shift.confirmed = 0
    world.shift.cancelled_at = now
    with pytest.raises(Conflict, match="cancelled"):
        candidates.invite(session, world.coordinator, world.shift, world.fits.id, now=now)
    world.shift.cancelled_at = None
    world.w.task.status = TaskStatus.CLOSED
    with pytest.raises(Conflict, match="not open for sign-ups"):
        candidates.invite(session, world.coordinator, world.shift, world.fits.id, now=now)


def test_a_coordinator_sends_at_most_the_hourly_limit(session, world, now, monkeypatch):
    monkeypatch.setattr(candidates, "limit", lambda name: 1)
    candidates.invite(session, world.coordinator, world.shift, world.fits.id, now=now)
    with pytest.raises(TooMany):
        candidates.invite(session, world.coordinator, world.shift, world.fits_too.id, now=now)
    later = now + timedelta(hours=1, minutes=1)
    candidates.invite(session, world.coordinator, world.shift, world.fits_too.id, now=later)


def test_accepting_signs_up_through_every_rule_and_marks_the_invitation(session, world, now):
    invitation = candidates.invite(session, world.coordinator, world.shift, world.fits.id, now=now)
    signup = candidates.accept(session, world.fits, world.shift, now=now)
    assert signup.status == SignupStatus.CONFIRMED
    assert invitation.accepted_at == now


# Booking checks qualifications once part "rules" (issue #17) is merged; remove the marker then.
def test_an_invited_person_who_lost_the_qualification_is_refused_with_its_name(session, world, now):
    candidates.invite(session, world.coordinator, world.shift, world.fits.id, now=now)
    for award in session.scalars(
        select(QualificationAward).where(QualificationAward.user_id == world.fits.id)
    ):
        award.revoked_at = now
    session.flush()
    with pytest.raises(Invalid, match="Food hygiene"):
        candidates.accept(session, world.fits, world.shift, now=now)


def test_an_invited_person_with_an_overlapping_place_is_refused(session, world, now):
    candidates.invite(session, world.coordinator, world.shift, world.fits.id, now=now)
    other = make_shift(session, make_task(session), starts_at=world.shift.starts_at)
    make_signup(session, other, world.fits)
    with pytest.raises(Conflict, match="overlaps"):
        candidates.accept(session, world.fits, world.shift, now=now)


def test_accepting_late_is_refused(session, world, now):
    candidates.invite(session, world.coordinator, world.shift, world.fits.id, now=now)
    with pytest.raises(Conflict, match="already started"):
        candidates.accept(session, world.fits, world.shift, now=world.shift.starts_at)


def test_without_an_invitation_there_is_nothing_to_accept(session, world, now):
    with pytest.raises(NotFound):
        candidates.accept(session, world.fits, world.shift, now=now)
