"""Database plumbing: the declarative Base, the engine, the scoped session, unit_of_work() and
the bounded retry of a transaction PostgreSQL aborted as a deadlock or serialization failure.

Row locks are taken in one order everywhere (coprod/services/signups/booking.py spells it out:
shift, then sign-up, then person, each FOR NO KEY UPDATE; a contribution log before its
person). A deadlock that happens anyway is not an error to show: the whole unit of work runs
again on a clean session (`retrying`, `transaction`, and for web and API requests the retrying
dispatch in coprod/extensions.py), a few times, and only then is it a Conflict (409).
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
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Session, scoped_session, sessionmaker
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

from coprod.errors import Conflict

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


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """An engine for the URL; SQLite gets WAL, a busy timeout and explicit BEGINs."""
    url = normalise_url(url)
    kwargs: dict[str, Any] = {"echo": echo}
    if url.startswith("sqlite"):
        kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs["poolclass"] = StaticPool
    else:
        kwargs.update(pool_pre_ping=True, pool_size=10, max_overflow=20)
    engine = create_engine(url, **kwargs)
    if engine.dialect.name == "sqlite":
        _sqlite_hooks(engine)
    return engine


class Database:
    """The process's engine and its thread-local session registry."""

    def __init__(self) -> None:
        self.engine: Engine | None = None
        self.session: scoped_session[Session] = scoped_session(sessionmaker(expire_on_commit=False))

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


def is_retryable(err: BaseException) -> bool:
    """True for a deadlock or serialization failure: the same work may simply run again."""
    orig = err.orig if isinstance(err, DBAPIError) else None
    return getattr(orig, "sqlstate", None) in RETRYABLE_SQLSTATES


def retrying(
    work: Callable[[], T],
    *,
    before_retry: Callable[[], None],
    attempts: int = RETRY_ATTEMPTS,
) -> T:
    """Run `work`; when the database aborts it as a deadlock or serialization failure, call
    `before_retry` (which must roll back) and run it again, up to `attempts` times in all,
    after a short random pause. Still failing, it is a Conflict with a clear message."""
    for attempt in range(1, attempts + 1):
        try:
            return work()
        except DBAPIError as err:
            if not is_retryable(err):
                raise
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
