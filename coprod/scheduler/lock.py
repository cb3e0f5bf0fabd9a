"""The single-process lock: a PostgreSQL advisory lock or a file lock beside a SQLite
database, and the watch that checks it is still held before every job run."""

from __future__ import annotations

import sys
import threading
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from apscheduler.schedulers.blocking import BlockingScheduler
from filelock import FileLock, Timeout
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

# One key for "the coprod scheduler" in PostgreSQL's advisory-lock space (per database).
ADVISORY_KEY = zlib.crc32(b"coprod.scheduler")


class AlreadyRunning(RuntimeError):
    """Another scheduler holds the lock."""


class SchedulerLock:
    """Held for the life of the process; released by the OS if the process dies."""

    def __init__(self, engine: Engine, lock_file: str) -> None:
        self.engine = engine
        self.lock_file = lock_file
        self._conn: Connection | None = None
        self._file: FileLock | None = None
        self._inode: int | None = None

    @property
    def where(self) -> str:
        if self.engine.dialect.name == "postgresql":
            return f"PostgreSQL advisory lock {ADVISORY_KEY}"
        return f"lock file {self.lock_file}"

    def acquire(self) -> None:
        """Take the lock or raise AlreadyRunning, without waiting."""
        if self.engine.dialect.name == "postgresql":
            conn = self.engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY})
            conn.commit()  # the lock is session-level: it outlives this transaction
            if not got.scalar():
                conn.close()
                raise AlreadyRunning(self.where)
            self._conn = conn
            return
        Path(self.lock_file).parent.mkdir(parents=True, exist_ok=True)
        # Not thread-local: the jobs check it from the scheduler's worker threads.
        lock = FileLock(self.lock_file, timeout=0, thread_local=False)
        try:
            lock.acquire()
        except Timeout:
            raise AlreadyRunning(self.where) from None
        self._file = lock
        self._inode = Path(self.lock_file).stat().st_ino

    def held(self) -> bool:
        """Whether this process still holds the lock: on PostgreSQL its connection is alive
        and its backend is listed as holding the advisory lock; on SQLite the lock file we
        locked is still the one at its path (a removed file lets another scheduler in)."""
        if self._conn is not None:
            try:
                held = self._conn.scalar(HOLDS_ADVISORY_LOCK, {"k": ADVISORY_KEY})
                self._conn.rollback()  # no transaction left open between checks
            except DBAPIError:
                return False
            return bool(held)
        if self._file is not None and self._file.is_locked:
            try:
                return Path(self.lock_file).stat().st_ino == self._inode
            except OSError:
                return False
        return False

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
                self._conn.close()
            except DBAPIError:  # the connection is gone, and the lock with it
                self._conn.invalidate()
            self._conn = None
        if self._file is not None:
            self._file.release()
            self._file = None


# The lock's own backend holds the advisory lock (one bigint key: classid is its high 32 bits,
# objid its low 32, objsubid 1). A new connection made behind our back would not be listed.
HOLDS_ADVISORY_LOCK = text(
    "SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND pid = pg_backend_pid() AND classid = 0 AND objid::bigint = :k AND objsubid = 1)"
)


@dataclass
class Watch:
    """Checks the lock before each job run; the first time it is lost, says so once and stops
    the scheduler (the jobs running already finish their unit of work)."""

    lock: SchedulerLock
    scheduler: BlockingScheduler | None = None
    lost: bool = False
    # Jobs run in a thread pool; the lock's one connection answers one of them at a time.
    _mutex: threading.Lock = field(default_factory=threading.Lock)

    def still_held(self) -> bool:
        with self._mutex:
            return self._check()

    def _check(self) -> bool:
        if not self.lost and self.lock.held():
            return True
        if not self.lost:
            self.lost = True
            print(
                f"coprod scheduler: lost its lock ({self.lock.where}: its connection was closed, "
                "the database restarted or the lock file removed). It runs no more jobs and "
                "exits with status 1; start it again (a supervisor does) to queue for the lock.",
                file=sys.stderr,
                flush=True,
            )
            if self.scheduler is not None and self.scheduler.running:
                self.scheduler.shutdown(wait=False)
        return False
