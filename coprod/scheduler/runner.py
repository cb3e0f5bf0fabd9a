"""Running the scheduler: one job run in its unit of work, the APScheduler holding the job
table, and the process's `run` (take the lock, run until stopped)."""

from __future__ import annotations

import logging
import signal
import sys
from typing import Any

from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask
from sqlalchemy.orm import Session

from coprod.db import transaction, utcnow
from coprod.scheduler.lock import AlreadyRunning, SchedulerLock, Watch
from coprod.scheduler.table import JOBS, JobSpec

log = logging.getLogger("coprod.scheduler")


# A run that starts late (the process was busy or down) still happens within this window.
MISFIRE_GRACE = 3600


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
