"""The scheduler process: `flask --app coprod scheduler`.

Exactly one runs. Before anything else it takes a lock -- a PostgreSQL advisory lock on a
connection held for the life of the process, or a file lock beside a SQLite database -- and a
second scheduler started by mistake exits at once, non-zero, having run nothing. Before every
job run it checks that it still holds the lock (the lock's connection can be killed, the
database restarted, the lock file removed); once lost, it runs nothing more and exits
non-zero, so a process supervisor restarts it and it queues for the lock again. Web workers
never import this module's `run`.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from filelock import FileLock, Timeout
from flask import Flask
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from coprod.db import transaction, utcnow
from coprod.jobs import decisions as decision_jobs
from coprod.jobs import expiry as expiry_jobs
from coprod.jobs import exports as export_jobs
from coprod.jobs import outbox as outbox_jobs
from coprod.jobs import pilots as pilot_jobs
from coprod.jobs import privacy as privacy_jobs
from coprod.jobs import reminders as reminder_jobs
from coprod.jobs import reports as report_jobs
from coprod.jobs import task_figures as task_figure_jobs

log = logging.getLogger("coprod.scheduler")

# One key for "the coprod scheduler" in PostgreSQL's advisory-lock space (per database).
ADVISORY_KEY = zlib.crc32(b"coprod.scheduler")
# A run that starts late (the process was busy or down) still happens within this window.
MISFIRE_GRACE = 3600

JobFunc = Callable[..., Any]


def _setting(app: Flask, name: str) -> int:
    """A whole-number setting of the app (config.py gives each its default)."""
    return int(app.config[name])


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: JobFunc
    trigger: Callable[[Flask], BaseTrigger]
    run_at_start: bool = False
    kwargs: dict[str, Any] = field(default_factory=dict)


# The fixed job table. Each job takes (session, now=...) and is idempotent.
JOBS: list[JobSpec] = [
    JobSpec(
        "reports.sweep",
        report_jobs.sweep_reports,
        lambda app: IntervalTrigger(minutes=_setting(app, "REPORTS_SWEEP_MINUTES")),
        run_at_start=True,
    ),
    JobSpec(
        "reports.rebuild_all",
        report_jobs.rebuild_all_reports,
        lambda app: CronTrigger(hour=_setting(app, "REPORTS_REBUILD_HOUR"), minute=30),
    ),
    JobSpec(
        "outbox.deliver",
        outbox_jobs.deliver_outbox,
        lambda app: IntervalTrigger(seconds=_setting(app, "OUTBOX_INTERVAL_SECONDS")),
        run_at_start=True,
    ),
    JobSpec(
        "reminders.send",
        reminder_jobs.send_reminders,
        lambda app: IntervalTrigger(minutes=_setting(app, "REMINDERS_SWEEP_MINUTES")),
        run_at_start=True,
    ),
    JobSpec(
        "exports.build",
        export_jobs.build_exports,
        lambda app: IntervalTrigger(minutes=_setting(app, "EXPORTS_SWEEP_MINUTES")),
        run_at_start=True,
    ),
    JobSpec(
        "privacy.purge",
        privacy_jobs.purge_personal_data,
        lambda app: CronTrigger(hour=_setting(app, "PRIVACY_PURGE_HOUR"), minute=15),
    ),
    JobSpec(
        expiry_jobs.JOB_ID,
        expiry_jobs.send_expiry_notices,
        lambda app: CronTrigger(hour=expiry_jobs.HOUR, minute=45),
    ),
    JobSpec(
        decision_jobs.JOB_ID,
        decision_jobs.close_due_decisions,
        lambda app: IntervalTrigger(minutes=decision_jobs.MINUTES),
        run_at_start=True,
    ),
    JobSpec(
        task_figure_jobs.JOB_ID,
        task_figure_jobs.refresh_started,
        lambda app: IntervalTrigger(minutes=task_figure_jobs.MINUTES),
        run_at_start=True,
    ),
    JobSpec(
        pilot_jobs.JOB_ID,
        pilot_jobs.evaluate_pilots,
        lambda app: CronTrigger(hour=pilot_jobs.HOUR, minute=20),
    ),
]


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


def run_job(app: Flask, spec: JobSpec, watch: Watch | None = None) -> Any:
    """Run one job inside the app context and one unit of work (commit, or roll back; run
    again when PostgreSQL aborts it as a deadlock: jobs are idempotent), if the lock is still
    held; the console hears of it only when the job did something."""
    if watch is not None and not watch.still_held():
        return None
    with app.app_context():
        result = transaction(lambda session: _call(spec, session))
    if _did_something(result):
        log.info("%s: %s", spec.id, summary(result))
    return result


def _did_something(result: Any) -> bool:
    if isinstance(result, dict):
        return any(result.values())
    return bool(result)


def summary(result: Any) -> str:
    """What a job's result says it did, for the console."""
    if isinstance(result, dict):
        return ", ".join(f"{n} {what}" for what, n in result.items() if n)
    return f"{result} changed" if isinstance(result, int) else str(result)


def _call(spec: JobSpec, session: Session) -> Any:
    return spec.func(session, now=utcnow(), **spec.kwargs)


def create_scheduler(app: Flask, watch: Watch | None = None) -> BlockingScheduler:
    """A blocking UTC scheduler holding the job table (not started); with a watch, every job
    run first checks the lock."""
    scheduler = BlockingScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
    )
    for spec in JOBS:
        extra: dict[str, Any] = {"next_run_time": utcnow()} if spec.run_at_start else {}
        scheduler.add_job(
            run_job,
            trigger=spec.trigger(app),
            args=(app, spec, watch),
            id=spec.id,
            name=spec.id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE,
            **extra,
        )
    if watch is not None:
        watch.scheduler = scheduler
    return scheduler


def run(app: Flask) -> int:
    """Take the lock, then run the scheduler until stopped; 1 if another one is running or
    the lock is lost."""
    from coprod.db import db

    assert db.engine is not None
    lock = SchedulerLock(db.engine, app.config["SCHEDULER_LOCK_FILE"])
    try:
        lock.acquire()
    except AlreadyRunning as err:
        print(
            f"coprod scheduler: another scheduler is already running ({err}). "
            "This one exits without running any job.",
            file=sys.stderr,
        )
        return 1
    _quiet_console()
    watch = Watch(lock)
    scheduler = create_scheduler(app, watch)
    signal.signal(signal.SIGTERM, _exit)
    jobs = ", ".join(spec.id for spec in JOBS)
    print(f"coprod scheduler: started, holding the {lock.where}; jobs: {jobs}", flush=True)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        if scheduler.running:
            scheduler.shutdown(wait=True)  # let a running job finish its unit of work
        lock.release()
    return 1 if watch.lost else 0


def _quiet_console() -> None:
    """One line per job that did something (and each email as a short block); APScheduler's
    own chatter only when something goes wrong."""
    logging.basicConfig(
        level=logging.INFO, format="[%(asctime)s] %(message)s", datefmt="%d/%b/%Y %H:%M:%S"
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)


def _exit(_signum: int, _frame: Any) -> None:
    raise SystemExit(0)
