"""Reading a pilot's evaluation (published, or previewed by its staff), recording the decision
taken on it, and the list of pilots."""

from __future__ import annotations

import json
import typing
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors, NotFound
from coprod.i18n import _
from coprod.models import PilotDecision, PilotEvaluation, Programme, User
from coprod.services import audit
from coprod.services.governance.pilots._common import (
    _locked_evaluation,
    get_pilot,
    get_stored,
    window_ended,
)
from coprod.services.governance.pilots.building import build_figures, canonical
from coprod.services.governance.pilots.figure_types import EvaluationFigures
from coprod.services.text import clean_text

MAX_LESSONS = 5000


def published(session: Session, programme: Programme, now: datetime) -> bool:
    """Anyone may read the pilot's evaluation: the window has ended and it is built."""
    if not programme.is_pilot or not window_ended(programme, now):
        return False
    found = select(PilotEvaluation.id).where(PilotEvaluation.programme_id == programme.id)
    return session.scalar(found) is not None


@dataclass(frozen=True)
class EvaluationView:
    """What the evaluation page, its downloads and the API show: the stored evaluation once
    public, or a preview computed now for the lead agency's staff."""

    programme: Programme
    figures: EvaluationFigures
    evaluation: PilotEvaluation | None  # the stored one (decision, lessons, built_at)
    preview: bool
    can_manage: bool


def get_evaluation(
    session: Session, actor: User | None, programme_id: int, *, now: datetime, preview: bool
) -> EvaluationView:
    """The pilot's evaluation: public in aggregate once its window has ended and it is built;
    before that only the lead agency's staff see it, as a preview computed now when they ask."""
    programme = get_pilot(session, programme_id)
    manage = policy.can(actor, "programme.manage", programme)
    stored = get_stored(session, programme)
    if stored is not None and window_ended(programme, now):
        figures = typing.cast(EvaluationFigures, stored.figures)  # as build_evaluation stored them
        return EvaluationView(programme, figures, stored, False, manage)
    if not (preview and manage):
        raise NotFound(_("This pilot's evaluation is not published yet."))
    figures = json.loads(canonical(build_figures(session, programme)))
    return EvaluationView(programme, figures, stored, True, manage)


def record_decision(
    session: Session,
    actor: User,
    programme: Programme,
    *,
    decision: str | None,
    lessons: str | None,
    now: datetime,
) -> PilotEvaluation:
    """The lead agency's staff record what they decided (scale up, adapt, stop) and the
    lessons learned, once the evaluation is built; a new decision replaces the last."""
    policy.require(actor, "programme.manage", programme)
    errs = FieldErrors()
    try:
        chosen = PilotDecision(decision or "")
    except ValueError:
        errs.add("decision", _("Choose scale up, adapt or stop."))
    text = errs.check(
        lambda: clean_text(
            lessons,
            "lessons",
            _("The lessons learned"),
            max_len=MAX_LESSONS,
            required=True,
            multiline=True,
        )
    )
    errs.raise_if_any()
    evaluation = _locked_evaluation(session, programme.id)
    if evaluation is None:
        raise Conflict(_("The evaluation is not built yet: record the decision once it is."))
    before = {"decision": evaluation.decision, "lessons": evaluation.lessons}
    evaluation.decision, evaluation.lessons = chosen, text
    evaluation.decided_by_id, evaluation.decided_at = actor.id, now
    session.flush()
    after = {"decision": chosen, "lessons": text}
    audit.record(session, actor, "pilot.decision", evaluation, before=before, after=after, at=now)
    return evaluation


@dataclass(frozen=True)
class PilotSummary:
    """One pilot on the "What we learned from pilots" page."""

    programme: Programme
    evaluation: PilotEvaluation | None  # only once public (window ended, built)
    ended: bool  # the window is over (the evaluation may still be being built)


def list_pilots(session: Session, *, now: datetime, page: int, per_page: int) -> Any:
    """Every pilot, the latest window end first (those without an end last), with its public
    evaluation when there is one."""
    from coprod.services.pagination import Page, paginate

    stmt = (
        select(Programme)
        .where(Programme.is_pilot.is_(True))
        .order_by(
            Programme.evaluation_ends_on.is_(None),
            Programme.evaluation_ends_on.desc(),
            Programme.id.desc(),
        )
    )
    found = paginate(session, stmt, page, per_page)
    ids = [p.id for p in found.items]
    stored = (
        {
            e.programme_id: e
            for e in session.scalars(
                select(PilotEvaluation).where(PilotEvaluation.programme_id.in_(ids))
            )
        }
        if ids
        else {}
    )
    items = [
        PilotSummary(p, stored.get(p.id) if window_ended(p, now) else None, window_ended(p, now))
        for p in found.items
    ]
    return Page(items=items, page=found.page, per_page=found.per_page, total=found.total)
