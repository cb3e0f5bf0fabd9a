"""Two coordinators define the same qualification at the same moment, on PostgreSQL: one row
and one 422 on `name`. Guard: the unique index on (organisation, lower(name)) and the savepoint
in qualifications.defining._save, which turns its IntegrityError into Invalid; the check before the
insert alone lets both through, since neither sees the other's uncommitted row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from coprod.models import Organisation, Qualification, Role
from coprod.services.capacity import qualifications as quals
from tests.factories import make_member, make_org
from tests.services.racing import ROUNDS, Refused, load_user, race

pytestmark = pytest.mark.postgres


def define_job(user_id: int, org_id: int, name: str, now: Any) -> Callable[[Session], Any]:
    def job(s: Session) -> Callable[[], Any]:
        user, org = load_user(s, user_id), s.get(Organisation, org_id)
        assert org is not None
        return lambda: quals.define_qualification(s, user, org, name=name, now=now).id

    return job


def test_two_identical_definitions_at_once_end_as_one_row_and_one_422(committed_engine, now):
    for _ in range(ROUNDS):
        with Session(bind=committed_engine, expire_on_commit=False) as setup:
            org = make_org(setup)
            people = [make_member(setup, org, Role.COORDINATOR).id for _ in range(2)]
            setup.commit()
        jobs = [
            define_job(people[0], org.id, "Food hygiene", now),
            define_job(people[1], org.id, "FOOD HYGIENE", now),
        ]
        results = race(committed_engine, jobs)
        refused = [r for r in results if isinstance(r, Refused)]
        assert refused == [Refused("Invalid", str(quals.NAME_TAKEN))]
        with Session(bind=committed_engine) as check:
            count = check.scalar(
                select(func.count()).where(Qualification.organisation_id == org.id)
            )
        assert count == 1
