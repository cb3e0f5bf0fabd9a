"""The snapshot document: the JSON a report snapshot stores, as types, and reading it typed.

One document per programme and period: figures.py builds it, building.py stores it.

Blocks added after the first snapshots were built (`feedback`, `capacity`, `commitments`) are
absent from a snapshot built before them, until its next rebuild. Amounts are floats (hours,
money in the programme's currency, outcome quantities); days are ISO dates.
"""

from __future__ import annotations

from datetime import date
from typing import Any, NotRequired, TypedDict, cast

from sqlalchemy.orm import Session

from coprod.models import PeriodKind, Programme, ReportSnapshot
from coprod.services.governance import figures as commitment_figures
from coprod.services.reports.periods import period_end


class Ranked(TypedDict):
    """An organisation or task, with its hours (most first, then by name and id)."""

    id: int
    name: str
    hours: float


class Counted(TypedDict):
    """A qualification, with how many awards (most first, then by name and id)."""

    id: int
    name: str
    count: int


class Outcome(TypedDict):
    """A metric's quantity in the period and so far, against its target."""

    metric_id: int
    name: str
    unit: str
    quantity: float
    cumulative: float
    target: float
    target_date: str
    percent_of_target: float
    expected: float
    on_track: bool


class RatedTask(TypedDict):
    id: int
    name: str
    responses: int
    average_rating: float | None


class Feedback(TypedDict):
    """Volunteers' ratings in the period, overall and per task."""

    responses: int
    average_rating: float | None
    by_task: list[RatedTask]


class Capacity(TypedDict):
    """Capacity building in the period (see figures.py): training hours and awards."""

    training_hours_total: float
    training_received_by_sector: dict[str, float]
    training_received_by_organisation: list[Ranked]
    training_delivered_by_sector: dict[str, float]
    training_delivered_by_organisation: list[Ranked]
    qualifications_awarded: list[Counted]
    qualifications_expiring: list[Counted]


class Totals(TypedDict):
    """A period's service hours (in total, by sector, each sector's share), people and value."""

    hours_total: float
    hours_by_sector: dict[str, float]
    share_by_sector: dict[str, float]
    contributors: int
    new_contributors: int
    in_kind_value: float
    hours_value: float


class Previous(Totals):
    """The period before, with its totals."""

    start: str
    end: str


class Change(TypedDict):
    """From the period before to this one."""

    hours_total: float
    hours_total_percent: float | None
    contributors: int


class CommitmentFigure(TypedDict):
    """A partner's committed figure in the period, judged (coprod.services.governance.figures):
    an outcome has no `committed` nor `expected` in the period, only to date."""

    id: int
    kind: str
    amount: float
    period: str | None
    metric_id: int | None
    metric_name: str | None
    unit: str | None
    starts_on: str
    ends_on: str | None
    due_on: str | None
    delivered: float
    delivered_to_date: float
    committed: float | None
    committed_to_date: float
    expected: float | None
    expected_to_date: float
    status: str
    status_to_date: str
    on_track: bool


class PartnerFigures(TypedDict):
    """A partner of the programme and its figures, by organisation name."""

    partner_id: int
    organisation_id: int
    organisation_name: str
    figures: list[CommitmentFigure]


class ReportDocument(Totals):
    """A snapshot's document: the period, its totals and the lists of the report page."""

    programme_id: int
    period: str
    start: str
    end: str
    hours_by_organisation: list[Ranked]
    hours_by_task: list[Ranked]
    outcomes: list[Outcome]
    feedback: NotRequired[Feedback]
    capacity: NotRequired[Capacity]
    previous: Previous
    change: Change
    commitments: NotRequired[list[PartnerFigures]]


def document_of(snap: ReportSnapshot) -> ReportDocument:
    """The snapshot's stored JSON, as the document it is."""
    return cast(ReportDocument, snap.data)


def partner_figures(block: list[dict[str, Any]]) -> list[PartnerFigures]:
    """A block of coprod.services.governance.figures (plain dicts), as the document holds it."""
    return cast("list[PartnerFigures]", block)


def judged(
    block: list[PartnerFigures], start: date, end: date, today: date | None
) -> list[PartnerFigures]:
    """The block with each figure judged as of `today` (governance.figures.judged_block)."""
    plain = cast("list[dict[str, Any]]", block)
    return partner_figures(commitment_figures.judged_block(plain, start, end, today))


def commitments_now(
    session: Session, programme: Programme, kind: PeriodKind, start: date, today: date
) -> list[PartnerFigures]:
    """The programme's partners' figures in the period starting on `start`, computed now (no
    snapshot holds them yet) and judged as of `today`."""
    built = commitment_figures.programme_blocks(session, programme, kind, [start])
    return judged(partner_figures(built[start]), start, period_end(kind, start), today)
