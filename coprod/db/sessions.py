"""The engine (SQLite's WAL, busy timeout and explicit BEGINs), the pinned-connection session,
the process's session registry `db`, and the units of work that jobs and commands run in."""

from __future__ import annotations

import contextlib
import contextvars
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import psycopg
from psycopg.pq import TransactionStatus
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool

# On SQLite a transaction that reads first and writes later can fail with "database is locked"
# without waiting (the read snapshot cannot be upgraded). Transactions that may write therefore
# start with BEGIN IMMEDIATE; read-only requests (GET) switch to a plain deferred BEGIN.
sqlite_begin: contextvars.ContextVar[str] = contextvars.ContextVar(
    "sqlite_begin", default="BEGIN IMMEDIATE"
)


def _sqlite_hooks(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # let SQLAlchemy emit BEGIN itself
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA busy_timeout=30000")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        conn.exec_driver_sql(sqlite_begin.get())


# Whether this thread's statements may be prepared and planned once (a web request's), or are
# planned for each run's values (a job's, a command's: see _prepared_statement_hooks).
plan_once: contextvars.ContextVar[bool] = contextvars.ContextVar("plan_once", default=False)
# A transaction that has run nothing but SELECTs so far (in the connection's `info`).
_ONLY_READ = "coprod_only_read"
# Text matched by pattern: its best plan depends on the pattern ("%garden%" is rare or common).
_PATTERN_MATCH = re.compile(r"\bI?LIKE\b")


def _prepared_statement_hooks(engine: Engine) -> None:
    """PostgreSQL: a web request's statements stay prepared from one request to the next, and
    are planned once for any values, except those that match text by pattern.

    psycopg prepares a statement on the server once a connection has run it five times; after
    five more runs PostgreSQL keeps one generic plan for it when that plan is not dearer than
    the plans made for each run's values (`plan_cache_mode=auto`). But psycopg forgets every
    prepared statement at each ROLLBACK, and every request that only read ended with one, so
    no statement ever stayed prepared: each page parsed and planned all its statements again,
    every time. Planning was most of the database's work: 8.7 of 9.5 ms for the coordinator's
    home page at the small benchmark world (bench/README.md, 5 Dec 2026, fifth round).

    So a transaction that has run only SELECTs ends with COMMIT, which for it is the same as
    ROLLBACK; one that ran anything else (a write, a savepoint, a SET) still rolls back. A
    statement with LIKE or ILIKE is never prepared: a search's pattern decides between walking
    the list in its order and reading the trigram index (a search's statement once took 11-13
    ms instead of 1-2 at the large world when PostgreSQL kept one plan for every pattern).
    Outside a web request (`plan_once` unset: jobs, commands) nothing is prepared either: the
    report builder runs its statements for period after period, and one plan for all of them
    made the warm rebuild 1.7 times slower."""

    @event.listens_for(engine, "begin")
    def _began(conn: Any) -> None:
        conn.info[_ONLY_READ] = True

    @event.listens_for(engine, "before_cursor_execute")
    def _note_writes(
        conn: Any, cursor: Any, statement: str, params: Any, context: Any, executemany: bool
    ) -> None:
        if executemany or statement.lstrip()[:6].upper() != "SELECT":
            conn.info[_ONLY_READ] = False

    @event.listens_for(engine, "rollback")
    def _commit_what_only_read(conn: Any) -> None:
        if conn.closed or conn.invalidated or not conn.info.pop(_ONLY_READ, False):
            return  # (`info` is the connection's: asked of a lost one, it raises)
        dbapi = conn.connection.dbapi_connection
        # Only a healthy transaction (not one a failed statement aborted, not a lost
        # connection): the dialect's rollback then finds none and leaves the statements be.
        if dbapi.info.transaction_status == TransactionStatus.INTRANS:
            # A connection that breaks here: the rollback that follows meets it and says so.
            with contextlib.suppress(psycopg.OperationalError):
                dbapi.commit()

    @event.listens_for(engine, "do_execute")
    def _execute(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
        # (A server-side cursor, for rows read in batches, is declared, never prepared.)
        plain = not isinstance(cursor, psycopg.ServerCursor)
        if plain and (not plan_once.get() or _PATTERN_MATCH.search(statement)):
            cursor.execute(statement, parameters, prepare=False)
        else:
            cursor.execute(statement, parameters)
        return True


def normalise_url(url: str) -> str:
    """The URL as the engine will hold it (postgres:// and postgresql:// use psycopg 3)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


POOL_RECYCLE_SECONDS = 1800


def is_postgres(session: Session) -> bool:
    """Whether the session's database is PostgreSQL (else SQLite): for the few statements
    written differently for each."""
    return session.get_bind().dialect.name == "postgresql"


def make_engine(
    url: str, *, echo: bool = False, pool_recycle: int = POOL_RECYCLE_SECONDS
) -> Engine:
    """An engine for the URL; SQLite gets WAL, a busy timeout and explicit BEGINs. Server
    connections are replaced after `pool_recycle` seconds and not pinged before each use
    (a dead one is handled where it is found: see `retrying`)."""
    url = normalise_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
    else:
        kwargs.update(pool_size=10, max_overflow=20, pool_recycle=pool_recycle)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _sqlite_hooks(engine)
    elif engine.dialect.name == "postgresql":
        _prepared_statement_hooks(engine)
    return engine


_PINNED = "coprod_pinned_connection"


class PinnedSession(Session):
    """A session that keeps the connection it checked out until it is closed: a request that
    commits and then reads again (a GET whose service commits, a form shown again after a
    refused change) goes on with the same connection instead of giving it back to the pool and
    taking another, so a request costs one checkout and one reset. A session bound to a
    connection (the tests') uses that one."""

    def get_bind(self, mapper: Any = None, **kw: Any) -> Any:
        bind = super().get_bind(mapper, **kw)
        if not isinstance(bind, Engine):
            return bind
        conn = self.info.get(_PINNED)
        if conn is None or conn.closed:
            conn = self.info[_PINNED] = bind.connect()
        return conn

    def close(self) -> None:
        try:
            super().close()
        finally:
            conn = self.info.pop(_PINNED, None)
            if conn is not None:
                conn.close()


class Database:
    """The process's engine and its thread-local session registry."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session: scoped_session[Session] = scoped_session(
            sessionmaker(class_=PinnedSession, expire_on_commit=False)
        )

    def configure(self, engine: Engine) -> None:
        self.engine = engine
        self.session.remove()
        self.session.configure(bind=engine)


db = Database()


@contextmanager
def deferred_begin() -> Iterator[None]:
    """Inside, SQLite transactions start with a plain (deferred) BEGIN: for work that only
    reads, which WAL then runs beside the one writer instead of queueing it behind."""
    token = sqlite_begin.set("BEGIN")
    try:
        yield
    finally:
        sqlite_begin.reset(token)


@contextmanager
def read_only_unit_of_work() -> Iterator[Session]:
    """A transaction that only reads, rolled back at the end (a deferred BEGIN on SQLite)."""
    with deferred_begin():
        session = db.session()
        try:
            yield session
        finally:
            session.rollback()
            db.session.remove()


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction for a job or CLI command: commit on success, roll back on error."""
    session = db.session()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        db.session.remove()
