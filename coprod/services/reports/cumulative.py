"""Where a batch's cumulative outcome totals start: from the outcome rows before the batch (a
full rebuild), or from the stored snapshot of the period before it (a sweep, when that
snapshot is known to be exact and unchanged).

Why a sweep may trust that snapshot. The sweep rebuilds every period from the earliest one
touched since its cursor onward (planning.sweep_batches), so the period before its first
batch of a programme and kind holds no log that entered or left the approved set since then:
its figures were exact when last built and nothing counted in them has moved. That holds only
if they were exact when built, so the snapshot must vouch for itself:

- its `outcomes_to_date` column is written by this builder alone, with the document, from the
  exact totals; NULL means "not known": a snapshot built before this column (maybe by the old
  sweep, which left later periods stale), or whose period failed its last rebuild (its rows
  moved and it was not rebuilt: see forget);
- the column must still agree with the document's `cumulative` figures: a builder that does not
  know the column (an older release run on the same database) rewrites the document only;
- it must list every metric of the programme (a metric it lacks has no known total).

Otherwise, and for every batch a sweep does not vouch for (Batch.resumes), the rows are read.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from coprod.models import Metric, PeriodKind, ReportSnapshot
from coprod.services.reports.document import ReportDocument
from coprod.services.reports.figures import to_cents

# A document's float reads back as exactly its cents below 10**13 (at most 15 significant
# digits); a total that large is not kept (None: the rows are read).
EXACT_BELOW = 10**13


def to_date_of(document: ReportDocument) -> dict[str, int] | None:
    """The document's cumulative outcome totals in cents by metric id (as the column keeps
    them), or None if one is too large to read back exactly."""
    totals: dict[str, int] = {}
    for outcome in document["outcomes"]:
        so_far = outcome["cumulative"]
        if abs(so_far) >= EXACT_BELOW:
            return None
        totals[str(outcome["metric_id"])] = int(to_cents(so_far).scaleb(2))
    return totals


def stored_to_date(
    session: Session, programme_id: int, kind: PeriodKind, start: date, metrics: list[Metric]
) -> dict[int, Decimal] | None:
    """Each metric's cumulative total at the end of the period starting on `start`, from its
    snapshot, or None unless that snapshot vouches for them (see the module's docstring)."""
    snap = ReportSnapshot
    row = session.execute(
        select(snap.outcomes_to_date, snap.data).where(
            snap.programme_id == programme_id, snap.period == kind, snap.start == start
        )
    ).one_or_none()
    if row is None or row.outcomes_to_date is None:
        return None
    kept: dict[str, int] = row.outcomes_to_date
    if to_date_of(row.data) != kept or any(str(m.id) not in kept for m in metrics):
        return None
    return {m.id: Decimal(kept[str(m.id)]).scaleb(-2) for m in metrics}


def before_batch(
    to_date: dict[int, Decimal], first_period: dict[int, Decimal]
) -> dict[int, Decimal]:
    """The totals before the batch's first period read (the stored period's own), from those
    to its end: the builder adds that period's quantities back as it walks the periods."""
    return {m: total - first_period.get(m, Decimal(0)) for m, total in to_date.items()}


def forget(session: Session, programme_id: int, kind: PeriodKind, start: date) -> None:
    """The period could not be built: its stored totals are no longer known to be exact."""
    snap = ReportSnapshot
    session.execute(
        update(snap)
        .where(snap.programme_id == programme_id, snap.period == kind, snap.start == start)
        .values(outcomes_to_date=None)
        .execution_options(synchronize_session=False)
    )
