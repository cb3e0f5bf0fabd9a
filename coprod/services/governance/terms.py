"""What a partnership agreement says of each partner: the snapshot of a partner's role,
responsibilities, commitments and commitment figures that a published version keeps
(Agreement.terms), and those figures in words ("40 volunteer hours a month")."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from coprod.i18n import _
from coprod.models import Commitment, CommitmentKind, Partner, PeriodKind, Programme
from coprod.services.localtime import format_day
from coprod.services.money import format_money, format_number


def figure_terms(figure: Commitment) -> dict[str, Any]:
    """One commitment figure as an agreement keeps it (JSON: amounts as exact text)."""
    metric = figure.metric
    return {
        "kind": figure.kind.value,
        "amount": str(figure.amount),
        "period": figure.period.value if figure.period else None,
        "metric_id": figure.metric_id,
        "metric_name": metric.name if metric else None,
        "unit": metric.unit if metric else None,
        "due_on": figure.due_on.isoformat() if figure.due_on else None,
    }


def partner_terms(partner: Partner) -> dict[str, Any]:
    """What a version says of one partner, as the partner stands now."""
    return {
        "organisation_id": partner.organisation_id,
        "organisation_name": partner.organisation.name,
        "role": partner.role,
        "responsibilities": partner.responsibilities or "",
        "commitments": partner.commitments or "",
        "figures": [figure_terms(f) for f in partner.figures],
    }


def current_terms(programme: Programme) -> list[dict[str, Any]]:
    """Every current partner's terms, by organisation name: what publishing would snapshot."""
    partners = sorted(programme.partners, key=lambda p: (p.organisation.name.lower(), p.id))
    return [partner_terms(p) for p in partners]


def _amount(raw: Any) -> Decimal:
    try:
        return Decimal(str(raw))
    except (InvalidOperation, ValueError):
        return Decimal(0)


def _per(kind: str, period: str | None, amount: str) -> str:
    hours = kind == CommitmentKind.HOURS.value
    if period == PeriodKind.WEEK.value:
        if hours:
            return _("%(amount)s volunteer hours a week", amount=amount)
        return _("%(amount)s in kind a week", amount=amount)
    if period == PeriodKind.QUARTER.value:
        if hours:
            return _("%(amount)s volunteer hours a quarter", amount=amount)
        return _("%(amount)s in kind a quarter", amount=amount)
    if hours:
        return _("%(amount)s volunteer hours a month", amount=amount)
    return _("%(amount)s in kind a month", amount=amount)


def describe_figure(figure: dict[str, Any], currency: str) -> str:
    """A figure in words: "40 volunteer hours a month", "£200.00 in kind a quarter", "500
    meals by 30 June 2027"."""
    kind = str(figure.get("kind") or "")
    amount = _amount(figure.get("amount"))
    if kind == CommitmentKind.OUTCOME.value:
        due = figure.get("due_on")
        try:
            day = format_day(date.fromisoformat(str(due))) if due else "…"
        except ValueError:
            day = str(due)
        return _(
            "%(amount)s %(unit)s by %(day)s",
            amount=format_number(amount),
            unit=figure.get("unit") or figure.get("metric_name") or "",
            day=day,
        )
    if kind == CommitmentKind.IN_KIND.value:
        return _per(kind, figure.get("period"), format_money(amount, currency))
    return _per(kind, figure.get("period"), format_number(amount))


def figures_by_partner(session: Session, programme: Programme) -> dict[int, list[str]]:
    """Every partner's current figures in words, keyed by partner id (the programme page; one
    statement whatever the number of partners)."""
    rows = session.scalars(
        select(Commitment)
        .join(Partner, Partner.id == Commitment.partner_id)
        .where(Partner.programme_id == programme.id)
        .options(joinedload(Commitment.metric))
        .order_by(Commitment.partner_id, Commitment.id)
    )
    found: dict[int, list[str]] = {}
    for figure in rows:
        text = describe_figure(figure_terms(figure), programme.currency)
        found.setdefault(figure.partner_id, []).append(text)
    return found


__all__ = [
    "current_terms",
    "describe_figure",
    "figure_terms",
    "figures_by_partner",
    "partner_terms",
]
