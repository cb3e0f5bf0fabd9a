"""Two submissions of the same person's feedback at the same moment (a double click, two tabs),
on PostgreSQL: one row; the other answered 409, never a 500.

Guard: the unique (task_id, user_id) pair and the savepoint in feedback.give_feedback that
turns the second insert's IntegrityError into a Conflict. Both requests pass the check for an
earlier item before either commits; without the savepoint the loser's flush raises the
IntegrityError out of the service (a 500) -- seen by removing the `try/except IntegrityError`
around `session.begin_nested()`: the race helper then re-raises IntegrityError
(UniqueViolation on uq_feedback_task_id_user_id) in the first round."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from coprod.models import Feedback, OrgKind, SignupStatus, Task
from coprod.services.engagement import feedback
from tests.factories import make_org, make_programme, make_shift, make_signup, make_task, make_user
from tests.services.racing import ROUNDS, Refused, load_user, race

pytestmark = pytest.mark.postgres


def feedback_job(user_id: int, task_id: int, rating: int, now: Any) -> Callable[[Session], Any]:
    def job(s: Session) -> Callable[[], Any]:
        user = load_user(s, user_id)
        task = s.get(Task, task_id, options=[joinedload(Task.programme)])
        assert task is not None
        return lambda: (
            feedback.give_feedback(
                s, user, task, rating=rating, comment="Went well", public=True, now=now
            ).id
        )

    return job


def test_two_submissions_at_once_make_one_row_and_one_conflict(committed_engine, now) -> None:
    for _ in range(ROUNDS):
        with Session(bind=committed_engine, expire_on_commit=False) as setup:
            programme = make_programme(setup, make_org(setup, OrgKind.AGENCY))
            task = make_task(setup, programme)
            shift = make_shift(setup, task, starts_at=now - timedelta(days=1))
            person = make_user(setup)
            make_signup(setup, shift, person, status=SignupStatus.ATTENDED)
            setup.commit()
            ids = (person.id, task.id)
        jobs = [feedback_job(*ids, 5, now), feedback_job(*ids, 2, now)]
        results = race(committed_engine, jobs)
        made = [r for r in results if isinstance(r, int)]
        refused = [r for r in results if isinstance(r, Refused)]
        assert len(made) == 1 and len(refused) == 1, results
        assert refused[0].kind == "Conflict"
        assert "already given feedback" in refused[0].message
        with Session(bind=committed_engine) as check:
            rows = check.scalars(select(Feedback.id).where(Feedback.task_id == ids[1]))
            assert list(rows) == made
            count = select(func.count()).select_from(Feedback)
            assert check.scalar(count.where(Feedback.user_id == ids[0])) == 1
