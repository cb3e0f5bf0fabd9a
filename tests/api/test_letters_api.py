"""The service letter API: POST /me/letters, list, PDF, revoke; GET /verify/{code} public."""

from __future__ import annotations

from datetime import date

import pytest

from coprod.models import LogStatus, OrgKind
from tests.api.conftest import is_problem
from tests.factories import make_log, make_org, make_programme, make_task, make_user


@pytest.fixture
def world(session):
    agency = make_org(session, OrgKind.AGENCY, name="Ciudad de Lumen")
    programme = make_programme(session, agency, name="Food bank")
    task = make_task(session, programme, title="Sorting")
    me = make_user(session, display_name="Marta Núñez", email="marta@example.org")
    for day, hours in ((1, "2"), (2, "1.5")):
        make_log(
            session,
            user=me,
            task=task,
            hours=hours,
            on=date(2026, 2, day),
            status=LogStatus.APPROVED,
        )
    return {"programme": programme, "me": me}


BODY = {"from": "2026-01-01", "to": "2026-06-30"}


def test_a_letter_is_made_and_verified_without_a_token(as_user, world):
    api = as_user(world["me"])
    response = api.post("/me/letters", json={**BODY, "programme_id": world["programme"].id})
    assert response.status_code == 201
    body = response.get_json()
    assert body["hours_total"] == 3.5
    assert body["url"].endswith(f"/verify/{body['code']}")
    assert body["pdf_url"].endswith(f"/api/v1/me/letters/{body['id']}/pdf")
    assert body["programmes"][0]["tasks"][0]["days"] == 2
    pdf = api.get(f"/me/letters/{body['id']}/pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

    check = as_user(None).get(f"/verify/{body['code']}")
    assert check.status_code == 200
    found = check.get_json()
    assert found["valid"] is True and found["differs_now"] is False
    assert found["hours_total"] == 3.5 and found["holder_name"] == "Marta Núñez"
    assert "marta@example.org" not in check.get_data(as_text=True)


def test_a_revoked_letter_no_longer_verifies(as_user, world):
    api = as_user(world["me"])
    code = api.post("/me/letters", json=BODY).get_json()
    assert api.delete(f"/me/letters/{code['id']}").status_code == 204
    assert is_problem(as_user(None).get(f"/verify/{code['code']}"), 404)
    listed = api.get("/me/letters").get_json()["items"]
    assert listed[0]["revoked_at"] is not None


@pytest.mark.parametrize(
    "body",
    [
        {"from": "2026-06-30", "to": "2026-01-01"},
        {"from": "0001-01-01", "to": "2026-01-01"},
        {"from": "2026-01-01"},
        {**BODY, "programme_id": 2**40},
        {**BODY, "programme_id": 99999},
        {"from": "2020-01-01", "to": "2020-12-31"},
    ],
)
def test_bad_periods_are_problems(as_user, world, body):
    assert is_problem(as_user(world["me"]).post("/me/letters", json=body), 422)


def test_letters_need_a_token_and_are_their_holders_alone(as_user, session, world):
    assert is_problem(as_user(None).post("/me/letters", json=BODY), 401)
    letter = as_user(world["me"]).post("/me/letters", json=BODY).get_json()
    stranger = as_user(make_user(session))
    assert is_problem(stranger.get(f"/me/letters/{letter['id']}"), 404)
    assert is_problem(stranger.get(f"/me/letters/{letter['id']}/pdf"), 404)
    assert is_problem(stranger.delete(f"/me/letters/{letter['id']}"), 404)
    assert stranger.get("/me/letters").get_json()["items"] == []


def test_lead_staff_set_the_signature_line_through_the_api(as_user, session, world):
    from coprod.models import Role
    from tests.factories import make_member

    programme = world["programme"]
    staff = as_user(make_member(session, programme.lead_organisation, Role.STAFF))
    path = f"/programmes/{programme.id}"
    response = staff.patch(path, json={"letter_signatory": "Ana Ruiz, Directora"})
    assert response.status_code == 200
    assert response.get_json()["letter_signatory"] == "Ana Ruiz, Directora"
    assert is_problem(staff.patch(path, json={"letter_signatory": "x" * 201}), 422)
    assert is_problem(as_user(world["me"]).patch(path, json={"letter_signatory": "Me"}), 403)
