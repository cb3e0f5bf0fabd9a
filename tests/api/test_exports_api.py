from __future__ import annotations

from tests.api.conftest import is_problem
from tests.services.test_exports import OTHER_EMAIL, OTHER_NAME, ExportWorld, unzip


def test_get_me_export_returns_the_zip_of_the_tokens_owner(as_user, session):
    ex = ExportWorld(session)
    resp = as_user(ex.person).get("/me/export")
    assert resp.status_code == 200 and resp.mimetype == "application/zip"
    assert "attachment" in resp.headers["Content-Disposition"]
    files = unzip(resp.data)
    assert {"README.txt", "data.json", "logs.csv", "audit_entries.csv"} <= set(files)
    assert "vera@example.org" in files["data.json"]
    assert OTHER_EMAIL not in files["data.json"] and OTHER_NAME not in files["data.json"]
    # the token used for the call is listed by name, its secret nowhere
    assert "My spreadsheet" in files["api_tokens.csv"]


def test_without_a_token_there_is_no_export(as_user, session):
    ExportWorld(session)
    assert is_problem(as_user(None).get("/me/export"), 401)


def test_a_big_export_answers_202_and_comes_by_email(app, as_user, session):
    from sqlalchemy import func, select

    from coprod.models import DataExport

    ex = ExportWorld(session)
    app.config["EXPORT_INLINE_MAX_ROWS"] = 2
    try:
        resp = as_user(ex.person).get("/me/export")
    finally:
        app.config["EXPORT_INLINE_MAX_ROWS"] = 10000
    assert resp.status_code == 202 and "email" in resp.get_json()["detail"]
    waiting = select(func.count()).where(DataExport.user_id == ex.person.id)
    assert session.scalar(waiting) == 1
