"""Qualifications on the web: an organisation's list and its forms, a qualification's page with
holders, awarding and revoking for its verifiers, /my/qualifications, and the task form and
page."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from coprod.db import utcnow
from coprod.models import OrgKind, QualificationAward, Role, TaskStatus
from tests.conftest import login
from tests.factories import (
    ShiftWorld,
    add_partner,
    make_award,
    make_member,
    make_org,
    make_qualification,
    make_user,
)


def _text(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def org(session):
    return make_org(session, name="Food Bank Trust")


@pytest.fixture
def coordinator(session, org):
    return make_member(session, org, Role.COORDINATOR)


def test_the_organisation_page_links_to_a_public_list(client, session, org):
    make_qualification(session, org, name="Food hygiene", how_to_get="Take the 2-hour course.")
    assert f"/orgs/{org.id}/qualifications" in _text(client.get(f"/orgs/{org.id}"))
    page = _text(client.get(f"/orgs/{org.id}/qualifications"))
    assert "Food hygiene" in page and "Take the 2-hour course." in page and "1 year" in page
    assert "Define a qualification" not in page


def test_the_list_has_an_empty_state_and_a_define_button_for_coordinators(client, org, coordinator):
    login(client, coordinator)
    page = _text(client.get(f"/orgs/{org.id}/qualifications"))
    assert "has not defined any qualification yet" in page
    assert f"/orgs/{org.id}/qualifications/new" in page


def test_a_coordinator_defines_one_and_lands_on_its_page(client, session, org, coordinator):
    login(client, coordinator)
    response = client.post(
        f"/orgs/{org.id}/qualifications/new",
        data={"name": "Chainsaw", "how_to_get": "Ask Joe.", "validity_months": "36",
              "verifier": "coordinators"},
        follow_redirects=True,
    )  # fmt: skip
    page = _text(response)
    assert response.status_code == 200 and "“Chainsaw” is defined." in page and "3 years" in page


def test_a_bad_form_is_shown_again_with_messages_beside_the_fields(
    client, session, org, coordinator
):
    make_qualification(session, org, name="Chainsaw")
    login(client, coordinator)
    response = client.post(
        f"/orgs/{org.id}/qualifications/new",
        data={"name": "CHAINSAW", "description": "Keep me", "validity_months": "700",
              "verifier": "lead_agency"},
    )  # fmt: skip
    page = _text(response)
    assert response.status_code == 422
    assert "already has a qualification with this name" in page
    assert "from 1 to 600" in page and "Choose the programme" in page
    assert "Keep me" in page and 'id="validity_months-error"' in page


def test_members_and_strangers_cannot_define_one(client, session, org):
    login(client, make_member(session, org, Role.MEMBER))
    assert client.get(f"/orgs/{org.id}/qualifications/new").status_code == 403
    assert client.post(f"/orgs/{org.id}/qualifications/new", data={"name": "X"}).status_code == 403
    assert client.get("/orgs/999999/qualifications").status_code == 404


def test_editing_and_archiving(client, session, org, coordinator):
    q = make_qualification(session, org, name="Chainsaw")
    login(client, coordinator)
    form = _text(client.get(f"/qualifications/{q.id}/edit"))
    assert 'value="Chainsaw"' in form and 'value="12"' in form
    response = client.post(
        f"/qualifications/{q.id}/edit",
        data={"name": "Chainsaw basics", "validity_months": "", "verifier": "coordinators"},
        follow_redirects=True,
    )
    assert "Does not expire" in _text(response)
    client.post(f"/qualifications/{q.id}/archive", data={"archived": "yes"}, follow_redirects=True)
    assert "Chainsaw basics" not in _text(client.get(f"/orgs/{org.id}/qualifications"))
    assert "Chainsaw basics" in _text(client.get(f"/orgs/{org.id}/qualifications?archived=1"))
    client.post(f"/qualifications/{q.id}/archive", data={"archived": "no"})
    assert "Chainsaw basics" in _text(client.get(f"/orgs/{org.id}/qualifications"))
    login(client, make_user(session))
    assert client.get(f"/qualifications/{q.id}/edit").status_code == 403
    assert (
        client.post(f"/qualifications/{q.id}/archive", data={"archived": "yes"}).status_code == 403
    )


def test_the_public_page_hides_holders_and_the_award_form(client, session, org):
    q = make_qualification(session, org, name="Food hygiene")
    holder = make_user(session, display_name="Hana Holder")
    make_award(session, holder, q)
    page = _text(client.get(f"/qualifications/{q.id}"))
    assert "Food hygiene" in page and "Attend our course." in page
    assert "Hana Holder" not in page and "Award it to someone" not in page
    login(client, holder)
    assert "Hana Holder" not in _text(client.get(f"/qualifications/{q.id}"))
    assert client.get("/qualifications/999999").status_code == 404


def test_the_page_lists_the_trainings_to_come(client, session):
    world = ShiftWorld(session, starts_at=utcnow() + timedelta(days=3))
    q = make_qualification(session, world.nonprofit, name="Food hygiene")
    world.task.trains_qualification_id = q.id
    world.task.title = "Food hygiene course"
    session.flush()
    assert "Food hygiene course" in _text(client.get(f"/qualifications/{q.id}"))


def test_a_verifier_awards_by_email_and_sees_the_holder_with_state(
    client, session, org, coordinator
):
    q = make_qualification(session, org, name="Food hygiene")
    person = make_user(session, display_name="Pia Person")
    login(client, coordinator)
    page = _text(client.get(f"/qualifications/{q.id}"))
    assert "Award it to someone" in page and "Nobody holds it yet." in page
    response = client.post(
        f"/qualifications/{q.id}/awards",
        data={"email": person.email, "awarded_on": "2026-06-01", "evidence": "Cert 9"},
        follow_redirects=True,
    )
    page = _text(response)
    assert "Pia Person now holds “Food hygiene”." in page
    assert "Pia Person" in page and "Cert 9" in page and "Valid" in page


def test_an_unknown_address_and_a_future_day_are_refused_beside_their_fields(
    client, session, org, coordinator
):
    q = make_qualification(session, org)
    login(client, coordinator)
    response = client.post(
        f"/qualifications/{q.id}/awards",
        data={"email": "nobody@example.org", "awarded_on": "2099-01-01", "evidence": "Keep"},
    )
    page = _text(response)
    assert response.status_code == 422
    assert "Nobody with this email address can be awarded it" in page
    assert "cannot be in the future" in page and "Keep" in page
    assert session.scalars(select(QualificationAward)).all() == []


def test_only_verifiers_award_and_revoke(client, session, org):
    q = make_qualification(session, org)
    made = make_award(session, make_user(session), q)
    login(client, make_member(session, org, Role.MEMBER))
    data = {"email": made.holder.email, "awarded_on": "2026-06-01"}
    assert client.post(f"/qualifications/{q.id}/awards", data=data).status_code == 403
    assert client.get(f"/awards/{made.id}/revoke").status_code == 404
    login(client, made.holder)  # the holder sees their award, but may not revoke it
    assert client.get(f"/awards/{made.id}/revoke").status_code == 403


def test_revoking_asks_first_then_marks_the_award_revoked_once(client, session, org, coordinator):
    q = make_qualification(session, org, name="Food hygiene")
    made = make_award(session, make_user(session, display_name="Rob"), q)
    login(client, coordinator)
    confirm = client.get(f"/awards/{made.id}/revoke")
    assert confirm.status_code == 200 and "Revoke “Food hygiene” from Rob?" in _text(confirm)
    done = client.post(f"/awards/{made.id}/revoke", follow_redirects=True)
    assert "is revoked" in _text(done) and "Revoked" in _text(done)
    again = client.post(f"/awards/{made.id}/revoke")
    assert again.status_code == 422 and "already been revoked" in _text(again)


def test_my_qualifications_shows_states_and_keeps_skills(client, session, org):
    person = make_user(session)
    make_award(session, person, make_qualification(session, org, name="Old one"),
               awarded_on=date(2020, 1, 1))  # fmt: skip
    make_award(session, person, make_qualification(session, org, name="New one"))
    login(client, person)
    assert "/my/qualifications" in _text(client.get("/account"))
    page = _text(client.get("/my/qualifications"))
    assert page.index("New one") < page.index("Old one")
    assert "Expired" in page and "Valid" in page
    response = client.post(
        "/my/qualifications",
        data={"skills": "Cooking, first  aid", "open_to_invitations": "y"},
        follow_redirects=True,
    )
    assert 'value="cooking, first aid"' in _text(response)
    session.refresh(person)
    assert person.open_to_invitations is True
    bad = client.post("/my/qualifications", data={"skills": "x" * 50})
    assert bad.status_code == 422 and "at most 40 letters" in _text(bad)


def test_my_qualifications_has_an_empty_state_and_needs_a_login(client, session):
    assert client.get("/my/qualifications").status_code == 302
    login(client, make_user(session))
    assert "You hold no qualification yet." in _text(client.get("/my/qualifications"))


# --- the task form and page ---------------------------------------------------------------


@pytest.fixture
def world(session, now):
    w = ShiftWorld(session, status=TaskStatus.DRAFT, starts_at=now + timedelta(days=3))
    add_partner(session, w.programme, w.nonprofit)
    return w


def test_the_task_form_offers_and_saves_qualifications_training_and_skills(client, session, world):
    kitchen = make_qualification(session, world.nonprofit, name="Kitchen safety")
    course = make_qualification(session, world.agency, name="First aid")
    make_qualification(session, world.agency, name="Retired", archived_at=world.task.created_at)
    make_qualification(session, make_org(session, OrgKind.AGENCY), name="Elsewhere")
    login(client, world.lead_staff)
    form = _text(client.get(f"/tasks/{world.task.id}/edit"))
    assert "Kitchen safety" in form and "First aid" in form
    assert "Retired" not in form and "Elsewhere" not in form
    response = client.post(
        f"/tasks/{world.task.id}/edit",
        data={"title": "Kitchen", "required_qualification_ids": [str(kitchen.id)],
              "trains_qualification_id": str(course.id), "skills": "Cooking"},
        follow_redirects=True,
    )  # fmt: skip
    page = _text(response)
    assert "You need: " in page and "Kitchen safety" in page and "Attend our course." in page
    assert "This is a training for " in page and "attending awards it" in page
    assert "Skills it uses: cooking" in page


def test_the_task_form_refuses_a_qualification_not_offered_beside_the_field(client, session, world):
    foreign = make_qualification(session, make_org(session))
    login(client, world.lead_staff)
    response = client.post(
        f"/tasks/{world.task.id}/edit",
        data={"title": "Kitchen", "required_qualification_ids": [str(foreign.id)]},
    )
    assert response.status_code == 422
    assert 'id="required_qualification_ids-error"' in _text(response)
    assert world.task.required_qualifications == []
