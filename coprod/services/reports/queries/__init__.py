"""The report's service figures as named queries: one function per family of figures of one
programme over a run of periods (a Scope), each aggregated in the database (no log row reaches
Python), returning typed rows keyed by period start; amounts in integer cents. Capacity
building's figures are in training.py.

What counts (see figures.py): approved logs only; training hours (logs on a task that trains a
qualification) count in no service figure; outcome and in-kind rows count with their log.
"""

from coprod.services.reports.queries.scope import (
    CHUNK,
    NOT_COUNTED,
    InKindTotal,
    L,
    OrganisationHours,
    OutcomeTotal,
    ProgrammeFacts,
    Scope,
    ServiceHours,
    TaskHours,
    TaskRatings,
    bound_parameters,
    programme_facts,
    rows_of,
)
from coprod.services.reports.queries.service import service_hours
from coprod.services.reports.queries.totals import in_kind_totals, outcome_totals, task_ratings

__all__ = [
    "CHUNK",
    "NOT_COUNTED",
    "InKindTotal",
    "L",
    "OrganisationHours",
    "OutcomeTotal",
    "ProgrammeFacts",
    "Scope",
    "ServiceHours",
    "TaskHours",
    "TaskRatings",
    "bound_parameters",
    "in_kind_totals",
    "outcome_totals",
    "programme_facts",
    "rows_of",
    "service_hours",
    "task_ratings",
]
