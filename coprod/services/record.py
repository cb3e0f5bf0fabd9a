"""A person's own record of hours: their approved totals by programme, by organisation they
logged for (or none: themselves) and by year, the logs still waiting or sent back, and a CSV
of every log of theirs.

Totals count approved logs only: a log waiting, sent back, rejected, withdrawn or replaced by
a correction (superseded) is counted nowhere, as in the reports. A log's date is a day of its
programme's local calendar, so its year is the programme's local year (as on the home page).
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from coprod import policy
from coprod.i18n import _, _l
from coprod.models import ContributionLog, LogStatus, Organisation, Programme, Task, User

# The reports' rule for a text a spreadsheet will not run as a formula.
from coprod.services.reports.exports import _cell as spreadsheet_cell

OPEN_LOGS = 50  # waiting or sent-back logs listed on the page (the rest are counted)
CSV_BATCH = 500  # logs read at a time for the CSV

CSV_COLUMNS = ["date", "task", "programme", "organisation", "hours", "status", "reviewed_at"]
# What a reader of the CSV sees, in their language (the columns keep their order).
CSV_HEADERS = {
    "date": _l("date"),
    "task": _l("task"),
    "programme": _l("programme"),
    "organisation": _l("organisation"),
    "hours": _l("hours"),
    "status": _l("status"),
    "reviewed_at": _l("reviewed_at"),
}
STATUS_NAMES = {
    LogStatus.SUBMITTED: _l("Waiting for review"),
    LogStatus.APPROVED: _l("Approved"),
    LogStatus.REJECTED: _l("Rejected"),
    LogStatus.CHANGES_REQUESTED: _l("Changes requested"),
    LogStatus.SUPERSEDED: _l("Replaced by a correction"),
    LogStatus.WITHDRAWN: _l("Withdrawn"),
}


@dataclass(frozen=True)
class ProgrammeTotal:
    programme: Programme
    hours: Decimal
    logs: int


@dataclass(frozen=True)
class OrganisationTotal:
    organisation: Organisation | None  # None: hours the person gave as themselves
    hours: Decimal
    logs: int


@dataclass(frozen=True)
class YearTotal:
    year: int
    hours: Decimal
    logs: int


@dataclass(frozen=True)
class OpenLogs:
    logs: list[ContributionLog]  # newest first, at most OPEN_LOGS
    total: int


@dataclass(frozen=True)
class MyHours:
    hours: Decimal  # every approved hour
    logs: int  # approved logs
    by_programme: list[ProgrammeTotal]  # most hours first
    by_organisation: list[OrganisationTotal]  # most hours first
    by_year: list[YearTotal]  # latest year first
    pending: OpenLogs  # waiting for review
    sent_back: OpenLogs  # a reviewer asked for changes


def _own(actor: User) -> list[ColumnElement[bool]]:
    return [ContributionLog.user_id == actor.id, policy.visible_logs(actor)]


def _open_logs(session: Session, actor: User, status: LogStatus) -> OpenLogs:
    where = [*_own(actor), ContributionLog.status == status]
    logs = list(
        session.scalars(
            select(ContributionLog)
            .where(*where)
            .options(
                selectinload(ContributionLog.task),
                selectinload(ContributionLog.organisation),
            )
            .order_by(ContributionLog.date.desc(), ContributionLog.id.desc())
            .limit(OPEN_LOGS)
        )
    )
    total = len(logs)
    if total == OPEN_LOGS:
        total = int(session.scalar(select(func.count(ContributionLog.id)).where(*where)) or 0)
    return OpenLogs(logs, total)


@dataclass
class _Sum:
    hours: Decimal = Decimal(0)
    logs: int = 0

    def add(self, hours: Decimal, logs: int) -> None:
        self.hours += hours
        self.logs += logs


def _approved_sums(
    session: Session, actor: User
) -> tuple[dict[int, _Sum], dict[int | None, _Sum], dict[int, _Sum]]:
    """The actor's approved hours and logs by programme, organisation and year, added up from
    one query grouped by all three (a person's rows are few)."""
    year = func.extract("year", ContributionLog.date)
    rows = session.execute(
        select(
            ContributionLog.programme_id,
            ContributionLog.organisation_id,
            year,
            func.sum(ContributionLog.hours),
            func.count(ContributionLog.id),
        )
        .where(*_own(actor), ContributionLog.status == LogStatus.APPROVED)
        .group_by(ContributionLog.programme_id, ContributionLog.organisation_id, year)
    ).all()
    by_programme: dict[int, _Sum] = defaultdict(_Sum)
    by_org: dict[int | None, _Sum] = defaultdict(_Sum)
    by_year: dict[int, _Sum] = defaultdict(_Sum)
    for programme_id, org_id, log_year, hours, n in rows:
        for bucket in (by_programme[programme_id], by_org[org_id], by_year[int(log_year)]):
            bucket.add(Decimal(hours), int(n))
    return by_programme, by_org, by_year


def get_my_hours(session: Session, actor: User) -> MyHours:
    """The actor's approved hours by programme, by organisation they logged for and by year,
    and their own logs waiting for review or sent back for changes."""
    by_programme, by_org, by_year = _approved_sums(session, actor)
    programmes = session.scalars(select(Programme).where(Programme.id.in_(by_programme)))
    org_ids = [i for i in by_org if i is not None]
    orgs = {
        o.id: o for o in session.scalars(select(Organisation).where(Organisation.id.in_(org_ids)))
    }
    programme_totals = [
        ProgrammeTotal(p, by_programme[p.id].hours, by_programme[p.id].logs) for p in programmes
    ]
    org_totals = [
        OrganisationTotal(None if i is None else orgs[i], t.hours, t.logs)
        for i, t in by_org.items()
    ]
    return MyHours(
        hours=sum((t.hours for t in by_year.values()), Decimal(0)),
        logs=sum(t.logs for t in by_year.values()),
        by_programme=sorted(
            programme_totals, key=lambda t: (-t.hours, t.programme.name.lower(), t.programme.id)
        ),
        by_organisation=sorted(
            org_totals,
            key=lambda t: (-t.hours, t.organisation is not None, _org_name(t.organisation)),
        ),
        by_year=[YearTotal(y, t.hours, t.logs) for y, t in sorted(by_year.items(), reverse=True)],
        pending=_open_logs(session, actor, LogStatus.SUBMITTED),
        sent_back=_open_logs(session, actor, LogStatus.CHANGES_REQUESTED),
    )


def _org_name(org: Organisation | None) -> str:
    return "" if org is None else org.name.lower()


def my_logs_csv(session: Session, actor: User) -> str:
    """Every log of the actor's, whatever its status, as CSV (oldest first): date, task,
    programme, organisation ("Myself" when none), hours, status and when it was reviewed
    (UTC), with its headers and words in the reader's language; safe from formulas."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([str(CSV_HEADERS[c]) for c in CSV_COLUMNS])
    myself = _("Myself")
    logs = session.scalars(
        select(ContributionLog)
        .where(*_own(actor))
        .options(
            selectinload(ContributionLog.task).selectinload(Task.programme),
            selectinload(ContributionLog.organisation),
        )
        .order_by(ContributionLog.date, ContributionLog.id)
        .execution_options(yield_per=CSV_BATCH)
    )
    for log in logs:
        reviewed = log.reviewed_at.isoformat(timespec="seconds") if log.reviewed_at else ""
        cells = [
            log.date.isoformat(),
            log.task.title,
            log.task.programme.name,
            log.organisation.name if log.organisation is not None else myself,
            str(log.hours),
            str(STATUS_NAMES[log.status]),
            reviewed,
        ]
        writer.writerow([spreadsheet_cell(c) for c in cells])
    return out.getvalue()
