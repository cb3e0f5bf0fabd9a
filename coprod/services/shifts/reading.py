"""Reading shifts: one to manage, a window of a task's shifts, how many wait on each."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coprod import policy
from coprod.errors import NotFound
from coprod.i18n import _
from coprod.models import Shift, Signup, SignupStatus, Task
from coprod.services.keyset import Key, Window, window
from coprod.services.shift_state import not_started_shift, started_shift
from coprod.services.shifts._common import Actor
from coprod.services.tasks import get_task_to_manage


def get_shift_to_manage(session: Session, actor: Actor, task_id: int, shift_id: int) -> Shift:
    """A shift loaded through its task, if this person may manage the task."""
    task = get_task_to_manage(session, actor, task_id)
    shift = session.get(Shift, shift_id)
    if shift is None or shift.task_id != task.id:
        raise NotFound(_("No such shift."))
    return shift


# Soonest first (past ones: latest first), the id breaking ties; ix_shift_task_starts_id
# (task_id, starts_at, id) serves both directions.
UPCOMING_SHIFT_KEYS = (Key(Shift.starts_at.expression, datetime), Key(Shift.id.expression))
PAST_SHIFT_KEYS = (
    Key(Shift.starts_at.expression, datetime, descending=True),
    Key(Shift.id.expression, descending=True),
)


def list_task_shifts(
    session: Session,
    actor: Actor,
    task: Task,
    *,
    past: bool,
    after: str | None = None,
    before: str | None = None,
    per_page: int = 20,
    now: datetime,
) -> Window[Shift]:
    """A window of the task's shifts (policy.visible_shifts): those still to come (soonest
    first) or past ones (latest first), after (or before) a cursor."""
    policy.require(actor, "task.view", task)
    stmt = select(Shift).where(Shift.task_id == task.id, policy.visible_shifts(actor))
    stmt = stmt.where(started_shift(now) if past else not_started_shift(now))
    keys = PAST_SHIFT_KEYS if past else UPCOMING_SHIFT_KEYS
    return window(session, stmt, keys, after=after, before=before, per_page=per_page)


def waitlist_counts(session: Session, shift_ids: Sequence[int]) -> dict[int, int]:
    """How many people wait on each shift, in one grouped query."""
    if not shift_ids:
        return {}
    rows = session.execute(
        select(Signup.shift_id, func.count())
        .where(Signup.shift_id.in_(shift_ids), Signup.status == SignupStatus.WAITLISTED)
        .group_by(Signup.shift_id)
    )
    return {sid: n for sid, n in rows}
