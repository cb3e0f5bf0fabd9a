"""Reading reports: a programme's report page, one snapshot for export (JSON, formula-safe CSV)
and the public impact page."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Select,
    func,
    select,
)
from sqlalchemy.orm import Session, defer

from coprod import policy
from coprod.errors import NotFound
from coprod.i18n import _, _l
from coprod.models import (
    PeriodKind,
    Programme,
    ReportSnapshot,
    User,
)
from coprod.services.governance import figures as commitment_figures
from coprod.services.localtime import local_today
from coprod.services.reports.figures import (
    SECTORS,
    as_number,
    empty_capacity,
    percent,
    to_cents,
)
from coprod.services.reports.periods import (
    default_start,
    next_start,
    parse_day,
    parse_period,
    period_end,
    period_start,
)

HISTORY = 12  # periods shown in the "hours by sector over time" chart


@dataclass(frozen=True)
class PeriodTotals:
    """A period's hours (in total and by sector), for the "over time" chart and table."""

    start: date
    hours_total: float
    hours_by_sector: dict[str, float]


@dataclass
class ReportPage:
    programme: Programme
    kind: PeriodKind
    start: date
    end: date
    snapshot: ReportSnapshot | None
    history: list[PeriodTotals]  # up to HISTORY periods, oldest first, ending at `start`
    newer: date | None
    current: date  # the start of the period containing the programme's today (in progress)

    @property
    def in_progress(self) -> bool:
        """The period shown has not ended yet: its figures are still growing."""
        return self.start >= self.current

    def is_current(self, start: date) -> bool:
        """Whether a period of this page's kind (in the history) is still in progress."""
        return start >= self.current


def _programme(session: Session, actor: User | None, programme_id: int) -> Programme:
    programme = session.get(Programme, programme_id)
    if programme is None or not policy.can(actor, "programme.view", programme):
        raise NotFound(_("There is no such programme."))
    return programme


def _snapshots(programme_id: int, kind: PeriodKind) -> Select[ReportSnapshot]:
    return select(ReportSnapshot).where(
        ReportSnapshot.programme_id == programme_id, ReportSnapshot.period == kind
    )


def get_report(
    session: Session,
    actor: User | None,
    programme_id: int,
    *,
    period: str | None,
    start: str | None,
    now: datetime,
) -> ReportPage:
    """A programme's report for one period (when none is asked, the last complete one in the
    programme's calendar), for members of the lead agency and partner organisations and site
    admins; the period in progress is one step newer and marked so."""
    programme = _programme(session, actor, programme_id)
    policy.require(actor, "programme.view_reports", programme)
    kind, day = parse_period(period), parse_day(start)
    current = period_start(kind, local_today(programme, now))
    first = period_start(kind, day) if day is not None else default_start(programme, kind, now)
    # The history's rows without their documents, but with the two figures the chart needs;
    # the chosen period's document is read only when its figures are rendered.
    totals = (
        select(
            ReportSnapshot,
            ReportSnapshot.data["hours_total"],
            ReportSnapshot.data["hours_by_sector"],
        )
        .where(ReportSnapshot.programme_id == programme_id, ReportSnapshot.period == kind)
        .where(policy.visible_reports(actor))
        .options(defer(ReportSnapshot.data))
        .order_by(ReportSnapshot.start.desc())
        .limit(HISTORY)
    )
    rows = session.execute(totals.where(ReportSnapshot.start <= first)).all()[::-1]
    history = [PeriodTotals(snap.start, total, sectors) for snap, total, sectors in rows]
    newer = None if day is None else _newer_built(session, programme_id, kind, first)
    if newer is None and first < current:  # the next period, in progress or not built yet
        newer = next_start(kind, first)
    snapshot = rows[-1][0] if rows and rows[-1][0].start == first else None
    end = period_end(kind, first)
    return ReportPage(programme, kind, first, end, snapshot, history, newer, current)


def _newer_built(session: Session, programme_id: int, kind: PeriodKind, first: date) -> date | None:
    """The first built period after `first` (skipping periods nobody logged hours in)."""
    return session.scalar(
        select(func.min(ReportSnapshot.start)).where(
            ReportSnapshot.programme_id == programme_id,
            ReportSnapshot.period == kind,
            ReportSnapshot.start > first,
        )
    )


def get_snapshot(
    session: Session, actor: User | None, programme_id: int, period: str, start: str
) -> ReportSnapshot:
    """One stored snapshot, for export by those who may read the programme's reports."""
    programme = _programme(session, actor, programme_id)
    policy.require(actor, "programme.view_reports", programme)
    missing = NotFound(_("There is no report for that period yet."))
    try:
        kind, day = PeriodKind(period), date.fromisoformat(start)
    except ValueError:
        raise missing from None
    snap = session.scalar(_snapshots(programme_id, kind).where(ReportSnapshot.start == day))
    if snap is None:
        raise missing
    return snap


def capacity_of(data: dict[str, Any]) -> dict[str, Any]:
    """A snapshot's capacity block; empty in one built before capacity was reported (the next
    rebuild fills it)."""
    return data.get("capacity") or empty_capacity()


def commitments_of(
    data: dict[str, Any], kind: PeriodKind, start: date, today: date | None = None
) -> list[dict[str, Any]] | None:
    """A snapshot's partners' figures against delivery (coprod.services.governance.figures),
    judged as of `today` while the period is in progress; None in a snapshot built before
    commitments were reported (the next rebuild adds them)."""
    block = data.get("commitments")
    if block is None:
        return None
    return commitment_figures.judged_block(block, start, period_end(kind, start), today)


def snapshot_json(snap: ReportSnapshot, *, now: datetime | None = None) -> dict[str, Any]:
    """The snapshot as the API and the JSON export give it, with the programme's currency (the
    ISO 4217 code of `in_kind_value` and `hours_value`); `feedback` is None in a snapshot built
    before ratings were reported (the next rebuild adds them); `capacity` is empty in one built
    before capacity building was reported; `commitments` is None in one built before
    commitments were reported, and judged as of `now` while the period is in progress."""
    today = local_today(snap.programme, now) if now is not None else None
    return {
        **snap.data,
        "feedback": snap.data.get("feedback"),
        "capacity": capacity_of(snap.data),
        "commitments": commitments_of(snap.data, snap.period, snap.start, today),
        "currency": snap.programme.currency,
        "built_at": snap.built_at.isoformat(),
    }


# The CSV's columns, in this order whatever the language (the keys of each row).
CSV_COLUMNS = [
    "section",
    "id",
    "name",
    "hours",
    "share_percent",
    "quantity",
    "cumulative",
    "unit",
    "target",
    "percent_of_target",
    "on_track",
    "value",
    "responses",  # volunteers' ratings: after the columns integrations read by position
    "average_rating",
    # partners' commitments as figures (issue 18), after those again
    "kind",
    "committed",
    "delivered",
    "committed_to_date",
    "delivered_to_date",
    "status",
]
MONEY = ("in_kind_value", "hours_value")  # summary rows whose value is an amount of money
SECTOR_LABELS = {
    "agency": _l("Agency"),
    "nonprofit": _l("Nonprofits"),
    "community": _l("Community groups"),
    "business": _l("Businesses"),
    "citizen": _l("Individual citizens"),
}
# What a reader of the CSV sees, in their language (English: the keys themselves). The CSV is
# built per request, so its headers and words are the reader's.
CSV_HEADERS = {
    "section": _l("section"),
    "id": "id",
    "name": _l("name"),
    "hours": _l("hours"),
    "share_percent": _l("share_percent"),
    "quantity": _l("quantity"),
    "cumulative": _l("cumulative"),
    "unit": _l("unit"),
    "target": _l("target"),
    "percent_of_target": _l("percent_of_target"),
    "on_track": _l("on_track"),
    "responses": _l("responses"),
    "average_rating": _l("average_rating"),
    "value": _l("value"),
    "kind": _l("kind"),
    "committed": _l("committed"),
    "delivered": _l("delivered"),
    "committed_to_date": _l("committed_to_date"),
    "delivered_to_date": _l("delivered_to_date"),
    "status": _l("status"),
}
CSV_SECTIONS = {
    "summary": _l("summary"),
    "sector": _l("sector"),
    "organisation": _l("organisation"),
    "task": _l("task"),
    "outcome": _l("outcome"),
    "feedback": _l("feedback"),
    "training_received_sector": _l("training_received_sector"),
    "training_delivered_sector": _l("training_delivered_sector"),
    "training_received_organisation": _l("training_received_organisation"),
    "training_delivered_organisation": _l("training_delivered_organisation"),
    "qualification_awarded": _l("qualification_awarded"),
    "qualification_expiring": _l("qualification_expiring"),
    "commitment": _l("commitment"),
}
SUMMARY_NAMES = {
    "period": _l("period"),
    "start": _l("start"),
    "end": _l("end"),
    "hours_total": _l("hours_total"),
    "contributors": _l("contributors"),
    "new_contributors": _l("new_contributors"),
    "in_kind_value": _l("in_kind_value"),
    "hours_value": _l("hours_value"),
    "previous_hours_total": _l("previous_hours_total"),
    "feedback_responses": _l("feedback_responses"),
    "average_rating": _l("average_rating"),
    "training_hours_total": _l("training_hours_total"),
}
PERIOD_NAMES = {
    PeriodKind.WEEK: _l("week"),
    PeriodKind.MONTH: _l("month"),
    PeriodKind.QUARTER: _l("quarter"),
}
YES_NO = {True: _l("True"), False: _l("False")}
COMMITMENT_KINDS = {
    "hours": _l("Volunteer hours"),
    "in_kind": _l("In-kind value"),
    "outcome": _l("Outcome"),
}
# A figure's flag in words (coprod.services.governance.figures), never a colour alone.
STATUS_WORDS = {
    "on_track": _l("On track"),
    "behind": _l("Behind"),
    "met": _l("Met"),
    "missed": _l("Missed"),
}


def _cell(value: Any) -> str:
    """Text a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _shown(row: dict[str, Any]) -> dict[str, Any]:
    """A row's words in the reader's language: its section, a summary row's name, a period's
    kind and whether an outcome is on track (numbers, dates and names stay as they are)."""
    out = {**row, "section": str(CSV_SECTIONS[row["section"]])}
    if row["section"] == "summary":
        out["name"] = str(SUMMARY_NAMES[row["name"]])
        if row["name"] == "period" and row["value"] in PERIOD_NAMES:
            out["value"] = str(PERIOD_NAMES[row["value"]])
    if isinstance(row.get("on_track"), bool):
        out["on_track"] = str(YES_NO[row["on_track"]])
    if row["section"] == "commitment":
        out["kind"] = str(COMMITMENT_KINDS[row["kind"]])
        out["status"] = str(STATUS_WORDS[row["status"]])
    return out


def _commitment_rows(block: list[dict[str, Any]] | None, money_column: str) -> list[dict[str, Any]]:
    """One row per partner's figure: its id, the organisation, kind, unit (hours, the
    currency's column for in-kind amounts, the metric's unit), committed and delivered in the
    period and to date, and its flag (none in a snapshot built before they were reported)."""
    rows: list[dict[str, Any]] = []
    for entry in block or []:
        for f in entry["figures"]:
            unit = {"hours": "h", "in_kind": money_column.removeprefix("value_")}.get(f["kind"])
            rows.append(
                {
                    "section": "commitment",
                    "id": f["id"],
                    "name": entry["organisation_name"],
                    "unit": f["unit"] or unit,
                    "on_track": f["on_track"],
                    **{k: f[k] for k in CSV_COLUMNS[-6:]},
                }
            )
    return rows


def snapshot_csv(snap: ReportSnapshot, *, now: datetime | None = None) -> str:
    """The snapshot's figures as CSV: one row per total, sector, organisation, task, outcome,
    with its headers and words in the reader's language (the columns keep their order).
    Amounts of money are plain numbers in a last column whose header names the programme's
    currency (`value_GBP`), so a spreadsheet adds them up."""
    d = snap.data
    today = local_today(snap.programme, now) if now is not None else None
    money_column = f"value_{snap.programme.currency}"
    columns = [*CSV_COLUMNS, money_column]
    headers = [str(CSV_HEADERS[c]) for c in CSV_COLUMNS]
    headers.append(_("value_%(currency)s", currency=snap.programme.currency))
    rows: list[dict[str, Any]] = [
        {"section": "summary", "name": k, "value": d[k]}
        for k in ("period", "start", "end", "hours_total", "contributors", "new_contributors")
    ]
    rows += [{"section": "summary", "name": k, money_column: d[k]} for k in MONEY]
    rows.append(
        {
            "section": "summary",
            "name": "previous_hours_total",
            "value": d["previous"]["hours_total"],
        }
    )
    rows += [
        {
            "section": "sector",
            "id": s,
            "name": str(SECTOR_LABELS[s]),
            "hours": d["hours_by_sector"][s],
            "share_percent": d["share_by_sector"][s],
        }
        for s in SECTORS
    ]
    for section, key in (("organisation", "hours_by_organisation"), ("task", "hours_by_task")):
        rows += [{"section": section, **r} for r in d[key]]
    rows += [
        {"section": "outcome", "id": o["metric_id"], **{k: o[k] for k in CSV_COLUMNS[2:] if k in o}}
        for o in d["outcomes"]
    ]
    rows += _feedback_rows(d.get("feedback"))
    rows += _capacity_rows(capacity_of(d))
    rows += _commitment_rows(commitments_of(d, snap.period, snap.start, today), money_column)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in map(_shown, rows):
        writer.writerow([_cell(row.get(c)) for c in columns])
    return out.getvalue()


def _feedback_rows(feedback: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The volunteers' ratings: two summary rows and one row per task (none in a snapshot
    built before ratings were reported)."""
    if feedback is None:
        return []
    rows: list[dict[str, Any]] = [
        {"section": "summary", "name": "feedback_responses", "value": feedback["responses"]},
        {"section": "summary", "name": "average_rating", "value": feedback["average_rating"]},
    ]
    return rows + [{"section": "feedback", **row} for row in feedback["by_task"]]


def _capacity_rows(cap: dict[str, Any]) -> list[dict[str, Any]]:
    """Capacity building: the training hours (a summary row), received and delivered by sector
    and organisation, and per qualification the awards made and expiring (in `quantity`)."""
    rows: list[dict[str, Any]] = [
        {"section": "summary", "name": "training_hours_total", "value": cap["training_hours_total"]}
    ]
    for way in ("received", "delivered"):
        by_sector = cap[f"training_{way}_by_sector"]
        rows += [
            {
                "section": f"training_{way}_sector",
                "id": s,
                "name": str(SECTOR_LABELS[s]),
                "hours": by_sector[s],
            }
            for s in SECTORS
        ]
    for way in ("received", "delivered"):
        section = f"training_{way}_organisation"
        rows += [{"section": section, **r} for r in cap[f"training_{way}_by_organisation"]]
    for what in ("awarded", "expiring"):
        rows += [
            {"section": f"qualification_{what}", "id": r["id"], "name": r["name"]}
            | {"quantity": r["count"]}
            for r in cap[f"qualifications_{what}"]
        ]
    return rows


@dataclass
class Impact:
    programme: Programme
    totals: dict[str, Any]
    outcomes: list[dict[str, Any]]
    as_of: date | None
    # Training hours delivered and qualifications awarded since it began (see _impact_capacity).
    capacity: dict[str, Any]


def get_impact(session: Session, actor: User | None, programme_id: int, *, now: datetime) -> Impact:
    """A programme's public figures since it began: totals, sector shares and outcomes against
    targets, from the quarterly snapshots; never a person's name."""
    programme = _programme(session, actor, programme_id)
    current = period_start(PeriodKind.QUARTER, local_today(programme, now))
    snaps = list(
        session.scalars(
            _snapshots(programme_id, PeriodKind.QUARTER)
            .where(ReportSnapshot.start <= current)
            .order_by(ReportSnapshot.start)
        )
    )
    by_sector = dict.fromkeys(SECTORS, Decimal(0))
    sums = dict.fromkeys(("contributors", "in_kind_value", "hours_value"), Decimal(0))
    for s in snaps:
        for k in SECTORS:
            by_sector[k] += to_cents(s.data["hours_by_sector"][k])
        sums["contributors"] += s.data["new_contributors"]  # each person is new exactly once
        sums["in_kind_value"] += to_cents(s.data["in_kind_value"])
        sums["hours_value"] += to_cents(s.data["hours_value"])
    total = sum(by_sector.values(), Decimal(0))
    totals = {
        "hours_total": as_number(total),
        "hours_by_sector": {k: as_number(v) for k, v in by_sector.items()},
        "share_by_sector": {k: percent(v, total) for k, v in by_sector.items()},
        "contributors": int(sums["contributors"]),
        "in_kind_value": as_number(sums["in_kind_value"]),
        "hours_value": as_number(sums["hours_value"]),
    }
    latest = snaps[-1] if snaps else None
    outcomes = latest.data["outcomes"] if latest else []
    capacity = _impact_capacity([capacity_of(s.data) for s in snaps])
    return Impact(programme, totals, outcomes, latest.end if latest else None, capacity)


def _impact_capacity(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """Capacity building since the programme began, in aggregate: the training hours delivered
    (in total and by the sector of the organisations that ran the trainings) and the
    qualifications awarded, per qualification (most first, then by name and id)."""
    by_sector = dict.fromkeys(SECTORS, Decimal(0))
    awarded: dict[int, list[Any]] = {}
    for cap in blocks:
        for k in SECTORS:
            by_sector[k] += to_cents(cap["training_delivered_by_sector"][k])
        for row in cap["qualifications_awarded"]:
            awarded.setdefault(row["id"], [0, row["name"]])[0] += row["count"]
    ranked = sorted((-n, name, i) for i, (n, name) in awarded.items())
    return {
        "training_hours_total": as_number(sum(by_sector.values(), Decimal(0))),
        "training_delivered_by_sector": {k: as_number(v) for k, v in by_sector.items()},
        "qualifications_awarded": [{"id": i, "name": name, "count": -n} for n, name, i in ranked],
        "qualifications_awarded_total": sum(n for n, _name in awarded.values()),
    }
