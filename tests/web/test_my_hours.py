"""My hours (/my/hours and its CSV) and the privacy notice (/privacy, the footer link, the
registration form, the version recorded when someone registers)."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from sqlalchemy import select

from config import TestConfig, UnsafeConfig
from coprod import create_app
from coprod.models import OrgKind, Role, User
from tests.conftest import login
from tests.factories import add_role, make_log, make_org, make_programme, make_task, make_user


def _logs(session):
    me = make_user(session)
    task = make_task(session, make_programme(session, name="Food bank"), title="Sorting")
    club = make_org(session, OrgKind.COMMUNITY, name="Running club")
    add_role(session, me, club, Role.COORDINATOR)
    make_log(session, user=me, task=task, status="approved", hours="3", on=date(2026, 5, 1))
    make_log(
        session,
        user=me,
        task=task,
        status="approved",
        hours="1.5",
        on=date(2025, 5, 1),
        organisation_id=club.id,
    )
    make_log(session, user=me, task=task, status="submitted", hours="6", on=date(2026, 5, 2))
    make_log(
        session,
        user=me,
        task=task,
        status="changes_requested",
        hours="2",
        review_comment="Which day?",
    )
    make_log(session, user=me, task=task, status="rejected", hours="9")
    return me, task, club


def test_my_hours_shows_approved_totals_and_open_logs_apart(client, session) -> None:
    me, task, _club = _logs(session)
    make_log(session, task=task, status="approved", hours="8")  # someone else's
    page = login(client, me).get("/my/hours")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "<strong>4.5</strong>, from 2 logs" in text
    assert "Food bank" in text and "Running club" in text and "Myself" in text
    assert "2026" in text and "2025" in text
    assert "Which day?" in text  # the sent-back log, with the reviewer's words
    assert "Waiting for review" in text and "6 h" in text
    assert "9 h" not in text and "8 h" not in text
    assert 'href="/my/hours.csv"' in text


def test_my_hours_with_nothing_logged_says_so(client, session) -> None:
    text = login(client, make_user(session)).get("/my/hours").get_data(as_text=True)
    assert "No approved hours yet." in text
    assert "no log of yours is waiting for review" in text


def test_my_hours_needs_signing_in(client, session) -> None:
    assert client.get("/my/hours").status_code in (302, 303)
    assert client.get("/my/hours.csv").status_code in (302, 303)


def test_my_hours_is_linked_from_home_and_account(client, session) -> None:
    login(client, make_user(session))
    assert 'href="/my/hours"' in client.get("/").get_data(as_text=True)
    assert 'href="/my/hours"' in client.get("/account").get_data(as_text=True)


def test_the_csv_downloads_every_log_of_mine_and_no_one_elses(client, session) -> None:
    me, task, _club = _logs(session)
    make_log(session, task=task, status="approved", hours="8")
    resp = login(client, me).get("/my/hours.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert "attachment" in resp.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0] == [
        "date",
        "task",
        "programme",
        "organisation",
        "hours",
        "status",
        "reviewed_at",
    ]
    assert len(rows) == 1 + 5
    assert {r[5] for r in rows[1:]} == {
        "Approved",
        "Waiting for review",
        "Changes requested",
        "Rejected",
    }
    assert "8" not in {r[4].rstrip("0").rstrip(".") for r in rows[1:]}


def test_the_csv_headers_and_words_are_in_the_readers_language(client, session) -> None:
    me, *_ = _logs(session)
    resp = login(client, me).get("/my/hours.csv", headers={"Accept-Language": "es"})
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    assert rows[0][1] == "tarea" and rows[0][3] == "organización" and rows[0][4] == "horas"
    assert "Aprobado" in {r[5] for r in rows[1:]} and "Yo mismo/a" in {r[3] for r in rows[1:]}


# --- privacy notice --------------------------------------------------------------------


def test_the_privacy_notice_is_public_and_states_the_configured_figures(app, client) -> None:
    old = {k: app.config[k] for k in ("RETENTION_EMAIL_DAYS", "PRIVACY_NOTICE_VERSION")}
    app.config.update(RETENTION_EMAIL_DAYS=45, PRIVACY_NOTICE_VERSION="2027-01-01")
    try:
        page = client.get("/privacy")
    finally:
        app.config.update(old)
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "deleted 45 days after it is sent" in text
    assert "removed after 730 days" in text
    assert "signed in to for 3 years" in text
    assert "Version 2027-01-01" in text


def test_every_page_links_the_privacy_notice_in_its_footer(client, session) -> None:
    for path in ("/", "/login", "/tasks"):
        footer = client.get(path).get_data(as_text=True).split("<footer", 1)[1]
        assert 'href="/privacy"' in footer, path
    login(client, make_user(session))
    footer = client.get("/my/hours").get_data(as_text=True).split("<footer", 1)[1]
    assert 'href="/privacy"' in footer


def test_the_registration_form_says_registering_accepts_the_notice(client) -> None:
    text = client.get("/register").get_data(as_text=True)
    assert "By creating an account you accept the" in text
    assert 'href="/privacy"' in text.split("<footer", 1)[0]


def test_registering_records_the_notice_version_accepted(app, client, session) -> None:
    resp = client.post(
        "/register",
        data={"display_name": "Ana", "email": "ana@example.org", "password": "a long secret pw"},
    )
    assert resp.status_code == 303
    user = session.scalar(select(User).where(User.email == "ana@example.org"))
    assert user is not None
    assert user.privacy_notice_version == app.config["PRIVACY_NOTICE_VERSION"] == "2026-12-02"


@pytest.mark.parametrize("version", ["", "x" * 21])
def test_a_notice_version_that_cannot_be_stored_stops_the_app(version) -> None:
    with pytest.raises(UnsafeConfig):
        create_app(TestConfig, PRIVACY_NOTICE_VERSION=version)
