"""Database plumbing: the declarative Base, the engine, the scoped session, unit_of_work() and
the bounded retry of a transaction PostgreSQL aborted as a deadlock or serialization failure.

Row locks are taken in one order everywhere (coprod/services/signups/booking/ spells it out:
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

from coprod.db.base import NAMING_CONVENTION, Base, UTCDateTime, utcnow
from coprod.db.retry import (
    BUSY,
    RECONNECT_ATTEMPTS,
    RETRY_ATTEMPTS,
    RETRYABLE_SQLSTATES,
    UNREACHABLE_SQLSTATES,
    is_disconnect,
    is_retryable,
    retrying,
    transaction,
    unavailable,
)
from coprod.db.sessions import (
    POOL_RECYCLE_SECONDS,
    Database,
    PinnedSession,
    db,
    deferred_begin,
    is_postgres,
    make_engine,
    normalise_url,
    plan_once,
    read_only_unit_of_work,
    sqlite_begin,
    unit_of_work,
)

__all__ = [
    "BUSY",
    "NAMING_CONVENTION",
    "POOL_RECYCLE_SECONDS",
    "RECONNECT_ATTEMPTS",
    "RETRYABLE_SQLSTATES",
    "RETRY_ATTEMPTS",
    "UNREACHABLE_SQLSTATES",
    "Base",
    "Database",
    "PinnedSession",
    "UTCDateTime",
    "db",
    "deferred_begin",
    "is_disconnect",
    "is_postgres",
    "is_retryable",
    "make_engine",
    "normalise_url",
    "plan_once",
    "read_only_unit_of_work",
    "retrying",
    "sqlite_begin",
    "transaction",
    "unavailable",
    "unit_of_work",
    "utcnow",
]
