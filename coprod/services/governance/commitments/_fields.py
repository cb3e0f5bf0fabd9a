"""Reading what was typed for a partner's figure: its kind, amount, period, objective and dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from coprod.errors import FieldErrors, Invalid
from coprod.i18n import _
from coprod.models import CommitmentKind, Metric, PeriodKind, Programme
from coprod.services import localtime, money
from coprod.services.bounds import parse_day, parse_number, two_places

# The largest amount a figure may commit, per kind: hours a period, money a period, a quantity.
MAX_AMOUNT = {
    CommitmentKind.HOURS: Decimal("1000000"),
    CommitmentKind.IN_KIND: Decimal("9999999999.99"),
    CommitmentKind.OUTCOME: Decimal("999999999999.99"),
}


def _parse_kind(raw: Any) -> CommitmentKind:
    try:
        return CommitmentKind(str(raw or ""))
    except ValueError:
        raise Invalid("kind", _("Choose volunteer hours, in-kind value or an outcome.")) from None


def _parse_amount(raw: Any, kind: CommitmentKind) -> Decimal:
    label = _("The amount")
    value = parse_number(raw, "amount", _("%(label)s must be a number, like 40.", label=label))
    if value is None:
        raise Invalid("amount", _("Enter the amount the partner commits to."))
    if value <= 0:
        raise Invalid("amount", _("The amount must be more than 0."))
    if value > MAX_AMOUNT[kind]:
        raise Invalid(
            "amount",
            _("The amount can be at most %(max)s.", max=money.format_number(MAX_AMOUNT[kind])),
        )
    if not two_places(value):
        raise Invalid("amount", _("The amount can have at most two decimal places."))
    return value


def _parse_period(raw: Any) -> PeriodKind:
    try:
        return PeriodKind(str(raw or ""))
    except ValueError:
        raise Invalid("period", _("Choose a week, a month or a quarter.")) from None


def _parse_metric(programme: Programme, raw: Any) -> Metric:
    metric = None
    if isinstance(raw, int) or (isinstance(raw, str) and raw.strip().isdigit()):
        ident = int(raw)
        metric = next((m for m in programme.metrics if m.id == ident), None)
    if metric is None:
        raise Invalid("metric_id", _("Choose one of this programme's shared objectives."))
    return metric


def _check_dates(
    programme: Programme, starts_on: date | None, due_on: date | None, errs: FieldErrors
) -> None:
    first = programme.starts_on
    if starts_on is not None and starts_on < first:
        errs.add(
            "starts_on",
            _("The start cannot be before the programme starts (%(day)s).", day=_day(first)),
        )
    elif starts_on is not None and programme.ends_on and starts_on > programme.ends_on:
        errs.add(
            "starts_on",
            _(
                "The start cannot be after the programme ends (%(day)s).",
                day=_day(programme.ends_on),
            ),
        )
    begin = starts_on or first
    if due_on is not None and due_on < begin:
        errs.add("due_on", _("The due date cannot be before %(day)s.", day=_day(begin)))


def _day(day: date) -> str:
    return localtime.format_day(day)


def _values(
    session: Session,
    programme: Programme,
    kind: Any,
    amount: Any,
    period: Any,
    metric_id: Any,
    due_on: Any,
    starts_on: Any,
) -> dict[str, Any]:
    """The figure's fields from what was typed, or Invalid with a message per wrong field."""
    errs = FieldErrors()
    kind = errs.check(lambda: _parse_kind(kind))
    if kind is None:
        errs.raise_if_any()
    out: dict[str, Any] = {"kind": kind, "period": None, "metric": None, "due_on": None}
    out["amount"] = errs.check(lambda: _parse_amount(amount, kind))
    out["starts_on"] = errs.check(
        lambda: parse_day(starts_on, "starts_on", label=_("The start"), example="2026-01-01")
    )
    if kind == CommitmentKind.OUTCOME:
        out["metric"] = errs.check(lambda: _parse_metric(programme, metric_id))
        out["due_on"] = errs.check(
            lambda: parse_day(
                due_on, "due_on", label=_("The due date"), required=True, example="2026-12-31"
            )
        )
    else:
        out["period"] = errs.check(lambda: _parse_period(period))
    _check_dates(programme, out["starts_on"], out["due_on"], errs)
    errs.raise_if_any()
    return out
