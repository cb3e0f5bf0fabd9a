"""What the scheduler's jobs last did, for site admins: when each last ran and which report
periods its last run could not build (recorded in job_state by coprod.jobs.reports)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.i18n import _l
from coprod.models import JobState, Programme, User

# What each scheduled job does (coprod/scheduler/ JOBS), in words for the admin page.
JOB_NAMES = {
    "reports.sweep": _l("Bring reports up to date"),
    "reports.rebuild_all": _l("Rebuild every report (nightly)"),
    "outbox.deliver": _l("Send the emails waiting in the outbox"),
    "reminders.send": _l("Send shift reminders"),
}
# A report period's kind (coprod.models.PeriodKind), as it reads in a sentence.
PERIOD_NAMES = {
    "week": _l("week"),
    "month": _l("month"),
    "quarter": _l("quarter"),
}


@dataclass(frozen=True)
class FailedPeriod:
    programme_id: int
    programme_name: str | None  # None: the programme was deleted since
    period: str  # week, month or quarter
    start: str  # the period's first day, YYYY-MM-DD
    error: str

    @property
    def period_name(self) -> str:
        """ "week" in the reader's language."""
        name = PERIOD_NAMES.get(self.period)
        return str(name) if name is not None else self.period


@dataclass(frozen=True)
class JobStatus:
    job_id: str
    last_run_at: datetime | None
    failure_count: int  # all of them; `failures` lists the first few
    failures: list[FailedPeriod]

    @property
    def name(self) -> str:
        """What the job does, in the reader's language (its id when it has no name)."""
        name = JOB_NAMES.get(self.job_id)
        return str(name) if name is not None else self.job_id


def list_job_states(session: Session, actor: User | None) -> list[JobStatus]:
    """Every job that has recorded a run, by name, with its last run's failures (site admins
    only)."""
    policy.require(actor, "jobs.view")
    states = list(session.scalars(select(JobState).order_by(JobState.job_id)))
    recorded = [s.failures or {} for s in states]
    ids = {int(p["programme_id"]) for r in recorded for p in r.get("periods", [])}
    names = dict(
        session.execute(select(Programme.id, Programme.name).where(Programme.id.in_(ids))).all()
    )
    return [
        JobStatus(
            job_id=state.job_id,
            last_run_at=state.last_run_at,
            failure_count=int(record.get("count", 0)),
            failures=[
                FailedPeriod(
                    programme_id=int(p["programme_id"]),
                    programme_name=names.get(int(p["programme_id"])),
                    period=str(p["period"]),
                    start=str(p["start"]),
                    error=str(p["error"]),
                )
                for p in record.get("periods", [])
            ],
        )
        for state, record in zip(states, recorded, strict=True)
    ]
