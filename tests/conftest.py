"""One suite, two databases: SQLite by default, PostgreSQL when COPROD_TEST_DATABASE_URL is set.

Migrations run once per session. Each test runs inside a transaction rolled back at the end
(the "join an external transaction" recipe: the app's commits release savepoints). A module
that builds its world once (`module_connection`: the demo world, a big mixed world) keeps it
in a module-wide transaction, and each of its tests runs in a savepoint rolled back after it.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection, Engine, event, make_url, text
from sqlalchemy.orm import Session

from config import TestConfig
from coprod import create_app
from coprod.db import Base, db, make_engine
from coprod.demo import load_demo_data
from coprod.migrate import upgrade


def _worker_url(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database beside the given one
    (coprod_ci_gw0, coprod_ci_gw1, ...), made on first use, so two workers never share rows."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not url or not worker:
        return url
    given = make_url(url)
    return given.set(database=f"{given.database}_{worker}").render_as_string(hide_password=False)


BASE_PG_URL = os.environ.get("COPROD_TEST_DATABASE_URL", "")
PG_URL = _worker_url(BASE_PG_URL)
# A fixed clock for service tests: Saturday 2026-06-13, 10:00 UTC.
NOW = datetime(2026, 6, 13, 10, 0, tzinfo=UTC)


def _create_worker_database(url: str) -> None:
    if url == BASE_PG_URL:
        return
    name = make_url(url).database
    admin = make_engine(BASE_PG_URL).execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        found = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if found.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        # A throwaway database: a commit need not wait for the WAL to reach the disk (the
        # migration and concurrency tests commit often). Locks and visibility are unchanged.
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit TO off'))
    admin.dispose()


def _reset_postgres(url: str) -> None:
    _create_worker_database(url)
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The migrated test database of this session (a fresh SQLite file, or PostgreSQL)."""
    if PG_URL:
        _reset_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite'}"
    upgrade(url)
    return url


@pytest.fixture(scope="session")
def app(database_url: str) -> Flask:
    return create_app(TestConfig, DATABASE_URL=database_url, WTF_CSRF_ENABLED=False)


@pytest.fixture(scope="session")
def engine(app: Flask) -> Engine:
    assert db.engine is not None
    return db.engine


@pytest.fixture(scope="module")
def module_connection(engine: Engine) -> Iterator[Connection]:
    """One connection for a whole test module, whose outer transaction is rolled back after
    the module's last test: a world a module builds once (a module-scoped fixture writing
    through `module_session`) lives in it, and each test of the module runs inside a
    savepoint on it (the `session` fixture), rolled back after the test.

    A module that shares a world marks every test with it
    (`pytestmark = pytest.mark.usefixtures(...)`): on SQLite this connection holds the write
    lock for the whole module, so a test on a connection of its own would wait for it."""
    connection = engine.connect()
    outer = connection.begin()
    try:
        yield connection
    finally:
        if outer.is_active:
            outer.rollback()
        connection.close()


@contextmanager
def module_session(connection: Connection) -> Iterator[Session]:
    """A session for building a module's shared world: what it commits stays in the module's
    outer transaction (its commit only releases its savepoint)."""
    with Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as builder:
        yield builder
        builder.commit()


@pytest.fixture(scope="module")
def demo_world(module_connection: Connection) -> None:
    """The demo world (dated from the real clock, like the live site), built once for the test
    module in the module's transaction; each test sees it as built."""
    with module_session(module_connection) as builder:
        load_demo_data(builder)


@pytest.fixture
def session(request: pytest.FixtureRequest, engine: Engine) -> Iterator[Session]:
    """The test's own session, on one connection whose outer transaction is rolled back.

    The app's scoped session is bound to the same connection, so requests see what the test
    flushed; each side's commit only releases its savepoint. Objects the test holds do not
    see what a request changed until re-read (`session.refresh(obj)` or `session.get`).

    In a module with a shared world (`module_connection`) the test runs on the module's
    connection inside a savepoint rolled back after it, so the next test sees the world as
    it was built.
    """
    shared = "module_connection" in request.fixturenames
    if shared:
        connection = request.getfixturevalue("module_connection")
        module_outer = connection.get_transaction()
        assert module_outer is not None and module_outer.is_active
        own = connection.begin_nested()
    else:
        connection = engine.connect()
        own = connection.begin()
    db.session.remove()
    db.session.configure(bind=connection, join_transaction_mode="create_savepoint")
    test_session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield test_session
    finally:
        test_session.close()
        db.session.remove()
        db.session.configure(bind=engine, join_transaction_mode="conditional_savepoint")
        if shared:
            # The next test of the module must find the world as it was built: a test that
            # ended its savepoint or the module's transaction could leave it its own changes.
            assert own.is_active and module_outer.is_active, "a test ended the shared transaction"
            own.rollback()
        else:
            if own.is_active:
                own.rollback()
            connection.close()


@pytest.fixture
def client(app: Flask, session: Any) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def now() -> datetime:
    return NOW


class QueryCounter:
    def __init__(self) -> None:
        self.count = 0
        self.statements: list[str] = []


@pytest.fixture
def count_queries(engine: Engine) -> Iterator[QueryCounter]:
    """Counts SQL statements sent while the test runs (savepoint chatter excluded)."""
    counter = QueryCounter()

    def _before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "SAVEPOINT" not in statement.upper():
            counter.count += 1
            counter.statements.append(statement)

    event.listen(engine, "before_cursor_execute", _before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", _before)


@pytest.fixture
def committed_engine(tmp_path: Path, database_url: str) -> Iterator[Engine]:
    """A database whose transactions really commit (for concurrency tests); emptied after."""
    if PG_URL:
        eng = make_engine(PG_URL)
    else:
        url = f"sqlite:///{tmp_path / 'concurrent.sqlite'}"
        upgrade(url)
        eng = make_engine(url)
    try:
        yield eng
    finally:
        if PG_URL:
            names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
            with eng.begin() as conn:
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        eng.dispose()


def _refuse_half_shared_modules(items: list[pytest.Item]) -> None:
    """In a module with a shared world every test that touches the database must run on the
    module's connection: on its own connection it would wait for the module's write lock
    (SQLite) or its uncommitted rows (PostgreSQL), and it would not see the world. For the
    same reason no test there may commit for real (`committed_engine`)."""
    shared = {item.path for item in items if "module_connection" in _fixtures(item)}
    loose = [
        item.nodeid
        for item in items
        if item.path in shared
        and "database_url" in _fixtures(item)
        and ("module_connection" not in _fixtures(item) or "committed_engine" in _fixtures(item))
    ]
    if loose:
        raise pytest.UsageError(
            "tests outside their module's shared world (mark the module with "
            "pytest.mark.usefixtures of the world; no committed_engine there): " + ", ".join(loose)
        )


def _fixtures(item: pytest.Item) -> list[str]:
    return list(getattr(item, "fixturenames", []))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    _refuse_half_shared_modules(items)
    if PG_URL:
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: set COPROD_TEST_DATABASE_URL")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)


def login(client: FlaskClient, user: Any) -> FlaskClient:
    """Sign the test client in as the user (without the password round trip), and make one
    request as them: a person's roles are read once per process and roles version (the
    `coprod.models.grants` cache), so the requests a test then counts are the steady ones."""
    with client.session_transaction() as sess:
        sess["_user_id"] = user.get_id()
        sess["_fresh"] = True
    client.get("/privacy")
    return client


__all__ = ["NOW", "login", "module_session"]
