"""A snapshot as it leaves the service: JSON for the API and the export, formula-safe CSV in the
reader's language, and the blocks a snapshot built before them lacks."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from coprod.i18n import _, _l
from coprod.models import PeriodKind, ReportSnapshot
from coprod.services.localtime import local_today
from coprod.services.reports.document import (
    Capacity,
    PartnerFigures,
    ReportDocument,
    document_of,
    judged,
)
from coprod.services.reports.figures import SECTORS, empty_capacity
from coprod.services.reports.periods import period_end


def capacity_of(data: ReportDocument) -> Capacity:
    """A snapshot's capacity block; empty in one built before capacity was reported (the next
    rebuild fills it)."""
    return data.get("capacity") or empty_capacity()


def commitments_of(
    data: ReportDocument, kind: PeriodKind, start: date, today: date | None = None
) -> list[PartnerFigures] | None:
    """A snapshot's partners' figures against delivery (coprod.services.governance.figures),
    judged as of `today` while the period is in progress; None in a snapshot built before
    commitments were reported (the next rebuild adds them)."""
    block = data.get("commitments")
    if block is None:
        return None
    return judged(block, start, period_end(kind, start), today)


def snapshot_json(snap: ReportSnapshot, *, now: datetime | None = None) -> dict[str, Any]:
    """The snapshot as the API and the JSON export give it, with the programme's currency (the
    ISO 4217 code of `in_kind_value` and `hours_value`); `feedback` is None in a snapshot built
    before ratings were reported (the next rebuild adds them); `capacity` is empty in one built
    before capacity building was reported; `commitments` is None in one built before
    commitments were reported, and judged as of `now` while the period is in progress."""
    today = local_today(snap.programme, now) if now is not None else None
    doc = document_of(snap)
    return {
        **snap.data,
        "feedback": snap.data.get("feedback"),
        "capacity": capacity_of(doc),
        "commitments": commitments_of(doc, snap.period, snap.start, today),
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


def _commitment_rows(
    block: Sequence[Mapping[str, Any]] | None, money_column: str
) -> list[dict[str, Any]]:
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
    d, doc = snap.data, document_of(snap)
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
    rows += _capacity_rows(capacity_of(doc))
    rows += _commitment_rows(commitments_of(doc, snap.period, snap.start, today), money_column)
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


def _capacity_rows(cap: Mapping[str, Any]) -> list[dict[str, Any]]:
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
