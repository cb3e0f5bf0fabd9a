"""The qualification rule as pages: a refused sign-up or assignment says what is missing and
how to get it, the roster marks who will have expired by the shift's day, the coordinator's
home lists those places, and marking a training attended awards it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from coprod.db import utcnow
from coprod.models import QualificationAward, Role, Signup
from coprod.services import capacity, localtime
from tests.conftest import login
from tests.factories import (
    ShiftWorld,
    make_award,
    make_member,
    make_past_volunteer,
    make_qualification,
    make_shift,
    make_signup,
    make_task,
)


def kitchen(session, **kw) -> ShiftWorld:
    w = ShiftWorld(session, starts_at=utcnow().replace(microsecond=0) + timedelta(days=7), **kw)
    w.hygiene = make_qualification(
        session,
        w.nonprofit,
        required_by=w.task,
        name="Food hygiene",
        how_to_get="Attend the food hygiene course.",
    )
    return w


def test_a_refused_sign_up_says_what_is_missing_and_how_to_get_it(client, session) -> None:
    w = kitchen(session)
    login(client, w.volunteer)
    resp = client.post(
        f"/shifts/{w.shift.id}/signup",
        headers={"Referer": f"http://localhost/tasks/{w.task.id}"},
        follow_redirects=True,
    )
    page = resp.get_data(as_text=True)
    assert "“Food hygiene”, which you do not hold" in page
    assert "Attend the food hygiene course." in page
    assert session.scalar(select(Signup).where(Signup.shift_id == w.shift.id)) is None


def test_a_refused_assignment_is_shown_on_the_roster_form(client, session) -> None:
    w = kitchen(session)
    make_past_volunteer(session, w.programme, w.volunteer)
    login(client, w.coordinator)
    resp = client.post(f"/shifts/{w.shift.id}/assign", data={"email": w.volunteer.email})
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert f"which {w.volunteer.display_name} does not hold" in page
    member = make_member(session, w.nonprofit, Role.MEMBER, display_name="Mina Member")
    listed = client.get(f"/shifts/{w.shift.id}/roster").get_data(as_text=True)
    assert f'value="{member.id}" disabled' in listed
    assert "Will not hold Food hygiene on the day" in listed
    resp = client.post(f"/shifts/{w.shift.id}/assign-member", data={"user_id": str(member.id)})
    assert resp.status_code == 422
    assert "Food hygiene" in resp.get_data(as_text=True)


def test_the_roster_and_home_mark_who_will_have_expired(client, session) -> None:
    w = kitchen(session)
    day = capacity.shift_day(w.shift)
    make_award(session, w.volunteer, w.hygiene, expires_on=day - timedelta(days=3))
    make_signup(session, w.shift, w.volunteer)
    make_award(session, w.other_volunteer, w.hygiene)
    make_signup(session, w.shift, w.other_volunteer)
    login(client, w.coordinator)
    expires = localtime.format_day(day - timedelta(days=3))
    roster = client.get(f"/shifts/{w.shift.id}/roster").get_data(as_text=True)
    assert f"Food hygiene expires on {expires}, before this shift." in roster
    assert roster.count("before this shift.") == 1
    assert "1 person below will not hold" in roster
    home = client.get("/").get_data(as_text=True)
    assert "Qualifications that will have expired" in home
    assert f"Food hygiene expires on {expires}, before this shift." in home
    assert f"/shifts/{w.shift.id}/roster" in home
    # A coordinator with nothing to fix sees no such panel.
    other = ShiftWorld(session, starts_at=w.shift.starts_at)
    login(client, other.coordinator)
    assert "Qualifications that will have expired" not in client.get("/").get_data(as_text=True)


def test_marking_a_training_attended_awards_it(client, session) -> None:
    w = kitchen(session)
    course = make_task(
        session,
        w.programme,
        coordinating_organisation_id=w.nonprofit.id,
        trains_qualification_id=w.hygiene.id,
    )
    shift = make_shift(session, course, starts_at=utcnow() - timedelta(hours=2))
    place = make_signup(session, shift, w.volunteer)
    login(client, w.coordinator)
    resp = client.post(f"/signups/{place.id}/attendance", data={"attended": "1"})
    assert resp.status_code == 303
    award = session.scalar(
        select(QualificationAward).where(QualificationAward.signup_id == place.id)
    )
    assert award is not None and award.user_id == w.volunteer.id


def test_the_home_page_and_roster_send_as_many_statements_for_many_gaps(
    client, session, count_queries
) -> None:
    """The panel and the roster's marks read in a fixed number of statements: one person
    lacking it or ten, on one shift or several."""
    w = kitchen(session)
    second = make_shift(session, w.task, starts_at=w.shift.starts_at + timedelta(days=1))
    for shift in (w.shift, second):
        shift.capacity = 20
    make_signup(session, w.shift, w.volunteer)
    session.flush()

    def counts() -> tuple[int, int]:
        login(client, w.coordinator)
        count_queries.count = 0
        assert "Qualifications that will have expired" in client.get("/").get_data(as_text=True)
        home = count_queries.count
        count_queries.count = 0
        client.get(f"/shifts/{w.shift.id}/roster")
        return home, count_queries.count

    few = counts()
    for n in range(10):
        person = make_member(session, w.nonprofit, Role.MEMBER)
        if n % 2:
            make_award(session, person, w.hygiene, expires_on=capacity.shift_day(second))
        make_signup(session, w.shift if n < 5 else second, person)
    assert counts() == few
