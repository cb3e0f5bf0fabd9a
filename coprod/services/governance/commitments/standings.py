"""A partner's figures against what it delivered: its page, the API's partner objects and the
home page's list of partners behind."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import false as false_
from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.i18n import _
from coprod.models import Commitment, CommitmentKind, Partner, PeriodKind, Programme, User
from coprod.services import localtime, money
from coprod.services.governance import figures as fig
from coprod.services.reports.periods import last_complete_start, period_end, period_start

MAX_BEHIND = 30  # figures listed on a home page


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
