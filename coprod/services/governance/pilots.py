"""Pilots: their set-up (the metrics they should move and what they are compared with), their
evaluation, and the decision the lead agency takes at the end.

Definitions (the evaluation page and the API say the same):

- **Periods** are days of the programme's local calendar, both ends included. The pilot's
  period is its evaluation window (from `evaluation_starts_on`, or the programme's start, to
  `evaluation_ends_on`). A *baseline* comparison is the same programme over the period of equal
  length just before the window; a *control* comparison is the named established tasks and
  programmes (PilotControl rows) over the window itself.
- **Approved hours** are the hours of approved logs, less those on training tasks (tasks that
  train a qualification): the shared-ownership report counts those as capacity building, not
  service (coprod.services.reports.figures), and so does the evaluation.
- **Outcome**, per measured metric (Metric.pilot_measure): the quantities of that metric on
  those logs. For a baseline, the same metric; for a control, the quantities of every metric of
  the control logs whose unit is the measured metric's unit, compared without regard to case
  ("Meals" and "meals" are one unit).
- **Outcome per hour** is outcome / approved hours of the group (None without hours).
- **Contributors** are the distinct people with such logs; **retention** is the share (per
  cent, one decimal) of them who contributed on at least two different days of the period --
  those who came back. Logs of deleted accounts (no person) count in hours and outcomes only.
- **Difference** is pilot minus comparison outcome per hour; its **95 % interval** is a
  percentile bootstrap over contributors: each person's hours and outcome are summed in the
  database (GROUP BY), then both groups' people are resampled with replacement
  PILOT_BOOTSTRAP_SAMPLES times (random.Random seeded from the programme id, so a rebuild draws
  the same samples), the difference of the resampled ratios taken each time, and the interval
  is the 2.5th and 97.5th percentiles by nearest rank (sorted[ceil(0.025 B) - 1] and
  sorted[ceil(0.975 B) - 1]). With fewer than PILOT_MIN_CONTRIBUTORS people in either group
  there is no interval, and the figures say so.
"""

from __future__ import annotations

import json
import math
import random
import typing
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict

from sqlalchemy import BigInteger, ColumnElement, Select, cast, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid, NotFound
from coprod.i18n import _
from coprod.models import (
    ComparisonKind,
    ContributionLog,
    Metric,
    OutcomeQuantity,
    PilotControl,
    PilotDecision,
    PilotEvaluation,
    Programme,
    Task,
    User,
)
from coprod.models import LogStatus as _LogStatus
from coprod.services import audit
from coprod.services.bounds import MAX_ID
from coprod.services.localtime import local_today
from coprod.services.text import clean_text, contains

L = ContributionLog
FIGURES_VERSION = 1
MAX_CONTROLS = 20
MAX_LESSONS = 5000
RATE_PLACES = Decimal("0.0001")


def _setting(name: str, default: int) -> int:
    from config import settings

    return int(settings().get(name, default))


def samples_setting() -> int:
    """How many bootstrap resamples an evaluation draws (PILOT_BOOTSTRAP_SAMPLES)."""
    return _setting("PILOT_BOOTSTRAP_SAMPLES", 2000)


def min_contributors_setting() -> int:
    """Fewest people in each group for an interval (PILOT_MIN_CONTRIBUTORS)."""
    return _setting("PILOT_MIN_CONTRIBUTORS", 5)


def seed_for(programme_id: int) -> int:
    """The bootstrap's fixed seed for a pilot: the same on every rebuild and every machine."""
    return zlib.crc32(f"coprod.pilot.{programme_id}".encode())


# --- periods --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Periods:
    pilot: tuple[date, date]
    comparison: tuple[date, date]


def periods(programme: Programme) -> Periods | None:
    """The pilot's period and its comparison's, or None while the window has no end."""
    end = programme.evaluation_ends_on
    if end is None:
        return None
    start = programme.evaluation_starts_on or programme.starts_on
    start = min(start, end)
    if programme.comparison == ComparisonKind.CONTROL:
        return Periods((start, end), (start, end))
    length = timedelta(days=(end - start).days + 1)
    return Periods((start, end), (start - length, start - timedelta(days=1)))


def window_ended(programme: Programme, now: datetime) -> bool:
    """The evaluation window is over in the programme's own calendar."""
    end = programme.evaluation_ends_on
    return end is not None and local_today(programme, now) > end


# --- set-up ---------------------------------------------------------------------------------


def list_controls(session: Session, programme: Programme) -> list[PilotControl]:
    """The tasks and programmes a pilot is compared with, tasks first, by name."""
    rows = session.scalars(
        select(PilotControl)
        .where(PilotControl.programme_id == programme.id)
        .order_by(PilotControl.task_id.is_(None), PilotControl.id)
    )
    return list(rows)


def set_up(
    session: Session,
    actor: User,
    programme: Programme,
    *,
    comparison: str | None,
    metric_ids: Sequence[int],
    now: datetime,
) -> Programme:
    """Choose the metrics a pilot should move (at least one) and its comparison."""
    policy.require(actor, "programme.manage", programme)
    _refuse_not_pilot(programme)
    errs = FieldErrors()
    try:
        kind = ComparisonKind(comparison or "")
    except ValueError:
        errs.add("comparison", _("Choose a baseline or a control comparison."))
        kind = None
    own = {m.id: m for m in programme.metrics}
    chosen = {i for i in metric_ids if isinstance(i, int)}
    if not chosen:
        errs.add("metric_ids", _("Choose at least one metric the pilot should move."))
    elif not chosen <= own.keys():
        errs.add("metric_ids", _("Choose metrics of this programme."))
    errs.raise_if_any()
    before = _setup_snapshot(session, programme)
    programme.comparison = kind
    for metric in programme.metrics:
        metric.pilot_measure = metric.id in chosen
    session.flush()
    audit.record(
        session,
        actor,
        "pilot.set_up",
        programme,
        before=before,
        after=_setup_snapshot(session, programme),
        at=now,
    )
    return programme


def _setup_snapshot(session: Session, programme: Programme) -> dict[str, Any]:
    return {
        "comparison": programme.comparison.value if programme.comparison else None,
        "measured_metrics": sorted(m.name for m in programme.metrics if m.pilot_measure),
    }


def _refuse_not_pilot(programme: Programme) -> None:
    if not programme.is_pilot:
        raise Conflict(_("This programme is not a pilot: tick “This programme is a pilot” first."))


def search_controls(
    session: Session, actor: User, programme: Programme, words: str
) -> tuple[list[Task], list[Programme]]:
    """Established tasks (open, closed or completed, of other programmes, not training) and
    programmes (not pilots) whose name holds the words: candidates for a control."""
    policy.require(actor, "programme.manage", programme)
    words = (words or "").strip()[:100]
    if not words:
        return [], []
    tasks = session.scalars(
        select(Task)
        .where(_controllable_task(programme), contains(words, Task.title))
        .order_by(Task.title, Task.id)
        .limit(20)
    )
    programmes = session.scalars(
        select(Programme)
        .where(_controllable_programme(programme), contains(words, Programme.name))
        .order_by(Programme.name, Programme.id)
        .limit(20)
    )
    return list(tasks), list(programmes)


def _controllable_task(programme: Programme) -> ColumnElement[bool]:
    pilots = select(Programme.id).where(Programme.is_pilot.is_(True))
    return (
        (Task.programme_id != programme.id)
        & Task.programme_id.not_in(pilots)
        & Task.status.in_(policy.PUBLIC_TASK_STATUSES)
        & Task.trains_qualification_id.is_(None)
    )


def _controllable_programme(programme: Programme) -> ColumnElement[bool]:
    return (Programme.id != programme.id) & Programme.is_pilot.is_(False)


def add_control(
    session: Session,
    actor: User,
    programme: Programme,
    *,
    task_id: int | None = None,
    control_programme_id: int | None = None,
    now: datetime,
) -> PilotControl:
    """Compare the pilot with one more established task or programme (not its own, not a
    pilot, not a training task); at most MAX_CONTROLS."""
    policy.require(actor, "programme.manage", programme)
    _refuse_not_pilot(programme)
    if (task_id is None) == (control_programme_id is None):
        raise Invalid("control", _("Choose one task or one programme."))
    if task_id is not None:
        found = _bounded_get(session, Task, task_id, _controllable_task(programme))
        if found is None:
            raise Invalid("task_id", _("Choose an established task of another programme."))
    else:
        found = _bounded_get(
            session, Programme, control_programme_id, _controllable_programme(programme)
        )
        if found is None:
            raise Invalid("control_programme_id", _("Choose an established programme."))
    count = session.scalar(select(func.count()).where(PilotControl.programme_id == programme.id))
    if (count or 0) >= MAX_CONTROLS:
        raise Conflict(_("A pilot has at most %(num)d controls.", num=MAX_CONTROLS))
    control = PilotControl(
        programme_id=programme.id, task_id=task_id, control_programme_id=control_programme_id
    )
    try:
        with session.begin_nested():
            session.add(control)
    except IntegrityError:
        raise Conflict(_("That is a control of this pilot already.")) from None
    audit.record(
        session, actor, "pilot.control_added", programme, after=_control_detail(control), at=now
    )
    return control


def _bounded_get(session: Session, model: Any, ident: int | None, where: Any) -> Any:
    if ident is None or not 1 <= ident <= MAX_ID:
        return None
    return session.scalar(select(model).where(model.id == ident, where))


def _control_detail(control: PilotControl) -> dict[str, Any]:
    if control.task is not None:
        return {"control_task": control.task.title}
    return {
        "control_programme": control.control_programme.name if control.control_programme else ""
    }


def remove_control(
    session: Session, actor: User, programme: Programme, control_id: int, *, now: datetime
) -> None:
    """Stop comparing the pilot with one of its controls."""
    policy.require(actor, "programme.manage", programme)
    control = _bounded_get(
        session, PilotControl, control_id, PilotControl.programme_id == programme.id
    )
    if control is None:
        raise NotFound(_("There is no such control."))
    detail = _control_detail(control)
    session.delete(control)
    session.flush()
    audit.record(session, actor, "pilot.control_removed", programme, before=detail, at=now)


# --- the evaluation's figures ---------------------------------------------------------------


class GroupFigures(TypedDict):
    """One group's period and people (pilot or comparison); hours in hours."""

    start: str  # ISO dates
    end: str
    hours: float
    contributors: int
    returning: int
    retention: float | None  # % of contributors who came back on another day


class Rate(TypedDict):
    quantity: float
    per_hour: float | None


class Interval(TypedDict):
    low: float
    high: float


class MeasureFigures(TypedDict):
    """One measured outcome: each group's rate per hour, their difference and its interval."""

    metric_id: int
    name: str
    unit: str
    pilot: Rate
    comparison: Rate
    difference: float | None
    interval: Interval | None
    interval_note: str | None  # why there is no interval: "no_hours", "too_few_contributors"


class ControlFigures(TypedDict):
    kind: str  # "task" or "programme"
    id: int | None
    name: str


class MethodFigures(TypedDict):
    samples: int
    seed: int
    min_contributors: int


class EvaluationFigures(TypedDict):
    """The evaluation's figures as built, stored (JSON) and shown."""

    version: int
    programme_id: int
    comparison_kind: str
    controls: list[ControlFigures]
    method: MethodFigures
    pilot: GroupFigures
    comparison: GroupFigures
    measures: list[MeasureFigures]


def _not_training() -> ColumnElement[bool]:
    training = select(Task.id).where(Task.trains_qualification_id.is_not(None))
    return L.task_id.not_in(training)


def _sources(
    programme: Programme, controls: list[PilotControl], *, comparison: bool
) -> ColumnElement[bool]:
    """Which logs a group reads: the pilot's own (and its baseline's), or its controls'."""
    if not comparison or programme.comparison != ComparisonKind.CONTROL:
        return L.programme_id == programme.id
    task_ids = [c.task_id for c in controls if c.task_id is not None]
    programme_ids = [c.control_programme_id for c in controls if c.control_programme_id]
    return or_(L.task_id.in_(task_ids), L.programme_id.in_(programme_ids))


def _counted(source: ColumnElement[bool], span: tuple[date, date]) -> list[ColumnElement[bool]]:
    return [source, L.status == _LogStatus.APPROVED, L.date.between(*span), _not_training()]


def _cents(total: Any) -> Any:
    return cast(func.round(total * 100), BigInteger)


@dataclass
class Unit:
    """One contributor's sums over a group's period (user_id None: deleted accounts)."""

    user_id: int | None
    hours: int  # cents of an hour
    days: int
    outcome: dict[int, int]  # metric id -> cents of quantity


def contributor_sums(session: Session, where: list[ColumnElement[bool]]) -> list[Unit]:
    """Each contributor's hours, days and outcome per metric, summed by the database."""
    hours: Select[Any] = (
        select(L.user_id, _cents(func.sum(L.hours)), func.count(func.distinct(L.date)))
        .where(*where)
        .group_by(L.user_id)
    )
    units = {
        uid: Unit(uid, int(cents or 0), int(days), {})
        for uid, cents, days in session.execute(hours)
    }
    q = OutcomeQuantity
    outcome = (
        select(L.user_id, q.metric_id, _cents(func.sum(q.quantity)))
        .join(L, L.id == q.log_id)
        .where(*where)
        .group_by(L.user_id, q.metric_id)
    )
    for uid, metric_id, cents in session.execute(outcome):
        if uid in units:
            units[uid].outcome[metric_id] = int(cents or 0)
    return sorted(units.values(), key=lambda u: (u.user_id is None, u.user_id or 0))


def _rate(outcome: int, hours: int) -> float | None:
    if hours <= 0:
        return None
    return float((Decimal(outcome) / Decimal(hours)).quantize(RATE_PLACES, ROUND_HALF_UP))


def bootstrap_interval(
    pilot: Sequence[tuple[int, int]],
    comparison: Sequence[tuple[int, int]],
    *,
    samples: int,
    seed: int,
) -> tuple[float, float] | None:
    """The percentile bootstrap 95 % interval of (pilot - comparison) outcome per hour, from
    each contributor's (outcome, hours); resampling both groups with replacement `samples`
    times with random.Random(seed): pilot then comparison, each drawn with rng.choices over
    its indices. None when a resample has no hours."""
    rng = random.Random(seed)  # noqa: S311 -- reproducible statistics, not secrets
    diffs: list[float] = []
    for _i in range(samples):
        rates = []
        for group in (pilot, comparison):
            picks = rng.choices(range(len(group)), k=len(group))
            hours = sum(group[i][1] for i in picks)
            if hours <= 0:
                return None
            rates.append(sum(group[i][0] for i in picks) / hours)
        diffs.append(rates[0] - rates[1])
    diffs.sort()
    low = diffs[math.ceil(samples * 0.025) - 1]
    high = diffs[math.ceil(samples * 0.975) - 1]
    return round(low, 4), round(high, 4)


def _group_figures(units: list[Unit], span: tuple[date, date]) -> GroupFigures:
    people = [u for u in units if u.user_id is not None]
    returning = sum(1 for u in people if u.days >= 2)
    hours = sum(u.hours for u in units)
    return {
        "start": span[0].isoformat(),
        "end": span[1].isoformat(),
        "hours": hours / 100,
        "contributors": len(people),
        "returning": returning,
        "retention": _share(returning, len(people)),
    }


def _share(part: int, whole: int) -> float | None:
    if whole <= 0:
        return None
    return float((Decimal(part * 100) / whole).quantize(Decimal("0.1"), ROUND_HALF_UP))


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


def _measure(
    metric: Metric,
    pilot: list[tuple[int, int]],
    comparison: list[tuple[int, int]],
    *,
    samples: int,
    seed: int,
    least: int,
) -> MeasureFigures:
    p_out, p_hours = sum(o for o, _h in pilot), sum(h for _o, h in pilot)
    c_out, c_hours = sum(o for o, _h in comparison), sum(h for _o, h in comparison)
    p_rate, c_rate = _rate(p_out, p_hours), _rate(c_out, c_hours)
    difference = None
    if p_rate is not None and c_rate is not None:
        difference = float(
            (Decimal(p_out) / Decimal(p_hours) - Decimal(c_out) / Decimal(c_hours)).quantize(
                RATE_PLACES, ROUND_HALF_UP
            )
        )
    interval: Interval | None = None
    note: str | None = None
    if difference is None:
        note = "no_hours"
    elif min(len(pilot), len(comparison)) < least:
        note = "too_few_contributors"
    else:
        found = bootstrap_interval(pilot, comparison, samples=samples, seed=seed)
        interval = {"low": found[0], "high": found[1]} if found else None
        note = None if found else "no_hours"
    return {
        "metric_id": metric.id,
        "name": metric.name,
        "unit": metric.unit,
        "pilot": {"quantity": p_out / 100, "per_hour": p_rate},
        "comparison": {"quantity": c_out / 100, "per_hour": c_rate},
        "difference": difference,
        "interval": interval,
        "interval_note": note,
    }


def canonical(figures: EvaluationFigures) -> str:
    """The figures as stored and compared: sorted keys, no spaces (byte-identical rebuilds)."""
    return json.dumps(figures, sort_keys=True, separators=(",", ":"))


# --- building, reading and deciding ---------------------------------------------------------


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


def _locked_evaluation(session: Session, programme_id: int) -> PilotEvaluation | None:
    return session.scalar(
        select(PilotEvaluation)
        .where(PilotEvaluation.programme_id == programme_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


def get_stored(session: Session, programme: Programme) -> PilotEvaluation | None:
    return session.scalar(
        select(PilotEvaluation).where(PilotEvaluation.programme_id == programme.id)
    )


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


def get_pilot(session: Session, programme_id: int) -> Programme:
    programme = session.get(Programme, programme_id) if 1 <= programme_id <= MAX_ID else None
    if programme is None or not programme.is_pilot:
        raise NotFound(_("There is no such pilot."))
    return programme


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


# --- what the scheduler builds --------------------------------------------------------------


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


def get_managed_pilot(session: Session, actor: User | None, programme_id: int) -> Programme:
    """A pilot its set-up page may show to this person: the lead agency's staff."""
    programme = get_pilot(session, programme_id)
    policy.require(actor, "programme.manage", programme)
    return programme


CSV_COLUMNS = [
    "measure",
    "unit",
    "figure",
    "pilot",
    "comparison",
    "difference",
    "interval_low",
    "interval_high",
]


def _text_cell(value: Any) -> str:
    """A name a spreadsheet will not run as a formula (numbers are written as numbers)."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def figures_csv(figures: EvaluationFigures) -> str:
    """The evaluation as CSV: the periods and the group figures (measure "all"), then per
    measured metric its outcome and outcome per hour with the difference and interval."""
    import csv
    import io

    p, c = figures["pilot"], figures["comparison"]

    def num(v: Any) -> str:
        return "" if v is None else str(v)

    rows: list[list[str]] = [
        ["all", "", "comparison_kind", "", figures["comparison_kind"], "", "", ""],
        ["all", "", "start", p["start"], c["start"], "", "", ""],
        ["all", "", "end", p["end"], c["end"], "", "", ""],
    ]
    for key in ("hours", "contributors", "returning", "retention"):
        rows.append(["all", "", key, num(p[key]), num(c[key]), "", "", ""])
    for m in figures["measures"]:
        name, unit = _text_cell(m["name"]), _text_cell(m["unit"])
        q = ("quantity", m["pilot"]["quantity"], m["comparison"]["quantity"])
        rows.append([name, unit, q[0], num(q[1]), num(q[2]), "", "", ""])
        interval: Interval | dict[str, float] = m["interval"] or {}
        rows.append(
            [
                name,
                unit,
                "per_hour",
                num(m["pilot"]["per_hour"]),
                num(m["comparison"]["per_hour"]),
                num(m["difference"]),
                num(interval.get("low")),
                num(interval.get("high")),
            ]
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()


def decision_json(evaluation: PilotEvaluation) -> dict[str, Any]:
    """The decision as the downloads and the API give it (no name: public in aggregate)."""
    return {
        "decision": evaluation.decision.value if evaluation.decision else None,
        "lessons": evaluation.lessons,
        "decided_at": evaluation.decided_at.isoformat() if evaluation.decided_at else None,
        "built_at": evaluation.built_at.isoformat(),
    }
