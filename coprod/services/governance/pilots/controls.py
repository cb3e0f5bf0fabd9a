"""A pilot's set-up: the metrics it should move and the tasks and programmes it is compared
with."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import Conflict, FieldErrors, Invalid, NotFound
from coprod.i18n import _
from coprod.models import ComparisonKind, PilotControl, Programme, Task, User
from coprod.services import audit
from coprod.services.governance.pilots._common import _bounded_get, _refuse_not_pilot, get_pilot
from coprod.services.text import contains

MAX_CONTROLS = 20


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


def get_managed_pilot(session: Session, actor: User | None, programme_id: int) -> Programme:
    """A pilot its set-up page may show to this person: the lead agency's staff."""
    programme = get_pilot(session, programme_id)
    policy.require(actor, "programme.manage", programme)
    return programme
