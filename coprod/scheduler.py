"""The scheduler process: `flask --app coprod scheduler`.

Exactly one runs. Before anything else it takes a lock -- a PostgreSQL advisory lock on a
connection held for the life of the process, or a file lock beside a SQLite database -- and a
second scheduler started by mistake exits at once, non-zero, having run nothing. Web workers
never import this module's `run`.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
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
from sqlalchemy.orm import Session

from coprod.db import transaction, utcnow
from coprod.jobs import outbox as outbox_jobs
from coprod.jobs import reminders as reminder_jobs
from coprod.jobs import reports as report_jobs

log = logging.getLogger("coprod.scheduler")

# One key for "the coprod scheduler" in PostgreSQL's advisory-lock space (per database).
ADVISORY_KEY = zlib.crc32(b"coprod.scheduler")
# A run that starts late (the process was busy or down) still happens within this window.
MISFIRE_GRACE = 3600

JobFunc = Callable[..., Any]


def _setting(app: Flask, name: str, default: int) -> int:
    """A whole-number setting from the app config, else the environment, else the default."""
    return int(app.config.get(name) or os.environ.get(name) or default)


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
        lambda app: IntervalTrigger(minutes=_setting(app, "REPORTS_SWEEP_MINUTES", 5)),
        run_at_start=True,
    ),
    JobSpec(
        "reports.rebuild_all",
        report_jobs.rebuild_all_reports,
        lambda app: CronTrigger(hour=_setting(app, "REPORTS_REBUILD_HOUR", 2), minute=30),
    ),
    JobSpec(
        "outbox.deliver",
        outbox_jobs.deliver_outbox,
        lambda app: IntervalTrigger(seconds=_setting(app, "OUTBOX_INTERVAL_SECONDS", 30)),
        run_at_start=True,
    ),
    JobSpec(
        "reminders.send",
        reminder_jobs.send_reminders,
        lambda app: IntervalTrigger(minutes=_setting(app, "REMINDERS_SWEEP_MINUTES", 10)),
        run_at_start=True,
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
        lock = FileLock(self.lock_file, timeout=0)
        try:
            lock.acquire()
        except Timeout:
            raise AlreadyRunning(self.where) from None
        self._file = lock

    def release(self) -> None:
        if self._conn is not None:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})
            self._conn.close()
            self._conn = None
        if self._file is not None:
            self._file.release()
            self._file = None


def run_job(app: Flask, spec: JobSpec) -> Any:
    """Run one job inside the app context and one unit of work (commit, or roll back; run
    again when PostgreSQL aborts it as a deadlock: jobs are idempotent)."""
    with app.app_context():
        result = transaction(lambda session: _call(spec, session))
    log.info("job %s done: %s", spec.id, result)
    return result


def _call(spec: JobSpec, session: Session) -> Any:
    return spec.func(session, now=utcnow(), **spec.kwargs)


def create_scheduler(app: Flask) -> BlockingScheduler:
    """A blocking UTC scheduler holding the job table (not started)."""
    scheduler = BlockingScheduler(
        timezone="UTC",
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
    )
    for spec in JOBS:
        extra: dict[str, Any] = {"next_run_time": utcnow()} if spec.run_at_start else {}
        scheduler.add_job(
            run_job,
            trigger=spec.trigger(app),
            args=(app, spec),
            id=spec.id,
            name=spec.id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=MISFIRE_GRACE,
            **extra,
        )
    return scheduler


def run(app: Flask) -> int:
    """Take the lock, then run the scheduler until stopped; 1 if another one is running."""
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
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    scheduler = create_scheduler(app)
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
    return 0


def _exit(_signum: int, _frame: Any) -> None:
    raise SystemExit(0)
