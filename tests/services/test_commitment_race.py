"""The same figure added twice at the same moment (a double click, two tabs, two staff), on
PostgreSQL: one row; the other answered 409, never two figures.

Guard: add_commitment locks the partner's row (SELECT ... FOR UPDATE) and then reloads its
figures before comparing, so the second request waits for the first to commit and then sees
its figure. Seen failing without it: with `_lock` reduced to `session.refresh(partner,
["figures"])` (no FOR UPDATE), both requests read no figure and both insert -- the race helper
returned two ids and the partner held two identical figures in the first round."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from coprod.models import Commitment, OrgKind, Partner, Programme, Role
from coprod.services.governance import commitments
from tests.factories import add_partner, make_member, make_org, make_programme
from tests.services.racing import ROUNDS, Refused, load_user, race

pytestmark = pytest.mark.postgres


def add_job(user_id: int, partner_id: int, now: Any) -> Callable[[Session], Any]:
    def job(s: Session) -> Callable[[], Any]:
        user = load_user(s, user_id)
        partner = s.get(
            Partner,
            partner_id,
            options=[
                joinedload(Partner.programme).joinedload(Programme.lead_organisation),
                joinedload(Partner.organisation),
            ],
        )
        assert partner is not None
        s.refresh(partner, ["figures"])
        return lambda: (
            commitments.add_commitment(
                s, user, partner, kind="hours", amount="40", period="month", now=now
            ).id
        )

    return job


def test_the_same_figure_added_twice_at_once_makes_one_row_and_one_conflict(
    committed_engine, now
) -> None:
    for _ in range(ROUNDS):
        with Session(bind=committed_engine, expire_on_commit=False) as setup:
            agency = make_org(setup, OrgKind.AGENCY)
            staff = make_member(setup, agency, Role.STAFF)
            other = make_member(setup, agency, Role.STAFF)
            partner = add_partner(setup, make_programme(setup, agency), make_org(setup))
            setup.commit()
            ids = (staff.id, other.id, partner.id)
        jobs = [add_job(ids[0], ids[2], now), add_job(ids[1], ids[2], now)]
        results = race(committed_engine, jobs)
        made = [r for r in results if isinstance(r, int)]
        refused = [r for r in results if isinstance(r, Refused)]
        assert len(made) == 1 and len(refused) == 1, results
        assert refused[0].kind == "Conflict" and "already has this figure" in refused[0].message
        with Session(bind=committed_engine) as check:
            count = select(func.count()).where(Commitment.partner_id == ids[2])
            assert check.scalar(count) == 1
