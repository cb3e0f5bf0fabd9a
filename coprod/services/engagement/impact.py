""" "You said, we did": what became of the citizens' proposals a programme's agency answered.

For each accepted proposal with a linked task, the scheduler stores the task's figures so far
in `proposal.impact` (with `impact_built_at`), computed with the reports (coprod.jobs.reports):

- `hours`: the task's approved hours (ContributionLog status approved), as a string "12.50";
- `volunteers`: the distinct contributors of those hours -- `people` who logged hours for
  themselves, plus `organisations` whose coordinators logged hours on their behalf (one each,
  however many of their coordinators logged: such a log stands for the organisation's group).
  A person whose account was deleted keeps their hours in `hours` but can no longer be told
  apart from others, so is not counted;
- `outcomes`: per metric, the quantities of those approved logs: `{metric_id, name, unit,
  quantity}` with the quantity as a string "40.00", in the metric's id order.

Every figure is aggregated in the database: four statements per programme, whatever the
number of proposals and logs. The public page (`list_answered`) shows only these aggregates,
never a person's name.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from typing import cast as cast_type

from sqlalchemy import BigInteger, Table, bindparam, case, cast, distinct, func, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import ColumnElement

from coprod import policy
from coprod.errors import Invalid, NotFound
from coprod.i18n import _
from coprod.models import (
    ContributionLog,
    LogStatus,
    Metric,
    OutcomeQuantity,
    Programme,
    Proposal,
    ProposalStatus,
    User,
)
from coprod.models.engagement import DECIDED
from coprod.services.pagination import Page, paginate

log = logging.getLogger("coprod.impact")

L = ContributionLog
ACCEPTED = ProposalStatus.ACCEPTED


def _cents(total: Any) -> ColumnElement[int]:
    """A group's exact sum as integer cents (SQLite sums decimals as floats: round once)."""
    return cast(func.round(total * 100), BigInteger)


def _amount(cents: int | None) -> str:
    return str(Decimal(int(cents or 0)).scaleb(-2))


def _accepted(programme_id: int) -> Any:
    return select(Proposal.id, Proposal.task_id).where(
        Proposal.programme_id == programme_id,
        Proposal.status == ACCEPTED,
        Proposal.task_id.is_not(None),
    )


def refresh_impact(
    session: Session, *, programme_ids: Iterable[int] | None = None, now: datetime
) -> int:
    """Recompute the impact of every accepted proposal with a task, in the given programmes
    (all when None), each programme in a savepoint: one that fails is logged and skipped, the
    others are refreshed; returns how many proposals were refreshed."""
    q = select(Proposal.programme_id).where(
        Proposal.status == ACCEPTED, Proposal.task_id.is_not(None)
    )
    if programme_ids is not None:
        q = q.where(Proposal.programme_id.in_(sorted(set(programme_ids))))
    refreshed = 0
    for programme_id in session.scalars(q.distinct().order_by(Proposal.programme_id)).all():
        try:
            with session.begin_nested():
                refreshed += refresh_programme(session, programme_id, now=now)
        except Exception as err:
            log.error(
                "impact: programme %s not refreshed (skipped): %s: %s",
                *(programme_id, type(err).__name__, err),
            )
    return refreshed


def unbuilt_programmes(session: Session) -> set[int]:
    """Programmes with an accepted proposal whose impact was never computed (just accepted)."""
    q = select(Proposal.programme_id).where(
        Proposal.status == ACCEPTED,
        Proposal.task_id.is_not(None),
        Proposal.impact_built_at.is_(None),
    )
    return set(session.scalars(q.distinct()))


def refresh_programme(session: Session, programme_id: int, *, now: datetime) -> int:
    """Store the figures of the programme's accepted proposals (see the module's docstring)."""
    proposals = session.execute(_accepted(programme_id)).all()
    if not proposals:
        return 0
    tasks = select(Proposal.task_id).where(
        Proposal.programme_id == programme_id,
        Proposal.status == ACCEPTED,
        Proposal.task_id.is_not(None),
    )
    counted = (L.task_id.in_(tasks), L.status == LogStatus.APPROVED)
    people = func.count(distinct(case((L.organisation_id.is_(None), L.user_id))))
    totals = {
        task_id: (cents, persons, orgs)
        for task_id, cents, persons, orgs in session.execute(
            select(L.task_id, _cents(func.sum(L.hours)), people)
            .add_columns(func.count(distinct(L.organisation_id)))
            .where(*counted)
            .group_by(L.task_id)
        )
    }
    q = OutcomeQuantity
    outcomes: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for task_id, metric_id, name, unit, cents in session.execute(
        select(L.task_id, Metric.id, Metric.name, Metric.unit, _cents(func.sum(q.quantity)))
        .join(L, L.id == q.log_id)
        .join(Metric, Metric.id == q.metric_id)
        .where(*counted)
        .group_by(L.task_id, Metric.id, Metric.name, Metric.unit)
        .order_by(L.task_id, Metric.id)
    ):
        outcomes[task_id].append(
            {"metric_id": metric_id, "name": name, "unit": unit, "quantity": _amount(cents)}
        )
    rows = []
    for proposal_id, task_id in proposals:
        cents, persons, orgs = totals.get(task_id, (0, 0, 0))
        figures = {
            "hours": _amount(cents),
            "volunteers": int(persons) + int(orgs),
            "people": int(persons),
            "organisations": int(orgs),
            "outcomes": outcomes.get(task_id, []),
        }
        rows.append({"pid": proposal_id, "impact": figures})
    _store(session, rows, now)
    return len(rows)


def _store(session: Session, rows: list[dict[str, Any]], now: datetime) -> None:
    """Write the figures in one statement (the proposal's `updated_at` stays: its text and
    answer did not change)."""
    table = cast_type(Table, Proposal.__table__)
    stmt = (
        table.update()
        .where(table.c.id == bindparam("pid"))
        .values(impact=bindparam("impact"), impact_built_at=now, updated_at=table.c.updated_at)
    )
    session.connection().execute(stmt, rows)
    # Proposals already loaded in the session show the new figures when read again.
    for obj in session.identity_map.values():
        if isinstance(obj, Proposal):
            session.expire(obj, ["impact", "impact_built_at"])


# --- the public page: "You said, we did" --------------------------------------------------


ANSWERED = tuple(s.value for s in DECIDED)


@dataclass(frozen=True)
class Answered:
    programme: Programme
    status: ProposalStatus | None  # the filter, None for every answered proposal
    page: Page[Proposal]


def parse_status(raw: str | None) -> ProposalStatus | None:
    """The status filter: empty for every answer, else accepted, declined or already_planned."""
    if raw is None or raw == "" or raw == "all":
        return None
    if raw not in ANSWERED:
        raise Invalid("status", _("Choose accepted, declined or already planned."))
    return ProposalStatus(raw)


def get_programme(session: Session, actor: User | None, programme_id: int) -> Programme:
    """The programme whose answers are shown (its page is public)."""
    programme = session.get(Programme, programme_id)
    if programme is None:
        raise NotFound(_("There is no such programme."))
    policy.require(actor, "programme.view", programme)
    return programme


def list_answered(
    session: Session,
    actor: User | None,
    programme_id: int,
    *,
    status: str | None = None,
    page: int = 1,
    per_page: int = 10,
) -> Answered:
    """A programme's answered proposals, newest answer first, for everyone: hidden ones never
    (not even for the staff who may still read them elsewhere), and no author's name."""
    programme = get_programme(session, actor, programme_id)
    wanted = parse_status(status)
    statuses = [wanted] if wanted is not None else list(DECIDED)
    stmt = (
        select(Proposal)
        .where(
            Proposal.programme_id == programme.id,
            Proposal.status.in_(statuses),
            Proposal.hidden_at.is_(None),
            policy.visible_proposals(actor),
        )
        .options(selectinload(Proposal.task))
        .order_by(Proposal.answered_at.desc().nulls_last(), Proposal.id.desc())
    )
    return Answered(programme, wanted, paginate(session, stmt, page, per_page))
