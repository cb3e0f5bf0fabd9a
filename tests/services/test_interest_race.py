"""Two clicks on "I'm interested" at the same moment (two tabs, a double tap), on PostgreSQL:
one row, both answered with it, no error.

Guard: the unique (task_id, user_id) pair and the savepoint in tasks.express_interest that
turns the second insert's IntegrityError into "already interested". Without the savepoint
the loser's transaction fails with an IntegrityError (a 500)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from coprod.models import OrgKind, Task, TaskInterest
from coprod.services import tasks
from tests.factories import make_org, make_programme, make_task, make_user
from tests.services.racing import ROUNDS, load_user, race

pytestmark = pytest.mark.postgres


def interest_job(user_id: int, task_id: int, now: Any) -> Callable[[Session], Any]:
    def job(s: Session) -> Callable[[], Any]:
        user = load_user(s, user_id)
        task = s.get(Task, task_id, options=[joinedload(Task.programme)])
        assert task is not None
        return lambda: tasks.express_interest(s, user, task, now=now).id

    return job


def test_two_interest_clicks_at_once_make_one_row(committed_engine, now) -> None:
    for _ in range(ROUNDS):
        with Session(bind=committed_engine, expire_on_commit=False) as setup:
            programme = make_programme(setup, make_org(setup, OrgKind.AGENCY))
            task = make_task(setup, programme, ongoing=True)
            person = make_user(setup)
            setup.commit()
            ids = (person.id, task.id)
        results = race(committed_engine, [interest_job(*ids, now), interest_job(*ids, now)])
        with Session(bind=committed_engine) as check:
            rows = check.scalars(select(TaskInterest.id).where(TaskInterest.task_id == ids[1]))
            assert list(rows) == [results[0]] == [results[1]]
            count = select(func.count()).select_from(TaskInterest)
            assert check.scalar(count.where(TaskInterest.user_id == ids[0])) == 1
