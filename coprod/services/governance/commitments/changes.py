"""Adding and removing a partner's figures, and writing them into the programme's built reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, NotFound
from coprod.i18n import _
from coprod.models import Commitment, Partner, PeriodKind, Programme, ReportSnapshot, User
from coprod.services import audit
from coprod.services.governance import figures as fig
from coprod.services.governance.commitments._fields import _values

MAX_FIGURES = 20  # figures one partner holds at most


def _lock(session: Session, partner: Partner) -> None:
    """Hold the partner's row while its figures are counted and compared (PostgreSQL; SQLite
    lets one writer in at a time)."""
    session.execute(
        select(Partner.id).where(Partner.id == partner.id).with_for_update()
    ).one_or_none()
    session.refresh(partner, ["figures"])


def _same(c: Commitment, v: dict[str, Any]) -> bool:
    metric = v["metric"].id if v["metric"] is not None else None
    return (c.kind, c.amount, c.period, c.metric_id, c.due_on, c.starts_on) == (
        v["kind"],
        v["amount"],
        v["period"],
        metric,
        v["due_on"],
        v["starts_on"],
    )


def _audited(c: Commitment) -> dict[str, Any]:
    return {
        "partner_id": c.partner_id,
        "organisation_id": c.partner.organisation_id,
        "kind": c.kind.value,
        "amount": c.amount,
        "period": c.period.value if c.period else None,
        "metric_id": c.metric_id,
        "due_on": c.due_on,
        "starts_on": c.starts_on,
    }


def add_commitment(
    session: Session,
    actor: User,
    partner: Partner,
    *,
    kind: Any,
    amount: Any,
    period: Any = None,
    metric_id: Any = None,
    due_on: Any = None,
    starts_on: Any = None,
    now: datetime,
) -> Commitment:
    """The lead agency's staff give a partner a measurable figure: hours or in-kind value per
    week, month or quarter, or a quantity of one of the programme's own objectives by a due
    date, counted from `starts_on` (else the programme's start); at most MAX_FIGURES per
    partner, never the same figure twice. The programme's built reports take it in at once."""
    programme = partner.programme
    policy.require(actor, "programme.manage", programme)
    v = _values(session, programme, kind, amount, period, metric_id, due_on, starts_on)
    _lock(session, partner)
    if any(_same(c, v) for c in partner.figures):
        raise Conflict(_("%(name)s already has this figure.", name=partner.organisation.name))
    if len(partner.figures) >= MAX_FIGURES:
        raise Conflict(
            _(
                "A partner holds at most %(max)s figures: remove one first.",
                max=MAX_FIGURES,
            )
        )
    c = Commitment(
        partner=partner,
        kind=v["kind"],
        amount=v["amount"],
        period=v["period"],
        metric=v["metric"],
        due_on=v["due_on"],
        starts_on=v["starts_on"],
        created_at=now,
    )
    session.add(c)
    session.flush()
    audit.record(session, actor, "commitment.added", c, after=_audited(c), at=now)
    refresh_reports(session, programme, now=now)
    return c


def get_commitment(partner: Partner, commitment_id: int) -> Commitment:
    """A figure of this partner (never of another one)."""
    for c in partner.figures:
        if c.id == commitment_id:
            return c
    raise NotFound(_("No such figure for this partner."))


def remove_commitment(
    session: Session, actor: User, partner: Partner, commitment_id: int, *, now: datetime
) -> Commitment:
    """The lead agency's staff remove one of a partner's figures; the programme's built
    reports drop it at once."""
    programme = partner.programme
    policy.require(actor, "programme.manage", programme)
    _lock(session, partner)
    c = get_commitment(partner, commitment_id)
    audit.record(session, actor, "commitment.removed", c, before=_audited(c), at=now)
    partner.figures.remove(c)
    session.flush()
    refresh_reports(session, programme, now=now)
    return c


def refresh_reports(session: Session, programme: Programme, *, now: datetime) -> int:
    """Write the figures' block afresh into each built report of the programme whose block
    changed (built_at moves with it); returns how many changed."""
    from coprod.services.reports.building import update_snapshots

    figures = fig.load_figures(session, Partner.programme_id == programme.id)
    changed = 0
    for kind in PeriodKind:
        snap = ReportSnapshot
        stored: dict[date, Any] = dict(
            session.execute(
                select(snap.start, snap.data).where(
                    snap.programme_id == programme.id, snap.period == kind
                )
            ).all()
        )
        blocks = fig.programme_blocks(session, programme, kind, sorted(stored), figures)
        stale = {
            start: {**data, "commitments": blocks[start]}
            for start, data in stored.items()
            if data.get("commitments") != blocks[start]
        }
        update_snapshots(session, programme.id, kind, stale, now)
        changed += len(stale)
    return changed
