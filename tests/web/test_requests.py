"""What every signed-in request pays, and what it must still get right: the person's roles
from memory (yet a change made by another process shows on the next request), one database
connection per request, and a lost or unreachable database handled without a 500."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import Engine, event, make_url, select, text

from coprod.db import PinnedSession, db, make_engine, unit_of_work
from coprod.models import OrgKind, Role, Task
from coprod.services import accounts, organisations
from tests.api.conftest import is_problem
from tests.conftest import NOW, PG_URL, login
from tests.factories import PASSWORD, make_member, make_org


def _has_review_link(response: Any) -> bool:
    return b'href="/review"' in response.data


def test_a_role_removed_elsewhere_is_gone_on_the_next_request(
    client, session, count_queries
) -> None:
    agency = make_org(session, OrgKind.AGENCY)
    admin = make_member(session, agency, Role.ADMIN)
    reviewer = make_member(session, agency, Role.REVIEWER)
    login(client, reviewer)
    assert _has_review_link(client.get("/privacy"))
    count_queries.count = 0
    assert _has_review_link(client.get("/privacy"))
    assert count_queries.count == 1  # the person's row; their roles came from memory

    # Another process (here the test's own session, which never touches this process's
    # memory) removes the role and commits.
    organisations.remove_member(session, admin, agency, reviewer)
    session.flush()

    count_queries.count = 0
    page = client.get("/privacy")
    assert not _has_review_link(page)
    assert count_queries.count == 2  # a new roles_version: the roles are read again
    assert client.get("/review").status_code in (403, 404)


def test_a_role_given_elsewhere_shows_on_the_next_request(client, session) -> None:
    agency = make_org(session, OrgKind.AGENCY)
    admin = make_member(session, agency, Role.ADMIN)
    person = make_member(session, agency, Role.MEMBER)
    login(client, person)
    assert not _has_review_link(client.get("/privacy"))
    organisations.set_roles(session, admin, agency, person, ["reviewer"])
    session.flush()
    assert _has_review_link(client.get("/privacy"))


def test_a_password_changed_elsewhere_signs_the_other_sessions_out(client, session) -> None:
    person = make_member(session, make_org(session), Role.COORDINATOR)
    login(client, person)
    assert client.get("/account").status_code == 200
    accounts.change_password(
        session, person, current=PASSWORD, new="a whole new passphrase 7", now=NOW
    )
    session.flush()
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


# --- connections -------------------------------------------------------------------------


@pytest.fixture
def own_engine(engine: Engine) -> Iterator[Any]:
    """Point the app at an engine of its own (a pool of real connections) for one test."""
    made: list[Engine] = []

    def use(url: str) -> Engine:
        new = make_engine(url)
        made.append(new)
        db.configure(new)
        return new

    try:
        yield use
    finally:
        db.configure(engine)
        for e in made:
            e.dispose()


def _checkouts(eng: Engine) -> list[int]:
    seen = [0]
    event.listen(eng.pool, "checkout", lambda *_a: seen.__setitem__(0, seen[0] + 1))
    return seen


def test_a_session_that_commits_and_reads_again_keeps_its_one_connection(
    committed_engine: Engine,
) -> None:
    seen = _checkouts(committed_engine)
    session = PinnedSession(bind=committed_engine)
    try:
        session.execute(text("SELECT 1"))
        session.commit()
        session.execute(text("SELECT 2"))
        session.rollback()
        session.execute(text("SELECT 3"))
    finally:
        session.close()
    assert seen[0] == 1
    assert committed_engine.pool.checkedout() == 0  # given back when the session closed


def test_an_unreachable_database_is_a_503_saying_so_on_every_door(
    app: Flask, own_engine: Any
) -> None:
    own_engine("postgresql://postgres@127.0.0.1:1/nowhere?connect_timeout=2")
    client = app.test_client()
    page = client.get("/tasks")
    assert page.status_code == 503
    assert b"not answering" in page.data
    assert is_problem(client.get("/api/v1/tasks"), 503)
    with client.session_transaction() as sess:  # a signed-in person: the check of who they are
        sess["_user_id"], sess["_fresh"] = "1:1", True
    page = client.get("/my/schedule")
    assert page.status_code == 503
    assert b"not answering" in page.data


@pytest.mark.postgres
def test_a_request_on_a_connection_the_server_ended_is_run_again_and_the_next_works(
    app: Flask, committed_engine: Engine, own_engine: Any, caplog: pytest.LogCaptureFixture
) -> None:
    url = make_url(PG_URL).update_query_dict({"application_name": "coprod_lost_test"})
    eng = own_engine(url.render_as_string(hide_password=False))
    with eng.begin() as conn:
        conn.execute(
            text(
                'INSERT INTO "user" (email, display_name, password_hash, is_site_admin, '
                "is_active, session_version, roles_version, calendar_token, created_at, "
                "open_to_invitations) VALUES ('lost@example.org', 'Lost', 'x', false, true, 1, "
                "0, 'lost-token', now(), false)"
            )
        )
        user_id = conn.execute(
            text("SELECT id FROM \"user\" WHERE email = 'lost@example.org'")
        ).scalar_one()
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"], sess["_fresh"] = f"{user_id}:1", True
    assert client.get("/my/schedule").status_code == 200
    assert client.get("/tasks").status_code == 200

    with committed_engine.connect() as admin:
        ended = admin.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'coprod_lost_test'"
            )
        ).scalar_one()
        admin.commit()
    assert ended >= 1

    # The signed-in request meets the dead connection in the check of who is signed in, the
    # visitor's in its view: each runs again on a new connection.
    caplog.clear()
    assert client.get("/my/schedule").status_code == 200
    assert "database connection lost" in caplog.text  # it did meet the dead connection
    assert client.get("/my/schedule").status_code == 200
    with committed_engine.connect() as admin:
        admin.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'coprod_lost_test'"
            )
        )
        admin.commit()
    visitor = app.test_client()
    caplog.clear()
    assert visitor.get("/tasks").status_code == 200
    assert "database connection lost" in caplog.text
    assert visitor.get("/tasks").status_code == 200


def _prepared(eng: Engine) -> list[tuple[str, int]]:
    """The statements prepared on the engine's one pooled connection, with their generic plans."""
    with eng.connect() as conn:
        rows = conn.execute(
            text("SELECT statement, generic_plans FROM pg_prepared_statements")
        ).all()
        conn.commit()
    return [(str(r[0]), int(r[1])) for r in rows]


@pytest.mark.postgres
def test_a_page_read_again_and_again_is_not_planned_again_each_time(
    app: Flask, committed_engine: Engine, own_engine: Any
) -> None:
    """psycopg prepares a statement run five times on a connection, and PostgreSQL then plans
    it once; but psycopg forgets them all at a ROLLBACK, which ended every request that only
    read. Such a request now ends with COMMIT, so its statements stay prepared."""
    eng = own_engine(PG_URL)
    client = app.test_client()
    for _ in range(12):
        assert client.get("/api/v1/tasks").status_code == 200
    assert eng.pool.checkedout() == 0 and eng.pool.size() >= 1
    prepared = _prepared(eng)
    from_tasks = [generic for statement, generic in prepared if "FROM task" in statement]
    assert from_tasks, prepared
    assert max(from_tasks) >= 1  # planned once, then run with that plan


@pytest.mark.postgres
def test_a_search_is_planned_for_its_own_words_every_time(
    app: Flask, committed_engine: Engine, own_engine: Any
) -> None:
    """A pattern's best plan depends on the pattern (a rare word: read the trigram index; a
    common one: walk the list in order), so statements with LIKE or ILIKE are never prepared."""
    eng = own_engine(PG_URL)
    client = app.test_client()
    for _ in range(12):
        assert client.get("/tasks?q=garden").status_code == 200
        assert client.get("/tasks").status_code == 200
    prepared = _prepared(eng)
    assert any("FROM task" in statement for statement, _ in prepared)  # the plain list's
    assert not [s for s, _ in prepared if "LIKE" in s.upper()]


@pytest.mark.postgres
def test_a_job_plans_each_of_its_statements_for_its_own_values(
    app: Flask, committed_engine: Engine, own_engine: Any
) -> None:
    """Outside a web request (jobs, commands) nothing is prepared: the report builder runs the
    same statements for period after period, and one plan for all of them was slower."""
    eng = own_engine(PG_URL)
    with app.app_context():
        for _ in range(12):
            with unit_of_work() as session:
                session.execute(select(Task.id).where(Task.id > 0).limit(1)).all()
    assert not [s for s, _ in _prepared(eng) if "FROM task" in s]


@pytest.mark.postgres
def test_a_transaction_that_wrote_is_still_rolled_back_when_not_committed(
    committed_engine: Engine,
) -> None:
    """Only a transaction that ran nothing but SELECTs is ended with COMMIT: one that wrote,
    however it wrote, loses its writes when it ends without a commit."""
    eng = make_engine(PG_URL)
    try:
        with eng.begin() as conn:
            conn.execute(text("CREATE TABLE IF NOT EXISTS kept (n int)"))
        for write in (
            "INSERT INTO kept VALUES (1)",
            "WITH x AS (INSERT INTO kept VALUES (2) RETURNING n) SELECT n FROM x",
        ):
            session = PinnedSession(bind=eng)
            try:
                session.execute(text("SELECT 1"))
                session.execute(text(write))
            finally:
                session.close()
        session = PinnedSession(bind=eng)
        try:
            assert session.execute(text("SELECT count(*) FROM kept")).scalar_one() == 0
        finally:
            session.close()
    finally:
        with eng.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS kept"))
        eng.dispose()
