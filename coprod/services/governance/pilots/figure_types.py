"""The shape of a pilot evaluation's figures, as built, stored (JSON) and shown."""

from __future__ import annotations

from typing import TypedDict


class GroupFigures(TypedDict):
    """One group's period and people (pilot or comparison); hours in hours."""

    start: str  # ISO dates
    end: str
    hours: float
    contributors: int
    returning: int
    retention: float | None  # % of contributors who came back on another day


class Rate(TypedDict):
    quantity: float
    per_hour: float | None


class Interval(TypedDict):
    low: float
    high: float


class MeasureFigures(TypedDict):
    """One measured outcome: each group's rate per hour, their difference and its interval."""

    metric_id: int
    name: str
    unit: str
    pilot: Rate
    comparison: Rate
    difference: float | None
    interval: Interval | None
    interval_note: str | None  # why there is no interval: "no_hours", "too_few_contributors"


class ControlFigures(TypedDict):
    kind: str  # "task" or "programme"
    id: int | None
    name: str


class MethodFigures(TypedDict):
    samples: int
    seed: int
    min_contributors: int


class EvaluationFigures(TypedDict):
    """The evaluation's figures as built, stored (JSON) and shown."""

    version: int
    programme_id: int
    comparison_kind: str
    controls: list[ControlFigures]
    method: MethodFigures
    pilot: GroupFigures
    comparison: GroupFigures
    measures: list[MeasureFigures]
