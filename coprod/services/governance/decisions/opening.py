"""Opening a decision: its question, its options and its closing time."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial

from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import FieldErrors, Invalid
from coprod.i18n import _
from coprod.models import Decision, DecisionOption, Programme
from coprod.services import audit, localtime
from coprod.services.bounds import check_instant
from coprod.services.governance import decision_rule
from coprod.services.governance.decisions._common import (
    MAX_AHEAD,
    MAX_DETAILS,
    MAX_LABEL,
    MAX_OPTIONS,
    MAX_QUESTION,
    MIN_OPTIONS,
    Actor,
    _email,
)
from coprod.services.text import clean_text


def _closing_instant(programme: Programme, closes_at: datetime, now: datetime) -> datetime:
    """The instant a decision closes: a naive time is wall-clock time in the programme's zone
    (a time skipped by a clock change is refused); in the future, at most a year ahead."""
    check_instant(closes_at, "closes_at")
    if closes_at.tzinfo is None:
        tz = localtime.programme_zone(programme)
        instant = localtime.from_local(closes_at.date(), closes_at.time(), tz, "closes_at")
    else:
        instant = closes_at.astimezone(UTC)
    if instant <= now:
        raise Invalid("closes_at", _("The closing time must be in the future."))
    if instant > now + MAX_AHEAD:
        raise Invalid("closes_at", _("The closing time must be at most a year in the future."))
    return instant


def _labels(raw: list[str], errs: FieldErrors) -> list[str]:
    def one(r: str) -> str:
        return clean_text(r, "options", _("An option"), max_len=MAX_LABEL, required=False)

    labels = [label for r in raw if (label := errs.check(partial(one, r)))]
    if not MIN_OPTIONS <= len(labels) <= MAX_OPTIONS:
        errs.add(
            "options",
            _("Give from %(min)d to %(max)d options.", min=MIN_OPTIONS, max=MAX_OPTIONS),
        )
    seen: set[str] = set()
    for label in labels:
        if label.casefold() in seen:
            errs.add("options", _("The option “%(label)s” is given twice.", label=label))
        seen.add(label.casefold())
    return labels


def open_decision(
    session: Session,
    actor: Actor,
    programme: Programme,
    *,
    question: str,
    details: str = "",
    options: list[str],
    closes_at: datetime,
    now: datetime,
) -> Decision:
    """The lead agency's staff put a question (with 2-10 distinct options and a closing time
    in the next year) to the partnership, under the rule of the agreement in force; each
    voting organisation's admins are emailed."""
    policy.require(actor, "programme.manage", programme)
    assert actor is not None
    errs = FieldErrors()
    text = errs.check(
        lambda: clean_text(
            question, "question", _("The question"), max_len=MAX_QUESTION, required=True
        )
    )
    more = errs.check(
        lambda: clean_text(
            details,
            "details",
            _("The details"),
            max_len=MAX_DETAILS,
            required=False,
            multiline=True,
        )
    )
    labels = _labels(list(options or [])[: MAX_OPTIONS * 5], errs)
    instant = errs.check(lambda: _closing_instant(programme, closes_at, now))
    errs.raise_if_any()
    decision = Decision(
        programme_id=programme.id,
        question=text,
        details=more,
        rule=decision_rule(session, programme),
        opened_by_id=actor.id,
        opened_at=now,
        closes_at=instant,
        options=[DecisionOption(position=i, label=lb) for i, lb in enumerate(labels, start=1)],
    )
    session.add(decision)
    session.flush()
    decision.programme = programme
    audit.record(
        session,
        actor,
        "decision.opened",
        decision,
        after={
            "question": text,
            "rule": decision.rule,
            "closes_at": instant,
            "options": labels,
        },
        at=now,
    )
    _email(session, decision, opened=True, now=now)
    return decision
