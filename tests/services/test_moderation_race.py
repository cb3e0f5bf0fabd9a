"""Two lead staff hiding the same proposal at the same moment, on PostgreSQL: one hide, one
audit entry, the other told it is already hidden (a 409), never a second hide that overwrites
the first one's reason.

Guard: moderation.deciding._lock (SELECT ... FOR UPDATE with populate_existing) before the "already
hidden?" check. Without it both read hidden_at = NULL, both write, and the log holds two
"proposal.hidden" entries (seen failing with the lock call commented out)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload

from coprod.models import AuditEntry, OrgKind, Proposal, Role
from coprod.services.engagement import moderation
from tests.factories import make_flaggable_proposal, make_member, make_org, make_programme
from tests.services.racing import ROUNDS, Refused, load_user, race

pytestmark = pytest.mark.postgres


def hide_job(user_id: int, proposal_id: int, reason: str, now: Any) -> Callable[[Session], Any]:
    def job(s: Session) -> Callable[[], Any]:
        user = load_user(s, user_id)
        proposal = s.get(Proposal, proposal_id, options=[joinedload(Proposal.programme)])
        assert proposal is not None
        return lambda: moderation.hide_proposal(s, user, proposal, reason=reason, now=now).id

    return job


def test_two_staff_hiding_at_once_make_one_hide(committed_engine, now) -> None:
    for _ in range(ROUNDS):
        with Session(bind=committed_engine, expire_on_commit=False) as setup:
            agency = make_org(setup, OrgKind.AGENCY)
            proposal = make_flaggable_proposal(setup, make_programme(setup, agency))
            first = make_member(setup, agency, Role.STAFF)
            second = make_member(setup, agency, Role.STAFF)
            setup.commit()
            pid = proposal.id
        results = race(
            committed_engine,
            [hide_job(first.id, pid, "Spam", now), hide_job(second.id, pid, "Advert", now)],
        )
        refused = [r for r in results if isinstance(r, Refused)]
        assert len(refused) == 1 and refused[0].kind == "Conflict", results
        with Session(bind=committed_engine) as check:
            entries = check.scalar(
                select(func.count())
                .select_from(AuditEntry)
                .where(AuditEntry.action == "proposal.hidden", AuditEntry.object_id == pid)
            )
            assert entries == 1
            stored = check.get(Proposal, pid)
            assert stored is not None and stored.hidden_reason in ("Spam", "Advert")
