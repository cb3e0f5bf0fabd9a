"""The scheduler process: `flask --app coprod scheduler`.

Exactly one runs. Before anything else it takes a lock -- a PostgreSQL advisory lock on a
connection held for the life of the process, or a file lock beside a SQLite database -- and a
second scheduler started by mistake exits at once, non-zero, having run nothing. Before every
job run it checks that it still holds the lock (the lock's connection can be killed, the
database restarted, the lock file removed); once lost, it runs nothing more and exits
non-zero, so a process supervisor restarts it and it queues for the lock again. Web workers
never import this package's `run`.
"""

from coprod.scheduler.lock import (
    ADVISORY_KEY,
    HOLDS_ADVISORY_LOCK,
    AlreadyRunning,
    SchedulerLock,
    Watch,
)
from coprod.scheduler.runner import MISFIRE_GRACE, create_scheduler, run, run_job, summary
from coprod.scheduler.table import JOBS, JobFunc, JobSpec

__all__ = [
    "ADVISORY_KEY",
    "HOLDS_ADVISORY_LOCK",
    "JOBS",
    "MISFIRE_GRACE",
    "AlreadyRunning",
    "JobFunc",
    "JobSpec",
    "SchedulerLock",
    "Watch",
    "create_scheduler",
    "run",
    "run_job",
    "summary",
]
