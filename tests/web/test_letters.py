"""Service letter pages: asking for one, the printable page and PDF, revoking with a
confirmation, the public check page, and the programme's signature line."""

from __future__ import annotations

from datetime import date

import pytest

from coprod.extensions import limiter
from coprod.models import LogStatus, OrgKind, Role, ServiceLetter
from coprod.services import letters
from tests.conftest import login
from tests.factories import make_log, make_member, make_org, make_programme, make_task, make_user


@pytest.fixture(autouse=True)
def _fresh_limits():
    """Checks of codes share one budget per address: each test starts and ends with it full."""
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def world(session):
    agency = make_org(session, OrgKind.AGENCY, name="Ciudad de Lumen")
    programme = make_programme(session, agency, name="Food bank", letter_signatory="Ana Ruiz")
    task = make_task(session, programme, title="Sorting")
    me = make_user(session, display_name="Marta Núñez", email="marta@example.org", phone="+34 600")
    make_log(
        session, user=me, task=task, hours="2.5", on=date(2026, 2, 1), status=LogStatus.APPROVED
    )
    return {"agency": agency, "programme": programme, "me": me}


def ask(client, **form):
    data = {"from_date": "2026-01-01", "to_date": "2026-06-30", "programme_id": "", **form}
    return client.post("/account/letters", data=data)


def test_a_volunteer_asks_for_a_letter_and_reads_it(client, session, world):
    login(client, world["me"])
    assert b"Make the letter" in client.get("/account/letters").data
    response = ask(client)
    assert response.status_code == 303
    page = client.get(response.headers["Location"])
    text = page.get_data(as_text=True)
    letter = session.query(ServiceLetter).one()
    assert "Marta Núñez" in text and "2.5" in text and "Ana Ruiz" in text
    assert letter.code in text and "data:image/svg+xml" in text  # the QR code
    assert f"/verify/{letter.code}" in text


def test_a_wrong_period_is_shown_beside_the_field(client, world):
    login(client, world["me"])
    response = ask(client, to_date="2025-01-01")
    assert response.status_code == 422
    assert "The last day must be on or after the first day." in response.get_data(as_text=True)
    assert ask(client, from_date="1-1-1").status_code == 422
    assert ask(client, programme_id="abc").status_code == 422


def test_the_pdf_downloads(client, session, world, now):
    letter = letters.issue_letter(
        session, world["me"], from_date="2026-01-01", to_date="2026-06-30", now=now
    )
    login(client, world["me"])
    response = client.get(f"/account/letters/{letter.id}/pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF") and letter.code.encode() in response.data


def test_the_check_page_shows_the_figures_and_nothing_else_about_the_person(
    client, session, world, now
):
    letter = letters.issue_letter(
        session, world["me"], from_date="2026-01-01", to_date="2026-06-30", now=now
    )
    response = client.get(f"/verify/{letter.code}")  # no one signed in
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "This service letter is genuine" in text
    assert "Marta Núñez" in text and "2.5" in text and "Sorting" in text
    assert "marta@example.org" not in text and "+34 600" not in text
    assert response.headers["Cache-Control"] == "no-store"


def test_a_revoked_code_is_not_valid(client, session, world, now):
    letter = letters.issue_letter(
        session, world["me"], from_date="2026-01-01", to_date="2026-06-30", now=now
    )
    login(client, world["me"])
    confirm = client.get(f"/account/letters/{letter.id}/revoke")
    assert b"Revoke the letter" in confirm.data
    assert client.post(f"/account/letters/{letter.id}/revoke").status_code == 303
    response = client.get(f"/verify/{letter.code}")
    assert response.status_code == 404 and b"Not valid" in response.data
    assert b"Marta" not in response.data


def test_someone_else_cannot_see_download_or_revoke_a_letter(client, session, world, now):
    letter = letters.issue_letter(
        session, world["me"], from_date="2026-01-01", to_date="2026-06-30", now=now
    )
    login(client, make_user(session))
    for path in ("", "/pdf", "/revoke"):
        assert client.get(f"/account/letters/{letter.id}{path}").status_code == 404
    assert client.post(f"/account/letters/{letter.id}/revoke").status_code == 404
    assert letter.revoked_at is None


def test_the_letter_pages_need_an_account_but_the_check_does_not(client, session, world, now):
    assert client.get("/account/letters").status_code == 302
    assert client.get("/verify/unknown-code").status_code == 404


def test_checking_codes_is_rate_limited(client, app):
    statuses = [client.get(f"/verify/guess-{n}").status_code for n in range(40)]
    assert statuses[0] == 404 and statuses[-1] == 429


def test_a_volunteer_without_approved_hours_is_told_so(client, session):
    login(client, make_user(session))
    assert b"You have no approved hours yet" in client.get("/account/letters").data


def test_lead_staff_set_the_signature_line_on_the_programme(client, session, world):
    staff = make_member(session, world["agency"], Role.STAFF)
    login(client, staff)
    programme = world["programme"]
    form = client.get(f"/programmes/{programme.id}/edit")
    assert b"Signature line on service letters" in form.data
    data = {
        "name": programme.name,
        "starts_on": programme.starts_on.isoformat(),
        "currency": programme.currency,
        "timezone": "",
        "letter_signatory": "Luis Gómez, Director de Voluntariado",
    }
    assert client.post(f"/programmes/{programme.id}/edit", data=data).status_code in (302, 303)
    session.refresh(programme)
    assert programme.letter_signatory == "Luis Gómez, Director de Voluntariado"
    data["letter_signatory"] = "x" * 201
    assert client.post(f"/programmes/{programme.id}/edit", data=data).status_code == 422
