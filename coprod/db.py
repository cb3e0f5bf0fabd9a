"""Database plumbing: the declarative Base, the engine, the scoped session, unit_of_work() and
the bounded retry of a transaction PostgreSQL aborted as a deadlock or serialization failure.

Row locks are taken in one order everywhere (coprod/services/signups/booking.py spells it out:
shift, then sign-up, then person, each FOR NO KEY UPDATE; a contribution log before its
person). A deadlock that happens anyway is not an error to show: the whole unit of work runs
again on a clean session (`retrying`, `transaction`, and for web and API requests the retrying
dispatch in coprod/extensions.py), a few times, and only then is it a Conflict (409).

Connections: a session holds the one connection it checked out until it is closed (a request
that commits and reads again does not go back to the pool for a second one). Pooled PostgreSQL
connections are not pinged before each use (a round trip on every request); they are replaced
after DB_POOL_RECYCLE seconds, and a statement that finds its connection dead (the server
restarted, an idle connection was cut) invalidates the pool and the unit of work runs again on
a fresh connection, once; a database that cannot be reached is a 503 (Unavailable), never a 500.
"""

from __future__ import annotations

import contextvars
import logging
import random
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from coprod.errors import Conflict, Unavailable

T = TypeVar("T")
log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime()}


def utcnow() -> datetime:
    return datetime.now(UTC)


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


def normalise_url(url: str) -> str:
    """The URL as the engine will hold it (postgres:// and postgresql:// use psycopg 3)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


POOL_RECYCLE_SECONDS = 1800


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


# SQLSTATEs of a transaction PostgreSQL aborted only because of what ran beside it.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})  # deadlock_detected, serialization_failure
RETRY_ATTEMPTS = 5
BUSY = (
    "Someone else changed the same thing at the same moment, so nothing was saved. "
    "Please try again."
)


RECONNECT_ATTEMPTS = 1  # a unit of work that lost its connection runs again this many times
# A connection exception; the server shutting down or not yet accepting connections.
UNREACHABLE_SQLSTATES = ("08", "57P01", "57P02", "57P03")


def is_retryable(err: BaseException) -> bool:
    """True for a deadlock or serialization failure: the same work may simply run again."""
    orig = err.orig if isinstance(err, DBAPIError) else None
    return getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def is_disconnect(err: BaseException) -> bool:
    """True when a statement found its connection dead (SQLAlchemy then invalidated the pool:
    every older pooled connection is replaced on its next checkout)."""
    return isinstance(err, DBAPIError) and err.connection_invalidated


def unavailable(err: BaseException) -> Unavailable | None:
    """The 503 to answer for a database that could not be reached or was lost, else None."""
    from coprod.i18n import _

    if is_disconnect(err):
        if isinstance(err, DBAPIError) and err.statement is None:  # lost in COMMIT
            return Unavailable(
                _(
                    "The connection to the database was lost while saving, so we cannot tell "
                    "whether your change was saved. Reload the page to check before trying again."
                )
            )
        return Unavailable(
            _(
                "The connection to the database was lost, so nothing was saved. "
                "Please try again in a moment."
            )
        )
    unreachable = isinstance(err, OperationalError | InterfaceError) and (
        err.statement is None  # no connection could be made
        or str(getattr(err.orig, "sqlstate", "") or "").startswith(UNREACHABLE_SQLSTATES)
    )
    if not unreachable:
        return None
    return Unavailable(_("The database is not answering just now. Please try again in a moment."))


def retrying(
    work: Callable[[], T],
    *,
    before_retry: Callable[[], None],
    attempts: int = RETRY_ATTEMPTS,
) -> T:
    """Run `work`; when the database aborts it as a deadlock or serialization failure, call
    `before_retry` (which must roll back) and run it again, up to `attempts` times in all,
    after a short random pause. Still failing, it is a Conflict with a clear message.

    A statement that found its connection dead runs the work again once on a fresh connection
    (the transaction died with the connection, so nothing of it was kept); lost while
    committing, or lost again, or the database unreachable, it is Unavailable (503)."""
    reconnects = RECONNECT_ATTEMPTS
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as err:
            lost = is_disconnect(err) and err.statement is not None
            if lost and reconnects > 0 and attempt < attempts:
                log.warning("database connection lost (%s); running the work again", err.orig)
                reconnects -= 1
                before_retry()
                continue
            if not is_retryable(err):
                down = unavailable(err)
                if down is None:
                    raise
                log.warning("database unavailable: %s", err.orig)
                before_retry()
                raise down from err
            log.info("transaction aborted (%s), attempt %d of %d", err.orig, attempt, attempts)
            before_retry()
            if attempt == attempts:
                raise Conflict(BUSY) from err
            time.sleep(random.uniform(0, 0.01 * 2**attempt))  # noqa: S311 (jitter, not a secret)
    raise AssertionError("unreachable")  # pragma: no cover


def transaction(work: Callable[[Session], T], *, attempts: int = RETRY_ATTEMPTS) -> T:
    """`work(session)` in a unit of work (committed on success), run again from the start on
    a fresh session when PostgreSQL aborts it as a deadlock or serialization failure: for jobs
    and CLI commands, whose work may safely run twice when the first run was rolled back."""

    def once() -> T:
        with unit_of_work() as session:
            return work(session)

    return retrying(once, before_retry=lambda: None, attempts=attempts)
