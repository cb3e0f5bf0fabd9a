"""The qualification rule through the API: 422 problem+json naming it (with its id), and the
roster's missing_qualifications."""

from __future__ import annotations

from datetime import timedelta

from coprod.db import utcnow
from coprod.services import capacity
from tests.api.conftest import is_problem
from tests.factories import (
    ShiftWorld,
    make_award,
    make_past_volunteer,
    make_qualification,
    make_signup,
)


def kitchen(session) -> ShiftWorld:
    w = ShiftWorld(session, starts_at=utcnow().replace(microsecond=0) + timedelta(days=7))
    w.hygiene = make_qualification(
        session, w.nonprofit, required_by=w.task, name="Food hygiene", how_to_get="Take the course."
    )
    return w


def test_signing_up_without_it_is_422_naming_it(session, as_user) -> None:
    w = kitchen(session)
    resp = as_user(w.volunteer).post(f"/shifts/{w.shift.id}/signups")
    assert is_problem(resp, 422)
    body = resp.get_json()
    assert body["qualification_id"] == w.hygiene.id
    assert "“Food hygiene”" in body["detail"] and "Take the course." in body["detail"]
    assert body["errors"]["qualification"] == [body["detail"]]
    make_award(session, w.volunteer, w.hygiene)
    assert as_user(w.volunteer).post(f"/shifts/{w.shift.id}/signups").status_code == 201


def test_assigning_without_it_is_422_naming_it(session, as_user) -> None:
    w = kitchen(session)
    make_past_volunteer(session, w.programme, w.volunteer)
    resp = as_user(w.coordinator).post(
        f"/shifts/{w.shift.id}/assignments", json={"user_id": w.volunteer.id}
    )
    assert is_problem(resp, 422)
    assert resp.get_json()["qualification_id"] == w.hygiene.id
    assert w.volunteer.display_name in resp.get_json()["detail"]


def test_the_roster_lists_what_each_person_will_lack(session, as_user) -> None:
    w = kitchen(session)
    day = capacity.shift_day(w.shift)
    make_award(session, w.volunteer, w.hygiene, expires_on=day - timedelta(days=1))
    lacking = make_signup(session, w.shift, w.volunteer)
    make_award(session, w.other_volunteer, w.hygiene)
    fine = make_signup(session, w.shift, w.other_volunteer)
    resp = as_user(w.coordinator).get(f"/shifts/{w.shift.id}/signups")
    assert resp.status_code == 200
    items = {i["id"]: i for i in resp.get_json()["items"]}
    [missing] = items[lacking.id]["missing_qualifications"]
    assert missing["qualification_id"] == w.hygiene.id
    assert missing["expired_on"] == (day - timedelta(days=1)).isoformat()
    assert "before this shift" in missing["message"]
    assert items[fine.id]["missing_qualifications"] == []
