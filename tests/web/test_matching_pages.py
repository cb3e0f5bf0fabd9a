"""Matching as pages: the home panel and the task list's "Tasks that fit me", the candidates
page and its Invite buttons, and the invited person's one-click "Take this place"."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from coprod.db import utcnow
from coprod.models import Role, ShiftInvitation, Signup, SignupStatus, TaskSkill, UserSkill
from tests.conftest import login
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


def future(days=7):
    return utcnow().replace(microsecond=0) + timedelta(days=days)


class World:
    def __init__(self, session):
        self.w = ShiftWorld(session, capacity=2, starts_at=future())
        self.task, self.shift = self.w.task, self.w.shift
        self.q = make_qualification(
            session, self.w.nonprofit, required_by=self.task, name="Knife safety"
        )
        self.task.title = "Community kitchen"
        self.person = make_member(
            session,
            self.w.nonprofit,
            Role.MEMBER,
            display_name="Nia Able",
            open_to_invitations=True,
        )
        make_award(session, self.person, self.q, awarded_on=utcnow().date() - timedelta(days=5))
        self.unqualified = make_member(
            session,
            self.w.nonprofit,
            Role.MEMBER,
            display_name="Ugo Lacking",
            open_to_invitations=True,
        )
        session.add_all(
            [
                TaskSkill(task_id=self.task.id, tag="cooking"),
                UserSkill(user_id=self.person.id, tag="cooking"),
            ]
        )
        session.flush()


def test_the_home_page_offers_a_few_tasks_that_fit_with_a_link_to_the_rest(client, session):
    world = World(session)
    for day in range(8, 12):
        make_shift(session, world.task, starts_at=future(day), capacity=3)
    login(client, world.person)
    page = client.get("/").get_data(as_text=True)
    assert "Tasks that fit you" in page
    assert page.count("Community kitchen") == 3
    assert "Uses your skills: cooking" in page
    assert "See all the shifts that fit you" in page
    login(client, world.unqualified)
    page = client.get("/").get_data(as_text=True)
    assert "Community kitchen" not in page
    assert "No upcoming shift with a free place fits you right now" in page


def test_the_task_list_filters_the_tasks_that_fit_me(client, session):
    world = World(session)
    other = make_task(session, title="Litter pick")
    make_shift(session, other, starts_at=future(3))
    login(client, world.person)
    listed = client.get("/tasks").get_data(as_text=True)
    assert 'href="/tasks?fit=me"' in listed
    fit = client.get("/tasks?fit=me")
    assert fit.status_code == 200
    text = fit.get_data(as_text=True)
    # The skill match comes first, though the litter pick is sooner.
    assert text.index("Community kitchen") < text.index("Litter pick")
    login(client, world.unqualified)
    text = client.get("/tasks?fit=me").get_data(as_text=True)
    assert "Community kitchen" not in text and "Litter pick" in text
    assert client.get("/tasks?fit=me&after=abc").status_code == 422


def test_visitors_get_the_plain_task_list(client, session):
    World(session)
    text = client.get("/tasks?fit=me").get_data(as_text=True)
    assert "Find tasks" in text and "?fit=me" not in text


def test_the_coordinator_finds_and_invites_a_candidate(client, session):
    world = World(session)
    login(client, world.w.coordinator)
    roster = client.get(f"/shifts/{world.shift.id}/roster").get_data(as_text=True)
    assert f'href="/shifts/{world.shift.id}/candidates"' in roster
    home = client.get("/").get_data(as_text=True)
    assert f"/shifts/{world.shift.id}/candidates" in home
    page = client.get(f"/shifts/{world.shift.id}/candidates").get_data(as_text=True)
    assert "Nia Able" in page and "Ugo Lacking" not in page
    assert "cooking" in page
    done = client.post(
        f"/shifts/{world.shift.id}/invitations",
        data={"user_id": world.person.id},
        headers={"Referer": f"/shifts/{world.shift.id}/candidates"},
    )
    assert done.status_code == 303
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Nia Able is invited" in page
    assert ">Invited<" in page
    again = client.post(
        f"/shifts/{world.shift.id}/invitations",
        data={"user_id": world.person.id},
        headers={"Referer": f"/shifts/{world.shift.id}/candidates"},
    )
    assert again.status_code == 303
    assert "already invited" in client.get(again.headers["Location"]).get_data(as_text=True)
    assert len(session.scalars(select(ShiftInvitation)).all()) == 1


def test_no_link_to_candidates_when_the_shift_is_full(client, session):
    world = World(session)
    for _ in range(2):
        make_signup(session, world.shift, make_user(session))
    world.shift.confirmed = 2
    session.flush()
    login(client, world.w.coordinator)
    roster = client.get(f"/shifts/{world.shift.id}/roster").get_data(as_text=True)
    assert "/candidates" not in roster


def test_volunteers_and_other_coordinators_cannot_see_candidates(client, session):
    world = World(session)
    for person in (world.person, world.w.other_coordinator):
        login(client, person)
        assert client.get(f"/shifts/{world.shift.id}/candidates").status_code in (403, 404)
        assert client.post(
            f"/shifts/{world.shift.id}/invitations", data={"user_id": world.person.id}
        ).status_code in (403, 404)
    assert session.scalar(select(ShiftInvitation.id)) is None


def test_the_invited_person_takes_the_place_in_one_click(client, session):
    world = World(session)
    login(client, world.w.coordinator)
    client.post(f"/shifts/{world.shift.id}/invitations", data={"user_id": world.person.id})
    login(client, world.person)
    page = client.get(f"/shifts/{world.shift.id}/invitation")
    assert page.status_code == 200
    assert "Take this place" in page.get_data(as_text=True)
    taken = client.post(f"/shifts/{world.shift.id}/invitation")
    assert taken.status_code == 303
    signup = session.scalar(select(Signup).where(Signup.user_id == world.person.id))
    assert signup is not None and signup.status == SignupStatus.CONFIRMED
    invitation = session.scalar(select(ShiftInvitation))
    assert invitation is not None and invitation.accepted_at is not None
    assert "You have a place on this shift" in client.get(
        f"/shifts/{world.shift.id}/invitation"
    ).get_data(as_text=True)


def test_the_invitation_link_asks_a_visitor_to_sign_in_first(client, session):
    world = World(session)
    done = client.get(f"/shifts/{world.shift.id}/invitation")
    assert done.status_code in (302, 303)
    assert "/login" in done.headers["Location"]


def test_someone_not_invited_finds_no_invitation(client, session):
    world = World(session)
    login(client, world.unqualified)
    assert client.get(f"/shifts/{world.shift.id}/invitation").status_code == 404
    assert client.post(f"/shifts/{world.shift.id}/invitation").status_code in (303, 404)
    assert session.scalar(select(Signup.id).where(Signup.user_id == world.unqualified.id)) is None
