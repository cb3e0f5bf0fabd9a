"""Building a pilot's figures and its stored evaluation, and finding the pilots due a (re)build."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict
from coprod.i18n import _
from coprod.models import ComparisonKind, Metric, PilotControl, PilotEvaluation, Programme, User
from coprod.services import audit
from coprod.services.governance.pilots._arithmetic import _group_figures, _measure
from coprod.services.governance.pilots._common import (
    _locked_evaluation,
    get_stored,
    list_controls,
    min_contributors_setting,
    periods,
    samples_setting,
    seed_for,
    window_ended,
)
from coprod.services.governance.pilots._sums import L, Unit, _counted, _sources, contributor_sums
from coprod.services.governance.pilots.figure_types import ControlFigures, EvaluationFigures

FIGURES_VERSION = 1


def _unit_key(unit: str) -> str:
    return unit.strip().casefold()


def build_figures(
    session: Session,
    programme: Programme,
    *,
    samples: int | None = None,
    min_contributors: int | None = None,
) -> EvaluationFigures:
    """The evaluation's figures (see the module's definitions); the same data always gives
    the same figures."""
    spans = periods(programme)
    if spans is None:
        raise Conflict(_("Set the pilot's evaluation window first."))
    samples = samples or samples_setting()
    least = min_contributors or min_contributors_setting()
    controls = list_controls(session, programme)
    pilot_units = contributor_sums(
        session, _counted(_sources(programme, controls, comparison=False), spans.pilot)
    )
    comp_units = contributor_sums(
        session, _counted(_sources(programme, controls, comparison=True), spans.comparison)
    )
    measured = [m for m in programme.metrics if m.pilot_measure]
    units_of = (
        _metric_units(session, comp_units) if programme.comparison == ComparisonKind.CONTROL else {}
    )
    seed = seed_for(programme.id)
    measures = []
    for metric in measured:
        if programme.comparison == ComparisonKind.CONTROL:
            same = {mid for mid, unit in units_of.items() if unit == _unit_key(metric.unit)}
        else:
            same = {metric.id}
        p = [(u.outcome.get(metric.id, 0), u.hours) for u in pilot_units]
        c = [(sum(v for k, v in u.outcome.items() if k in same), u.hours) for u in comp_units]
        measures.append(_measure(metric, p, c, samples=samples, seed=seed, least=least))
    return {
        "version": FIGURES_VERSION,
        "programme_id": programme.id,
        "comparison_kind": (programme.comparison or ComparisonKind.BASELINE).value,
        "controls": [_control_json(c) for c in controls],
        "method": {"samples": samples, "seed": seed, "min_contributors": least},
        "pilot": _group_figures(pilot_units, spans.pilot),
        "comparison": _group_figures(comp_units, spans.comparison),
        "measures": measures,
    }


def _metric_units(session: Session, units: list[Unit]) -> dict[int, str]:
    ids = sorted({mid for u in units for mid in u.outcome})
    if not ids:
        return {}
    rows = session.execute(select(Metric.id, Metric.unit).where(Metric.id.in_(ids)))
    return {mid: _unit_key(unit) for mid, unit in rows}


def _control_json(control: PilotControl) -> ControlFigures:
    if control.task is not None:
        return {"kind": "task", "id": control.task.id, "name": control.task.title}
    other = control.control_programme
    return {
        "kind": "programme",
        "id": other.id if other else None,
        "name": other.name if other else "",
    }


def canonical(figures: EvaluationFigures) -> str:
    """The figures as stored and compared: sorted keys, no spaces (byte-identical rebuilds)."""
    return json.dumps(figures, sort_keys=True, separators=(",", ":"))


def build_evaluation(
    session: Session, actor: User | None, programme: Programme, *, now: datetime
) -> PilotEvaluation:
    """Build (or rebuild) a pilot's stored evaluation once its window has ended: the figures
    are replaced, the decision and lessons kept. One row per pilot, whoever builds at once.
    `actor` None is the scheduler; people go through rebuild_now."""
    if not programme.is_pilot:
        raise Conflict(_("This programme is not a pilot."))
    if not window_ended(programme, now):
        raise Conflict(
            _("The evaluation window has not ended yet: until then the page shows a preview.")
        )
    figures = json.loads(canonical(build_figures(session, programme)))
    evaluation = _locked_evaluation(session, programme.id)
    if evaluation is None:
        try:
            with session.begin_nested():
                evaluation = PilotEvaluation(
                    programme_id=programme.id, figures=figures, built_at=now
                )
                session.add(evaluation)
        except IntegrityError:  # another builder inserted it first: rebuild theirs
            evaluation = _locked_evaluation(session, programme.id)
            if evaluation is None:
                raise
    evaluation.figures = figures
    evaluation.built_at = now
    session.flush()
    audit.record(
        session, actor, "pilot.evaluation_built", evaluation, after={"built_at": now}, at=now
    )
    return evaluation


def rebuild_now(
    session: Session, actor: User | None, programme: Programme, *, now: datetime
) -> PilotEvaluation:
    """The lead agency's staff rebuild the evaluation at once (after the window only)."""
    policy.require(actor, "programme.manage", programme)
    return build_evaluation(session, actor, programme, now=now)


def due_pilots(session: Session, *, now: datetime) -> list[Programme]:
    """Pilots whose window has ended and that have no evaluation, or whose evaluation is older
    than a change to the approved logs of its periods (a late approval, a correction)."""
    ended = session.scalars(
        select(Programme)
        .where(
            Programme.is_pilot.is_(True),
            Programme.evaluation_ends_on.is_not(None),
            Programme.evaluation_ends_on < now.date() + timedelta(days=1),
        )
        .order_by(Programme.id)
    )
    due = []
    for programme in ended:
        if not window_ended(programme, now):
            continue
        stored = get_stored(session, programme)
        if stored is None or _changed_since(session, programme, stored.built_at):
            due.append(programme)
    return due


def _changed_since(session: Session, programme: Programme, built_at: datetime) -> bool:
    spans = periods(programme)
    if spans is None:
        return False
    controls = list_controls(session, programme)
    groups = [
        (_sources(programme, controls, comparison=False), spans.pilot),
        (_sources(programme, controls, comparison=True), spans.comparison),
    ]
    changed = or_(*(source & L.date.between(*span) for source, span in groups))
    return (
        session.scalar(select(L.id).where(changed, L.counted_changed_at > built_at).limit(1))
        is not None
    )
