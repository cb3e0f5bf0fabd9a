"""GET /api/v1/me/hours: the My hours totals as JSON, from the same service; and POST
/api/v1/accounts records the privacy notice version accepted."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from coprod.models import OrgKind, Role, User
from tests.api.conftest import is_problem
from tests.factories import add_role, make_log, make_org, make_programme, make_task, make_user


def test_my_hours_needs_a_token(as_user) -> None:
    assert is_problem(as_user(None).get("/me/hours"), 401)


def test_my_hours_gives_the_approved_totals_and_open_logs(as_user, session) -> None:
    me = make_user(session)
    task = make_task(session, make_programme(session, name="Food bank"))
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
    waiting = make_log(session, user=me, task=task, status="submitted", hours="6")
    back = make_log(session, user=me, task=task, status="changes_requested")
    for status in ("rejected", "withdrawn", "superseded"):
        make_log(session, user=me, task=task, status=status, hours="5")
    make_log(session, task=task, status="approved", hours="8")  # someone else's

    body = as_user(me).get("/me/hours").get_json()
    assert (body["hours"], body["logs"]) == (4.5, 2)
    assert [(p["programme_name"], p["hours"]) for p in body["by_programme"]] == [("Food bank", 4.5)]
    assert [
        (o["organisation_id"], o["organisation_name"], o["hours"]) for o in body["by_organisation"]
    ] == [
        (None, None, 3),
        (club.id, "Running club", 1.5),
    ]
    assert [(y["year"], y["hours"]) for y in body["by_year"]] == [(2026, 3), (2025, 1.5)]
    assert [log["id"] for log in body["pending"]] == [waiting.id] and body["pending_total"] == 1
    assert [log["id"] for log in body["sent_back"]] == [back.id]
    assert body["sent_back_total"] == 1


def test_registering_through_the_api_records_the_notice_version(app, as_user, session) -> None:
    body = {"email": "api-new@example.org", "password": "a long secret pw", "display_name": "Jo"}
    assert as_user(None).post("/accounts", body).status_code == 202
    user = session.scalar(select(User).where(User.email == "api-new@example.org"))
    assert user is not None
    assert user.privacy_notice_version == app.config["PRIVACY_NOTICE_VERSION"]
