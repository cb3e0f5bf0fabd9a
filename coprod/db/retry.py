"""Running a unit of work again when PostgreSQL aborted it (deadlock, serialization failure)
or its connection was found dead; what a database that cannot be reached answers (503)."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

from coprod.db.sessions import unit_of_work
from coprod.errors import Conflict, Unavailable

T = TypeVar("T")
# The log keeps the package's name ("coprod.db"), as before it was split.
log = logging.getLogger("coprod.db")


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
