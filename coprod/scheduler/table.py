"""The scheduler's fixed job table: each job, its trigger, and whether it runs at start."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import Flask

from coprod.jobs import decisions as decision_jobs
from coprod.jobs import expiry as expiry_jobs
from coprod.jobs import exports as export_jobs
from coprod.jobs import outbox as outbox_jobs
from coprod.jobs import pilots as pilot_jobs
from coprod.jobs import privacy as privacy_jobs
from coprod.jobs import reminders as reminder_jobs
from coprod.jobs import reports as report_jobs
from coprod.jobs import task_figures as task_figure_jobs

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
