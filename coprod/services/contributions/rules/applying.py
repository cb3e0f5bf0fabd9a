"""Applying a checked log: the person's lock, its row's fields, its audit record."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod.models import ContributionLog, InKindItem, OutcomeQuantity, User
from coprod.services import audit
from coprod.services.contributions.rules.inputs import AUDITED, LogInput


def lock_person(session: Session, user_id: int) -> None:
    # Two logs of one person for one day must not both pass the 24 h check: serialise a
    # person's submissions on their user row (PostgreSQL; SQLite serialises all writers).
    # FOR NO KEY UPDATE: rows inserted meanwhile that refer to the person are not blocked.
    session.execute(select(User.id).where(User.id == user_id).with_for_update(key_share=True))


def fill_log(log: ContributionLog, data: LogInput, outcomes: Any, in_kind: Any, notes: str) -> None:
    log.date = data.on  # type: ignore[assignment]
    log.hours = data.hours  # type: ignore[assignment]
    log.notes = notes
    log.shift_id = data.shift.id if data.shift is not None else None
    # Keep the row of a metric given again: replacing it would insert the new row before the
    # old one is deleted and break the (log, metric) unique key.
    kept = {o.metric_id: o for o in log.outcomes}
    log.outcomes = [_outcome(kept.get(m) or OutcomeQuantity(metric_id=m), q) for m, q in outcomes]
    log.in_kind = [InKindItem(description=d, value=v) for d, v in in_kind]


def _outcome(row: OutcomeQuantity, quantity: Decimal) -> OutcomeQuantity:
    row.quantity = quantity
    return row


def log_state(log: ContributionLog) -> dict[str, Any]:
    """A log's audited fields, outcomes and in-kind items, for a before/after record."""
    state = audit.snapshot(log, AUDITED)
    state["outcomes"] = [[o.metric_id, o.quantity] for o in log.outcomes]
    state["in_kind"] = [[i.description, i.value] for i in log.in_kind]
    return audit.jsonable(state)  # type: ignore[no-any-return]


def record_change(
    session: Session, actor: User, action: str, log: ContributionLog, now: datetime, **kw: Any
) -> None:
    audit.record(session, actor, action, log, **kw, at=now)
