"""Partners' commitments as figures: the lead agency's staff add and remove them; everyone who
reads the programme's reports sees them against what the partner delivered (the arithmetic and
the flags: coprod.services.governance.figures)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import false as false_
from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid, NotFound
from coprod.i18n import _
from coprod.models import (
    Commitment,
    CommitmentKind,
    Metric,
    Partner,
    PeriodKind,
    Programme,
    ReportSnapshot,
    User,
)
from coprod.services import audit, localtime, money
from coprod.services.bounds import parse_day, parse_number, two_places
from coprod.services.governance import figures as fig
from coprod.services.reports.periods import last_complete_start, period_end, period_start

MAX_FIGURES = 20  # figures one partner holds at most
# The largest amount a figure may commit, per kind: hours a period, money a period, a quantity.
MAX_AMOUNT = {
    CommitmentKind.HOURS: Decimal("1000000"),
    CommitmentKind.IN_KIND: Decimal("9999999999.99"),
    CommitmentKind.OUTCOME: Decimal("999999999999.99"),
}
MAX_BEHIND = 30  # figures listed on a home page


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


# --- reading: a partner's figures, the API's partner objects, the home page ---------------


def _hours_phrase(per: PeriodKind, amount: str) -> str:
    return {
        PeriodKind.WEEK: _("%(amount)s volunteer hours a week", amount=amount),
        PeriodKind.MONTH: _("%(amount)s volunteer hours a month", amount=amount),
        PeriodKind.QUARTER: _("%(amount)s volunteer hours a quarter", amount=amount),
    }[per]


def _in_kind_phrase(per: PeriodKind, value: str) -> str:
    return {
        PeriodKind.WEEK: _("%(value)s of in-kind support a week", value=value),
        PeriodKind.MONTH: _("%(value)s of in-kind support a month", value=value),
        PeriodKind.QUARTER: _("%(value)s of in-kind support a quarter", value=value),
    }[per]


def describe(doc: dict[str, Any], currency: str) -> str:
    """A figure in words, from a figure's document: "40 volunteer hours a month from 1 January
    2026", "£300 of in-kind support a month from …", "2,000 kg of Food collected by …"."""
    day = localtime.format_day(date.fromisoformat(doc["starts_on"]))
    kind, per = doc["kind"], fig.own_kind(doc)
    if kind == CommitmentKind.OUTCOME:
        due = localtime.format_day(date.fromisoformat(doc["due_on"]))
        return _(
            "%(amount)s %(unit)s of “%(metric)s” from %(start)s to %(due)s",
            amount=money.format_number(doc["amount"]),
            unit=doc["unit"],
            metric=doc["metric_name"],
            start=day,
            due=due,
        )
    if kind == CommitmentKind.HOURS:
        what = _hours_phrase(per, money.format_number(doc["amount"]))
    else:
        what = _in_kind_phrase(per, money.format_money(doc["amount"], currency))
    return _("%(what)s from %(day)s", what=what, day=day)


@dataclass
class Standing:
    """A figure this period (of its own kind; an outcome's: this month) and to date."""

    doc: dict[str, Any]  # fig.figure_doc, judged as of today
    words: str
    kind: PeriodKind  # the period it is measured in
    start: date  # that period's first day
    commitment: Commitment


def _standings(
    session: Session, figures: list[Commitment], now: datetime, kind: PeriodKind | None
) -> list[Standing]:
    """Each figure in the period (of `kind`, else its own) containing its programme's today,
    judged as of today: one grouped statement for all of them."""
    if not figures:
        return []
    plan = []
    for c in figures:
        today = localtime.local_today(c.partner.programme, now)
        k = kind or fig.own_kind(c)
        plan.append((c, k, period_start(k, today), today))
    lo = min(start for _c, _k, start, _t in plan)
    hi = max(period_end(k, start) for _c, k, start, _t in plan)
    sums = fig.delivered(session, Commitment.id.in_([c.id for c in figures]), kind, lo, hi)
    out = []
    for c, k, start, today in plan:
        doc = fig.figure_doc(c, k, start, sums.get(c.id, {}))
        doc = fig.judge(doc, start, period_end(k, start), today)
        out.append(Standing(doc, describe(doc, c.partner.programme.currency), k, start, c))
    return out


@dataclass
class PartnerFigures:
    programme: Programme
    partner: Partner
    standings: list[Standing]
    may_manage: bool


def partner_figures(
    session: Session, actor: User | None, partner: Partner, *, now: datetime
) -> PartnerFigures:
    """A partner's figures against what it delivered this period and to date, for those who
    read the programme's reports."""
    programme = partner.programme
    policy.require(actor, "programme.view_reports", programme)
    figures = fig.load_figures(session, Partner.id == partner.id)
    standings = _standings(session, figures, now, None)
    return PartnerFigures(
        programme, partner, standings, policy.can(actor, "programme.manage", programme)
    )


def programme_standings(
    session: Session, actor: User | None, programme: Programme, *, now: datetime
) -> dict[int, list[Standing]] | None:
    """Per partner, its figures this month and to date (the API's partner objects); None for
    those who may not read the programme's reports."""
    if not policy.can(actor, "programme.view_reports", programme):
        return None
    figures = fig.load_figures(session, Partner.programme_id == programme.id)
    out: dict[int, list[Standing]] = {p.id: [] for p in programme.partners}
    for s in _standings(session, figures, now, PeriodKind.MONTH):
        out.setdefault(s.commitment.partner_id, []).append(s)
    return out


@dataclass
class Behind:
    """A figure a partner is behind on: in its last complete period (hours, in-kind), or to
    date (an outcome: behind or missed)."""

    programme: Programme
    partner: Partner
    words: str
    doc: dict[str, Any]
    kind: PeriodKind
    start: date


def behind_partners(session: Session, actor: User, *, now: datetime) -> list[Behind]:
    """For lead agency staff: the partners behind a figure in the programmes they run (two
    statements, whatever their number; none for those who run none)."""
    managed = policy.managed_programmes(actor)
    if managed is false_():
        return []
    run = select(Programme.id).where(managed).scalar_subquery()
    figures = fig.load_figures(session, Partner.programme_id.in_(run), limit=500)
    if not figures:
        return []
    plan = []
    for c in figures:
        today = localtime.local_today(c.partner.programme, now)
        k = fig.own_kind(c)
        if c.kind == CommitmentKind.OUTCOME:
            plan.append((c, k, period_start(k, today), today))
        else:
            plan.append((c, k, last_complete_start(k, today), today))
    lo = min(start for _c, _k, start, _t in plan)
    hi = max(today for _c, _k, _s, today in plan)
    sums = fig.delivered(session, Commitment.id.in_([c.id for c in figures]), None, lo, hi)
    out = []
    for c, k, start, today in plan:
        end = period_end(k, start)
        if fig.start_of(c) > min(end, today):
            continue
        doc = fig.judge(fig.figure_doc(c, k, start, sums.get(c.id, {})), start, end, today)
        if doc["status"] in (fig.BEHIND, fig.MISSED):
            programme = c.partner.programme
            words = describe(doc, programme.currency)
            out.append(Behind(programme, c.partner, words, doc, k, start))
    out.sort(key=lambda b: (b.programme.name, b.partner.organisation.name, b.doc["id"]))
    return out[:MAX_BEHIND]
