"""A pilot evaluation's downloads: the figures as CSV and the decision as JSON."""

from __future__ import annotations

from typing import Any

from coprod.models import PilotEvaluation
from coprod.services.governance.pilots.figure_types import EvaluationFigures, Interval

CSV_COLUMNS = [
    "measure",
    "unit",
    "figure",
    "pilot",
    "comparison",
    "difference",
    "interval_low",
    "interval_high",
]


def _text_cell(value: Any) -> str:
    """A name a spreadsheet will not run as a formula (numbers are written as numbers)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def figures_csv(figures: EvaluationFigures) -> str:
    """The evaluation as CSV: the periods and the group figures (measure "all"), then per
    measured metric its outcome and outcome per hour with the difference and interval."""
    import csv
    import io

    p, c = figures["pilot"], figures["comparison"]

    def num(v: Any) -> str:
        return "" if v is None else str(v)

    rows: list[list[str]] = [
        ["all", "", "comparison_kind", "", figures["comparison_kind"], "", "", ""],
        ["all", "", "start", p["start"], c["start"], "", "", ""],
        ["all", "", "end", p["end"], c["end"], "", "", ""],
    ]
    for key in ("hours", "contributors", "returning", "retention"):
        rows.append(["all", "", key, num(p[key]), num(c[key]), "", "", ""])
    for m in figures["measures"]:
        name, unit = _text_cell(m["name"]), _text_cell(m["unit"])
        q = ("quantity", m["pilot"]["quantity"], m["comparison"]["quantity"])
        rows.append([name, unit, q[0], num(q[1]), num(q[2]), "", "", ""])
        interval: Interval | dict[str, float] = m["interval"] or {}
        rows.append(
            [
                name,
                unit,
                "per_hour",
                num(m["pilot"]["per_hour"]),
                num(m["comparison"]["per_hour"]),
                num(m["difference"]),
                num(interval.get("low")),
                num(interval.get("high")),
            ]
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def decision_json(evaluation: PilotEvaluation) -> dict[str, Any]:
    """The decision as the downloads and the API give it (no name: public in aggregate)."""
    return {
        "decision": evaluation.decision.value if evaluation.decision else None,
        "lessons": evaluation.lessons,
        "decided_at": evaluation.decided_at.isoformat() if evaluation.decided_at else None,
        "built_at": evaluation.built_at.isoformat(),
    }
